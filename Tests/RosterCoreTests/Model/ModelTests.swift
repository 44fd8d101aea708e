import Testing

@testable import RosterCore

@Suite struct ModelTests {
    @Test(arguments: [
        (" Alice@Example.COM\t", "alice@example.com"), ("bob@example.com", "bob@example.com"),
        ("a.b+c@sub.example.co", "a.b+c@sub.example.co"),
    ])
    func emailsAreNormalised(raw: String, normalised: String) {
        #expect(Email(raw)?.value == normalised)
    }

    @Test(arguments: ["", "plain", "@example.com", "a@", "a@b", "a@@b.com", "a b@c.com", "a@b..com", "a@-b.com", "a@b.com."])
    func implausibleEmailsAreRefused(raw: String) {
        #expect(Email(raw) == nil)
    }

    @Test(arguments: [("a", true), ("ml-research", true), ("a-", false), ("-a", false), ("A", false), ("a_b", false),
                      (String(repeating: "a", count: 63), true), (String(repeating: "a", count: 64), false), ("", false)])
    func slugs(slug: String, valid: Bool) {
        #expect(TeamSlug.isValid(slug) == valid)
    }

    @Test func spendLimitsPrintWithCents() throws {
        #expect(SpendLimit.default.description == "80.00")
        #expect(SpendLimit(cents: 1_050).description == "10.50")
        #expect(try SpendLimit.parse("10.5").get() == SpendLimit(cents: 1_050))
    }

    @Test(arguments: [
        ("0000000000000000000000000012.5", 1_250), ("007", 700), ("0.5", 50), ("000", 0), ("+0012.50", 1_250),
    ])
    func leadingZerosAreAPlainNumber(text: String, cents: Int64) throws {
        #expect(try SpendLimit.parse(text).get() == SpendLimit(cents: cents))
    }

    @Test func onlySignificantDigitsCanBeTooLarge() {
        #expect(SpendLimit.parse("1000000000000").failure == .tooLarge)
        #expect((try? SpendLimit.parse("000000000000999999999999.99").get()) == SpendLimit(cents: 99_999_999_999_999))
    }

    @Test func thePermissionMatrixIsTheSpecs() {
        #expect(Role.basic.allows(.connectToPods))
        #expect(!Role.billing.allows(.connectToPods))
        #expect(Role.billing.allows(.viewBilling))
        #expect(!Role.dev.allows(.viewBilling))
        #expect(!Role.dev.allows(.manageInstantClusters))
        #expect(Permission.allCases.allSatisfy { Role.admin.allows($0) })
        #expect(Permission.allCases.filter { Role.basic.allows($0) }.count == 4)
        #expect(Role.allCases.sorted() == [.basic, .billing, .dev, .admin])
    }

    @Test(arguments: ["admin", "dev", "basic", "billing", "Admin", "devs", "bas", "billin", "aaaaa", "bbbbb", "ddd", "", "admin "])
    func rolesAreNamedAsTheirRawValues(text: String) {
        #expect(Role.named(text) == Role(rawValue: text))
    }

    @Test(arguments: [("memebers", "members"), ("emial", "email"), ("rol", "role"), ("zzzzzz", nil)] as [(String, String?)])
    func suggestions(word: String, expected: String?) {
        #expect(Suggestion.closest(to: word, among: ["members", "email", "role", "owner"]) == expected)
    }
}

extension Result {
    /// The error, when there is one.
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
