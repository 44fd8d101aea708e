import Foundation
import Testing

@testable import RosterCore

@Suite struct TeamRulesTests {
    func errors(_ text: String, minAdmins: Int = 1) -> [Diagnostic] {
        decode(text, minAdmins: minAdmins).diagnostics.filter { $0.severity == .error }
    }

    @Test func aValidTeamDecodesWithDefaults() throws {
        let decoded = decode(teamDocument("ml", members: [("Bob@Example.com ", "dev")]))
        #expect(decoded.diagnostics.isEmpty)
        let team = try #require(decoded.teams.first)
        #expect(team.displayName == "ml")
        #expect(team.spendLimit == .default)
        #expect(team.members.map(\.email.value) == ["owner@example.com", "bob@example.com"])
        #expect(team.members.map(\.role) == [.admin, .dev])
    }

    @Test func sameEmailTwiceIsCaseInsensitive() {
        let found = errors(teamDocument("t", members: [("a@example.com", "dev"), ("A@EXAMPLE.com", "basic")]))
        #expect(found.count == 1)
        #expect(found.first?.path == "spec.members[2].email")
        #expect(found.first?.message.contains("first at teams/t.yaml:10:14") == true)
    }

    @Test func ownerMustBeAnAdminMember() {
        let notListed = errors(teamDocument("t", owner: "o@example.com").replacingOccurrences(of: "- email: o@example.com", with: "- email: x@example.com"))
        #expect(notListed.map(\.path) == ["spec.owner"])
        let notAdmin = errors(teamDocument("t", owner: "o@example.com").replacingOccurrences(of: "role: admin", with: "role: dev"))
        #expect(notAdmin.map(\.path) == ["spec.members[0].role"])
        #expect(notAdmin.first?.suggestion == "admin")
    }

    @Test func minAdminsCountsTheOwner() {
        #expect(errors(teamDocument("t"), minAdmins: 1).isEmpty)
        let tooFew = errors(teamDocument("t", members: [("b@example.com", "dev")]), minAdmins: 2)
        #expect(tooFew.count == 1)
        #expect(tooFew.first?.message.contains("declares 1 admin") == true)
        #expect(errors(teamDocument("t", members: [("b@example.com", "admin")]), minAdmins: 2).isEmpty)
    }

    @Test(arguments: [
        ("120", nil), ("80.5", nil), ("0", nil), ("-1", "must not be negative"), ("12.345", "more than two decimals"),
        ("abc", "plain decimal number"), ("\"80\"", "must be a number"), ("[1]", "must be a number"),
    ] as [(String, String?)])
    func spendLimits(value: String, problem: String?) {
        let text = teamDocument("t") + "  spendLimit:\n    perHour: \(value)\n"
        let found = errors(text)
        if let problem {
            #expect(found.count == 1)
            #expect(found.first?.message.contains(problem) == true, "\(found.map(\.message))")
            #expect(found.first?.path == "spec.spendLimit.perHour")
        } else {
            #expect(found.isEmpty, "\(found.map(\.message))")
        }
    }

    @Test func unknownFieldsSuggestTheClosest() {
        let found = errors(teamDocument("t").replacingOccurrences(of: "  members:", with: "  memebers:"))
        let unknown = found.first { $0.message.contains("unknown field") }
        #expect(unknown?.suggestion == "members")
        #expect(unknown?.path == "spec.memebers")
        #expect(found.contains { $0.message.contains("missing required field \"members\"") })
    }

    @Test func unknownRoleListsTheRoles() {
        let found = errors(teamDocument("t", members: [("b@example.com", "developer")]))
        #expect(found.first?.message.contains("basic, billing, dev, admin") == true)
    }

    @Test func configBelongsInRosterYaml() {
        let found = errors("apiVersion: roster/v1\nkind: Config\nspec: {}\n")
        #expect(found.first?.message.contains("roster.yaml") == true)
    }
}
