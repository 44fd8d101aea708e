import Testing

@testable import RosterCore

/// `spec.policy.teamCreators` in roster.yaml.
@Suite struct PolicyConfigTests {
    func config(_ policy: String) -> DecodedFile {
        let text = "apiVersion: roster/v1\nkind: Config\nspec:\n  policy:\n" + policy
        return ManifestDecoder.decode(SourceFile(path: "roster.yaml", bytes: Array(text.utf8)), as: .config)
    }

    @Test func teamCreatorsAreEmailsNormalised() {
        let decoded = config("    teamCreators: [Ops@Example.com, lead@example.com, ops@example.com]\n")
        #expect(decoded.diagnostics.isEmpty, "\(decoded.diagnostics)")
        #expect(decoded.config?.policy.teamCreators.map(\.value) == ["ops@example.com", "lead@example.com"])
    }

    @Test func theDefaultIsNobody() {
        let text = "apiVersion: roster/v1\nkind: Config\nspec:\n  paths: [teams]\n"
        let decoded = ManifestDecoder.decode(SourceFile(path: "roster.yaml", bytes: Array(text.utf8)), as: .config)
        #expect(decoded.config?.policy.teamCreators == [])
    }

    @Test(arguments: [
        ("    teamCreators: [ops@example.com, not-an-email]\n", "spec.policy.teamCreators[1]", 5, 37, "is not a valid email address"),
        ("    teamCreators: ops@example.com\n", "spec.policy.teamCreators", 5, 19, "a list of emails"),
        ("    creators: [ops@example.com]\n", "spec.policy.creators", 5, 5, "unknown field \"creators\""),
        ("    teamCreators: [[ops@example.com]]\n", "spec.policy.teamCreators[0]", 5, 20, "a string"),
    ])
    func badPoliciesPointAtTheValue(policy: String, path: String, line: Int, column: Int, message: String) throws {
        let decoded = config(policy)
        let diagnostic = try #require(decoded.diagnostics.first)
        #expect(decoded.diagnostics.count == 1, "\(decoded.diagnostics)")
        #expect(diagnostic.path == path)
        #expect((diagnostic.line, diagnostic.column) == (line, column), "\(diagnostic)")
        #expect(diagnostic.message.contains(message), "\(diagnostic.message)")
    }
}
