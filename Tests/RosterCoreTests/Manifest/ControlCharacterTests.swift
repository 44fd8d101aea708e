import Foundation
import Testing

@testable import RosterCore

/// Display names and emails are refused at validation when they hold a control character,
/// with the place of the value (issue 12).
@Suite struct ControlCharacterTests {
    func team(displayName: String, member: String = "bob@example.com") -> String {
        """
        apiVersion: roster/v1
        kind: Team
        metadata:
          name: t
        spec:
          displayName: "\(displayName)"
          owner: owner@example.com
          members:
            - email: owner@example.com
              role: admin
            - email: "\(member)"
              role: dev

        """
    }

    @Test(arguments: [
        (#"x\n+ invite evil@example.com as admin"#, "U+000A (\\n)"), (#"a\rb"#, "U+000D (\\r)"), (#"\e[31mred"#, "U+001B (\\u{1B})"),
        (#"a\x85b"#, "U+0085 (\\u{85})"), (#"a\u2028b"#, "U+2028 (\\u{2028})"), (#"abc\u202Egpj.exe"#, "U+202E (\\u{202E})"),
        (#"tab\there"#, "U+0009 (\\t)"),
    ])
    func displayNamesWithControlCharactersAreRefused(name: String, shown: String) throws {
        let decoded = decode(team(displayName: name))
        let diagnostic = try #require(decoded.diagnostics.first)
        #expect(decoded.diagnostics.count == 1, "\(decoded.diagnostics)")
        #expect(diagnostic.path == "spec.displayName")
        #expect((diagnostic.line, diagnostic.column) == (6, 16))
        #expect(diagnostic.message.contains(shown), "\(diagnostic.message)")
    }

    @Test(arguments: [#"bob@exa\nmple.com"#, #"bob\u0085@example.com"#, #"bob@example.com\u202E"#, #"b\u2029ob@example.com"#, #"bob\x7F@example.com"#])
    func emailsWithControlCharactersAreRefused(email: String) throws {
        let decoded = decode(team(displayName: "T", member: email))
        let diagnostic = try #require(decoded.diagnostics.first)
        #expect(diagnostic.path == "spec.members[1].email")
        #expect((diagnostic.line, diagnostic.column) == (11, 14))
        #expect(diagnostic.message.contains("control character"), "\(diagnostic.message)")
    }

    @Test func ordinaryNamesAndInternationalAddressesStayValid() {
        #expect(decode(team(displayName: "Équipe ML — 東京 👩‍💻", member: "Zoë@exämple.com")).diagnostics.isEmpty)
        #expect(Email("ZOË@EXAMPLE.COM")?.value == "zoë@example.com")
        #expect(Email(" bob@example.com\n")?.value == "bob@example.com", "surrounding whitespace is trimmed, as before")
    }

    @Test func aQuotedSpendLimitIsSuggestedUnquotedOnlyWhenItIsANumber() {
        func suggestion(_ value: String) -> String? {
            let text = teamDocument("t").replacingOccurrences(of: "spec:\n", with: "spec:\n  spendLimit:\n    perHour: \(value)\n")
            return decode(text).diagnostics.first?.suggestion
        }
        #expect(suggestion("\"12.5\"") == "12.5")
        #expect(suggestion("\"1\\n2\"") == nil)
    }
}
