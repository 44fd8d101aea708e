import Testing

@testable import RosterCore

/// The CODEOWNERS file `roster codeowners` writes.
@Suite struct CodeOwnersTests {
    static func team(_ slug: String, file: String, owner: String, _ members: [(String, Role)]) -> TeamManifest {
        let owner = Email(owner)!
        return TeamManifest(
            slug: slug, displayName: slug, owner: owner,
            members: [MemberManifest(email: owner, role: .admin)] + members.map { MemberManifest(email: Email($0.0)!, role: $0.1) },
            file: file)
    }

    @Test func eachFileIsOwnedByItsTeamsAdminsSorted() {
        let teams = [
            Self.team("web", file: "teams/web.yaml", owner: "zoe@example.com", [("amy@example.com", .admin), ("dev@example.com", .dev)]),
            Self.team("a", file: "teams/shared.yaml", owner: "carl@example.com", [("bea@example.com", .admin)]),
            Self.team("b", file: "teams/shared.yaml", owner: "bea@example.com", [("carl@example.com", .admin), ("dan@example.com", .admin)]),
        ]
        let lines = CodeOwners.file(for: teams, teamCreators: []).split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(lines == [
            "/teams/shared.yaml bea@example.com carl@example.com dan@example.com",
            "/teams/web.yaml amy@example.com zoe@example.com",
        ])
    }

    @Test func teamCreatorsOwnTheRestAndTeamsWithASoleAdmin() {
        let teams = [
            Self.team("solo", file: "solo.yaml", owner: "sam@example.com", [("dev@example.com", .dev)]),
            Self.team("pair", file: "pair.yaml", owner: "ann@example.com", [("bob@example.com", .admin)]),
        ]
        let creators = [Email("ops@example.com")!, Email("lead@example.com")!]
        let lines = CodeOwners.file(for: teams, teamCreators: creators).split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(lines == [
            "* lead@example.com ops@example.com",
            "/pair.yaml ann@example.com bob@example.com",
            "/solo.yaml lead@example.com ops@example.com sam@example.com",
        ])
    }

    static let patterns: [(String, String)] = [
        ("teams/ml research.yaml", "/teams/ml\\ research.yaml"), ("#ops.yaml", "/\\#ops.yaml"),
        ("t/[a]*?.yaml", "/t/\\[a\\]\\*\\?.yaml"), ("!x.yaml", "/\\!x.yaml"), ("a\\b.yaml", "/a\\\\b.yaml"),
    ]

    @Test(arguments: patterns)
    func pathsAreAnchoredAndEscaped(path: String, pattern: String) {
        #expect(CodeOwners.pattern(path) == pattern)
    }

    @Test func aFileNameWithALineBreakGetsNoLine() {
        let teams = [Self.team("t", file: "t\n* evil@example.com.yaml", owner: "o@example.com", [])]
        let text = CodeOwners.file(for: teams, teamCreators: [])
        #expect(!text.split(separator: "\n").contains { $0.hasPrefix("*") || $0.hasPrefix("/") }, "\(text)")
        #expect(text.contains("# no line for t\\n* evil@example.com.yaml"), "\(text)")
    }
}
