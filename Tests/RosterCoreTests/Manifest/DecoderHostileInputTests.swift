import Foundation
import Testing

@testable import RosterCore

/// Decodes one manifest file given as text.
func decode(_ text: String, path: String = "teams/t.yaml", minAdmins: Int = 1) -> DecodedFile {
    ManifestDecoder.decode(SourceFile(path: path, bytes: Array(text.utf8)), as: .manifests, minAdmins: minAdmins)
}

func decode(bytes: [UInt8]) -> DecodedFile {
    ManifestDecoder.decode(SourceFile(path: "teams/t.yaml", bytes: bytes), as: .manifests)
}

/// A valid team document.
func teamDocument(_ name: String, owner: String = "owner@example.com", members: [(String, String)] = []) -> String {
    var text = """
        apiVersion: roster/v1
        kind: Team
        metadata:
          name: \(name)
        spec:
          owner: \(owner)
          members:
            - email: \(owner)
              role: admin

        """
    for (email, role) in members { text += "    - email: \(email)\n      role: \(role)\n" }
    return text
}

@Suite struct DecoderHostileInputTests {
    /// A hostile or odd input, what the decoder must say about it (a fragment of the
    /// message, or nil for "no error"), and where (line), when that is fixed.
    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var bytes: [UInt8]
        var message: String?
        var line: Int?
        var teams = 0
        var description: String { name }
    }

    static let billionLaughs: String = {
        var text = "apiVersion: roster/v1\nkind: Team\nmetadata: {name: lol}\nspec:\n  displayName: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
        for level in 1..<names.count {
            text += "  x\(level): &\(names[level]) [" + Array(repeating: "*" + names[level - 1], count: 9).joined(separator: ",") + "]\n"
        }
        return text
    }()

    static let cases: [Case] = [
        Case(name: "alias bomb, 9 x 9", bytes: Array(billionLaughs.utf8), message: "aliases expand to more than"),
        Case(
            name: "10,000-level nesting",
            bytes: Array(("a: " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)).utf8),
            message: "nesting is deeper than 64 levels", line: 1),
        Case(name: "invalid UTF-8", bytes: Array("apiVersion: roster/v1\nkind: Te".utf8) + [0xFF, 0xFE] + Array("am\n".utf8),
             message: "UTF-8", line: 2),
        Case(name: "NUL byte", bytes: Array("apiVersion: roster/v1\nkind: Team\u{0}\n".utf8), message: "NUL bytes", line: 2),
        Case(name: "duplicate keys", bytes: Array(teamDocument("dup").replacingOccurrences(of: "kind: Team\n", with: "kind: Team\nkind: Team\n").utf8),
             message: "duplicate key \"kind\"", line: 3, teams: 1),
        Case(name: "merge key", bytes: Array((teamDocument("merge") + "  <<: {displayName: x}\n").utf8),
             message: "merge keys (<<) are not supported", line: 10, teams: 1),
        Case(name: "tab indentation", bytes: Array("apiVersion: roster/v1\nkind: Team\nmetadata:\n\tname: x\n".utf8),
             message: "tab", line: 4),
        Case(name: "byte order mark", bytes: [0xEF, 0xBB, 0xBF] + Array(teamDocument("bom").utf8), message: nil, teams: 1),
        Case(name: "scalar document", bytes: Array("just text\n".utf8), message: "must be a mapping", line: 1),
        Case(name: "sequence document", bytes: Array("- a\n- b\n".utf8), message: "not a list", line: 1),
        Case(name: "empty file", bytes: [], message: nil),
        Case(name: "only comments and separators", bytes: Array("# nothing\n---\n---\n".utf8), message: nil),
        Case(
            name: "50 documents",
            bytes: Array((0..<50).map { teamDocument("team-\($0)") }.joined(separator: "---\n").utf8), message: nil, teams: 50),
        Case(name: "unclosed flow", bytes: Array("apiVersion: [roster/v1\nkind: Team\n".utf8), message: "invalid YAML"),
        Case(name: "anchors within budget work", bytes: Array("""
            apiVersion: roster/v1
            kind: Team
            metadata: {name: anchored}
            spec:
              owner: &o owner@example.com
              members:
                - email: *o
                  role: admin

            """.utf8), message: nil, teams: 1),
    ]

    @Test(arguments: cases)
    func hostileInput(_ input: Case) {
        let decoded = decode(bytes: input.bytes)
        let errors = decoded.diagnostics.filter { $0.severity == .error }
        if let message = input.message {
            let match = errors.first { $0.message.contains(message) }
            #expect(match != nil, "expected an error containing \"\(message)\", got \(errors.map(\.message))")
            if let line = input.line { #expect(match?.line == line) }
            #expect(errors.allSatisfy { $0.line >= 1 && $0.column >= 1 })
        } else {
            #expect(errors.isEmpty, "unexpected errors: \(errors.map(\.message))")
        }
        #expect(decoded.teams.count == input.teams)
    }

    @Test func oversizedFileIsRefusedBeforeReading() async throws {
        let folder = try TemporaryFolder()
        try folder.write("teams/big.yaml", String(repeating: "# padding\n", count: 210_000))  // ~2 MiB
        try folder.write("teams/ok.yaml", teamDocument("ok"))
        let result = try await ManifestLoader().load(from: try DirectorySource(path: folder.path))
        let problem = try #require(result.diagnostics.first { $0.file == "teams/big.yaml" })
        #expect(problem.message.contains("over the 1 MiB limit"))
        #expect((problem.line, problem.column) == (1, 1))
        #expect(result.teams.map(\.slug) == ["ok"])
    }

    @Test func yamlOneTwoValuesStayStrings() {
        let decoded = decode("""
            apiVersion: roster/v1
            kind: Team
            metadata: {name: strings}
            spec:
              displayName: no
              owner: owner@example.com
              members: [{email: owner@example.com, role: admin}]

            """)
        #expect(decoded.diagnostics.isEmpty)
        #expect(decoded.teams.first?.displayName == "no")
    }

    @Test func specBeforeKindIsDecodedAfterwards() {
        let decoded = decode("""
            spec:
              owner: Owner@Example.com
              spendLimit: {perHour: 99.5}
              members: [{email: owner@example.com, role: admin}]
            metadata: {name: late-kind}
            apiVersion: roster/v1
            kind: Team

            """)
        #expect(decoded.diagnostics.isEmpty, "\(decoded.diagnostics.map(\.message))")
        let team = decoded.teams.first
        #expect(team?.slug == "late-kind")
        #expect(team?.owner.value == "owner@example.com")
        #expect(team?.spendLimit == SpendLimit(cents: 9_950))
    }
}

/// A folder under the temporary directory, removed when the value is released.
final class TemporaryFolder {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "roster-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func write(_ relative: String, _ text: String) throws {
        let url = URL(fileURLWithPath: path).appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }
}
