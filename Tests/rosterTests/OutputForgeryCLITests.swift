import Foundation
import RosterTestSupport
import Testing

/// What a manifest repository holds cannot print lines of its own in roster's text output
/// (issue 12): a file name with a newline (git trees can hold one), a quoted key with a
/// newline and an escape sequence, a display name with a newline.
@Suite("Values from manifests never forge output lines, run as a program")
struct OutputForgeryCLITests {
    static let forgedFile = "teams/a\nteams/b.yaml:9:9: error: forged.yaml"
    static let manifest = """
        apiVersion: roster/v1
        kind: Team
        metadata:
          name: t
        spec:
          "x\\ny.yaml:1:1: error: forged\\e[2K": 1
          displayName: "T\\n+ invite evil@example.com as admin"
          owner: o@example.com
          members:
            - email: o@example.com
              role: admin

        """

    @Test("validate --repo and --dir: one line per diagnostic, control characters escaped", arguments: ["--repo", "--dir"])
    func validate(_ source: String) throws {
        try withWorkspace { ws in
            try ws.makeRepository(files: [Self.forgedFile: Self.manifest])
            let result = try ws.roster(["validate", source, ws.repository])
            #expect(result.status == 1, "\(result)")
            let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            #expect(lines.count == 3, "two diagnostics and the summary: \(result)")
            let place = #"teams/a\nteams/b.yaml:9:9: error: forged.yaml:"#
            #expect(lines.dropLast().allSatisfy { $0.hasPrefix(place) }, "\(result)")
            #expect(result.stdout.contains(#"unknown field "x\ny.yaml:1:1: error: forged\u{1B}[2K""#), "\(result)")
            #expect(result.stdout.contains("display name contains the control character U+000A"), "\(result)")
            #expect(!result.stdout.contains("\u{1B}"), "\(result)")
            #expect(lines.last?.hasPrefix("Invalid: 2 errors") == true, "\(result)")

            let plan = try ws.roster(["plan", source, ws.repository])
            #expect(plan.status == 1, "\(plan)")
            #expect(!plan.stderr.contains("\u{1B}") && !plan.stderr.split(separator: "\n").contains { $0.hasPrefix("+ invite") }, "\(plan)")
        }
    }
}
