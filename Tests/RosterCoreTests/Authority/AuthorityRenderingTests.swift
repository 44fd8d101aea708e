import Testing

@testable import RosterCore

/// The authority sections stay readable for a plan over many teams: cut, with what was left out counted.
@Suite struct AuthorityRenderingTests {
    static func authority(teams: Int) -> ChangeAuthority {
        let owner = Email("owner@example.com")!
        var state = CurrentState()
        var changes: [Change] = []
        for index in 0..<teams {
            let slug = "t\(index)"
            state.teams[slug] = TeamState(slug: slug, displayName: slug, owner: owner, members: [owner: .admin])
            changes.append(Change(.inviteCreate, team: slug, subject: "x@example.com", after: .role(.dev)))
        }
        // The author is an admin of every tenth team only.
        for index in stride(from: 0, to: teams, by: 10) { state.teams["t\(index)"]!.members[Email("bob@example.com")!] = .admin }
        return ChangeAuthority.check(changes, before: state, teamCreators: [], author: Email("bob@example.com"))
    }

    @Test func markdownIsCutAfterItsRowsWithTheRestCounted() {
        let markdown = PlanRenderer.authorityMarkdown(Self.authority(teams: 150), basis: "as the base declares it")
        let rows = markdown.split(separator: "\n").filter { $0.hasPrefix("| `t") }
        #expect(rows.count == 100)
        #expect(rows.allSatisfy { $0.contains("| no (") }, "those needing approval come first")
        #expect(markdown.contains("may not make the changes in 135 of 150 teams"), "\(markdown)")
        #expect(markdown.contains("… and 50 more teams, 35 needing approval: see the JSON plan"), "\(markdown)")
    }

    @Test func textIsCutAtTheTeamLimit() {
        let text = PlanRenderer.authorityText(Self.authority(teams: 150), basis: "as the base declares it", limits: .standard)
        let lines = text.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("  t") }.count == 50)
        #expect(lines.contains("  … 100 more teams, 85 needing approval (--verbose shows all)"), "\(text)")
        #expect(lines.last == "135 of 150 teams need approval.")
        let all = PlanRenderer.authorityText(Self.authority(teams: 150), basis: "as the base declares it")
        #expect(all.split(separator: "\n").filter { $0.hasPrefix("  t") }.count == 150)
    }
}
