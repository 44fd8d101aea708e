import Foundation
import RosterTestSupport
import Testing

/// The package's root folder (this file is `Tests/rosterTests/CLITests.swift`).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The example manifest repository shipped with Roster.
let examples = packageRoot.appendingPathComponent("examples").path

/// The built `roster` executable: `ROSTER_BINARY` if set, else the one in the products
/// folder this test bundle was built into (whatever the scratch path), else the default
/// build folders.
let rosterBinary: URL? = {
    let files = FileManager.default
    func isExecutable(_ url: URL) -> Bool {
        var isFolder: ObjCBool = false
        return files.fileExists(atPath: url.path, isDirectory: &isFolder) && !isFolder.boolValue
            && files.isExecutableFile(atPath: url.path)
    }
    if let path = ProcessInfo.processInfo.environment["ROSTER_BINARY"], !path.isEmpty {
        return URL(fileURLWithPath: path)
    }
    // Linux runs `<products>/<package>PackageTests.xctest` itself; macOS runs a helper with
    // the bundle `<products>/<package>PackageTests.xctest/Contents/MacOS/...` loaded.
    let starts =
        [URL(fileURLWithPath: CommandLine.arguments[0]), Bundle.main.bundleURL] + Bundle.allBundles.map(\.bundleURL)
    for start in starts {
        var folder = start.resolvingSymlinksInPath()
        for _ in 0..<5 {
            let candidate = folder.appendingPathComponent("roster")
            if isExecutable(candidate) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
    }
    for scratch in [".build-helper", ".build"] {
        let candidate = packageRoot.appendingPathComponent(scratch).appendingPathComponent("debug/roster")
        if isExecutable(candidate) { return candidate }
    }
    return nil
}()

/// What one run of the binary printed and how it ended.
typealias Run = ProcessResult

/// Runs `roster` with `arguments`, standard output and error captured through files (so
/// neither is a terminal), in `directory`, with no ROSTER_*, NO_COLOR or GIT_* variables
/// from the caller unless `environment` sets them.
func roster(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:]) throws -> Run {
    let binary = try #require(rosterBinary, "the roster executable was not found; build with --build-tests")
    return try run(binary, arguments, in: directory, environment: environment)
}

func run(_ executable: URL, _ arguments: [String], in directory: String? = nil, environment: [String: String] = [:])
    throws -> Run
{
    var variables = isolatedGitEnvironment(removingPrefixes: ["ROSTER_", "NO_COLOR"])
    variables.merge(environment) { $1 }
    return try withScratchFolderSync(prefix: "roster-cli-run") { scratch in
        try runProcess(executable, arguments, in: directory ?? scratch, environment: variables)
    }
}

struct GitFailure: Error, CustomStringConvertible {
    var description: String
}

/// Runs git in `directory` with a fixed identity and no user configuration.
@discardableResult
func git(_ arguments: String..., in directory: String) throws -> String {
    let result = try run(
        URL(fileURLWithPath: "/usr/bin/env"),
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"]
            + arguments,
        in: directory)
    guard result.status == 0 else {
        throw GitFailure(description: "git \(arguments.joined(separator: " ")) failed: \(result)")
    }
    return result.stdout.trimmingCharacters(in: .newlines)
}

/// Runs `body` with a new empty folder that is removed afterwards.
func withScratchFolder<T>(_ body: (String) throws -> T) throws -> T {
    try withScratchFolderSync(prefix: "roster-cli-tests", body)
}

/// A copy of the examples with three kinds of mistake added in `teams/zz-broken.yaml`.
private enum BrokenExamples {
    static let file = "teams/zz-broken.yaml"

    static let text = """
        apiVersion: roster/v1
        kind: Team
        metadata:
          name: design
        spec:
          displayName: Design
          owner: alice@example.com
          members:
            - email: alice@example.com
              role: admin
            - email: zed@example.com
              role: admin
            - email: yan@example.com
              role: superuser
        ---
        apiVersion: roster/v1
        kind: Team
        metadata:
          name: ops
        spec:
          displayName: Ops
          owner: bob@example.com
          memebers:
            - email: bob@example.com
              role: admin
        ---
        apiVersion: roster/v1
        kind: Team
        metadata:
          name: inference
        spec:
          displayName: Inference again
          owner: grace@example.com
          members:
            - email: grace@example.com
              role: admin
            - email: heidi@example.com
              role: admin

        """

    /// A problem the run must report: where (found by searching the text for `line`,
    /// pointing at `token` in it) and a word its message must contain.
    struct Problem {
        var line: Int
        var column: Int
        var word: String
        var location: String { "\(BrokenExamples.file):\(line):\(column)" }
    }

    static func position(of token: String, inLineContaining marker: String, of text: String) -> (line: Int, column: Int) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let index = lines.firstIndex { $0.contains(marker) }!
        let column = lines[index].range(of: token)!.lowerBound.utf16Offset(in: lines[index]) + 1
        return (index + 1, column)
    }

    static var problems: [Problem] {
        let role = position(of: "superuser", inLineContaining: "role: superuser", of: text)
        let field = position(of: "memebers", inLineContaining: "memebers:", of: text)
        let duplicate = position(of: "inference", inLineContaining: "name: inference", of: text)
        return [
            Problem(line: role.line, column: role.column, word: "superuser"),
            Problem(line: field.line, column: field.column, word: "memebers"),
            Problem(line: duplicate.line, column: duplicate.column, word: "twice"),
        ]
    }

    /// Copies the examples into `folder/examples` and adds the broken file; returns the copy.
    static func make(in folder: String) throws -> String {
        let copy = folder + "/examples"
        try FileManager.default.copyItem(atPath: examples, toPath: copy)
        try Data(text.utf8).write(to: URL(fileURLWithPath: copy + "/" + file))
        return copy
    }
}

@Suite("roster validate and roster schema, run as a program")
struct CLITests {
    @Test("the binary is found")
    func binaryFound() throws {
        let binary = try #require(rosterBinary)
        #expect(FileManager.default.isExecutableFile(atPath: binary.path))
    }

    @Test("validate --dir examples is valid", arguments: [["--dir", "examples"], ["--dir", "examples/"], ["--dir", "."]])
    func validExamples(_ source: [String]) throws {
        // "." is the examples folder itself; the others are relative to the package root.
        let directory = source.last == "." ? examples : packageRoot.path
        let result = try roster(["validate"] + source, in: directory)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.hasPrefix("Valid: 4 teams in 4 files"), "\(result)")
        #expect(result.stderr.isEmpty, "\(result)")
    }

    @Test("validate with no source reads the current folder")
    func currentFolderByDefault() throws {
        let result = try roster(["validate"], in: examples)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("Valid: 4 teams"), "\(result)")
    }

    @Test("--quiet prints nothing for valid manifests; --verbose adds what was read on standard error")
    func quietAndVerbose() throws {
        let quiet = try roster(["validate", "--dir", examples, "--quiet"])
        #expect(quiet.status == 0, "\(quiet)")
        #expect(quiet.stdout.isEmpty, "\(quiet)")

        let verbose = try roster(["validate", "--dir", examples, "--verbose"])
        #expect(verbose.status == 0, "\(verbose)")
        #expect(verbose.stdout.contains("Valid: 4 teams"), "\(verbose)")
        #expect(verbose.stderr.contains("4 files"), "\(verbose)")
    }

    @Test("broken manifests exit 1 and name file:line:column for every problem")
    func brokenExamplesText() throws {
        try withScratchFolder { folder in
            let copy = try BrokenExamples.make(in: folder)
            let result = try roster(["validate", "--dir", copy])
            #expect(result.status == 1, "\(result)")
            let lines = result.stdout.split(separator: "\n").map(String.init)
            for problem in BrokenExamples.problems {
                #expect(
                    lines.contains { $0.hasPrefix(problem.location + ": error: ") && $0.contains(problem.word) },
                    "no error at \(problem.location) mentioning \(problem.word)\n\(result)")
            }
            // The misspelt field gets the right name as a suggestion.
            #expect(lines.contains("  suggestion: members"), "\(result)")
            // The duplicate names the first declaration.
            let first = BrokenExamples.position(
                of: "inference", inLineContaining: "name: inference",
                of: try String(contentsOfFile: examples + "/teams/inference.yaml", encoding: .utf8))
            #expect(result.stdout.contains("teams/inference.yaml:\(first.line):\(first.column)"), "\(result)")
            #expect(lines.last?.hasPrefix("Invalid: ") == true, "\(result)")
        }
    }

    @Test("--format json is the documented object")
    func brokenExamplesJSON() throws {
        try withScratchFolder { folder in
            let copy = try BrokenExamples.make(in: folder)
            let result = try roster(["validate", "--dir", copy, "--format", "json"])
            #expect(result.status == 1, "\(result)")
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result)")
            #expect(Set(object.keys) == ["valid", "diagnostics"])
            #expect(object["valid"] as? Bool == false)
            let diagnostics = try #require(object["diagnostics"] as? [[String: Any]])
            #expect(diagnostics.count >= BrokenExamples.problems.count)
            for diagnostic in diagnostics {
                #expect(
                    Set(diagnostic.keys) == ["severity", "file", "line", "column", "path", "message", "suggestion"],
                    "\(diagnostic)")
                #expect(["error", "warning"].contains(diagnostic["severity"] as? String))
                #expect(diagnostic["line"] is Int && diagnostic["column"] is Int, "\(diagnostic)")
            }
            for problem in BrokenExamples.problems {
                #expect(
                    diagnostics.contains {
                        $0["file"] as? String == BrokenExamples.file && $0["line"] as? Int == problem.line
                            && $0["column"] as? Int == problem.column && $0["severity"] as? String == "error"
                            && ($0["message"] as? String)?.contains(problem.word) == true
                    }, "no diagnostic at \(problem.location)\n\(result)")
            }
            let role = diagnostics.first { ($0["message"] as? String)?.contains("superuser") == true }
            #expect(role?["path"] as? String == "spec.members[2].role")
            let field = diagnostics.first { ($0["message"] as? String)?.contains("memebers") == true }
            #expect(field?["suggestion"] as? String == "members")
        }
    }

    @Test("--format json for valid manifests")
    func validJSON() throws {
        let result = try roster(["validate", "--dir", examples, "--format", "json"])
        #expect(result.status == 0, "\(result)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["valid"] as? Bool == true)
        #expect((object["diagnostics"] as? [Any])?.isEmpty == true)
    }

    @Test("--format github prints one annotation line per problem")
    func brokenExamplesGitHub() throws {
        try withScratchFolder { folder in
            let copy = try BrokenExamples.make(in: folder)
            let result = try roster(["validate", "--dir", copy, "--format", "github"])
            #expect(result.status == 1, "\(result)")
            let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
            #expect(!lines.isEmpty)
            #expect(result.stdout.hasSuffix("\n"))
            for line in lines {
                #expect(line.hasPrefix("::error file="), "\(line)")
            }
            for problem in BrokenExamples.problems {
                let head = "::error file=\(BrokenExamples.file),line=\(problem.line),col=\(problem.column)"
                #expect(lines.contains { $0.hasPrefix(head) }, "no annotation \(head)\n\(result)")
            }
        }
    }

    enum Color: String, CaseIterable, Sendable {
        case noColorFlag, noColorVariable, notATerminal
    }

    @Test("output that is not a terminal, or with --no-color or NO_COLOR, has no escape codes", arguments: Color.allCases)
    func noEscapeCodes(_ color: Color) throws {
        try withScratchFolder { folder in
            let copy = try BrokenExamples.make(in: folder)
            let arguments = ["validate", "--dir", copy] + (color == .noColorFlag ? ["--no-color"] : [])
            let environment = color == .noColorVariable ? ["NO_COLOR": "1"] : [:]
            let result = try roster(arguments, environment: environment)
            #expect(result.status == 1, "\(result)")
            #expect(result.stdout.contains("error"), "\(result)")
            #expect(!result.stdout.contains("\u{1B}"))
            #expect(!result.stderr.contains("\u{1B}"))
        }
    }

    @Test(
        "usage errors exit 64",
        arguments: [
            ["validate", "--repo", examples, "--dir", examples],
            ["validate", "--ref", "main"],
            ["validate", "--ref", "main", "--dir", examples],
            ["validate", "--repo", examples, "--ref", ""],
            ["validate", "--frobnicate"],
            ["validate", "--dir", examples, "--format", "xml"],
            ["validate", "--dir", examples, "--quiet", "--verbose"],
            ["validate", "--dir", examples, "--max-file-size", "0"],
            ["validate", "--dir", examples, "--max-file-size", "lots"],
            ["validate", "--dir"],
            ["validate", "--repo", ""],
            ["validate", "--dir", ""],
            ["no-such-command"],
        ])
    func usageErrors(_ arguments: [String]) throws {
        let result = try roster(arguments)
        #expect(result.status == 64, "\(result)")
        #expect(!result.stderr.isEmpty, "\(result)")
        #expect(!result.stdout.contains("Valid"), "\(result)")
    }

    @Test(
        "a source that cannot be read exits 1 with one error line on standard error",
        arguments: [
            ["--repo", "/nonexistent"], ["--repo", "/nonexistent", "--ref", "main"], ["--dir", "/nonexistent"],
            ["--repo", examples],
        ])
    func unreadableSource(_ source: [String]) throws {
        let result = try roster(["validate"] + source)
        #expect(result.status == 1, "\(result)")
        let errors = result.stderr.split(separator: "\n").filter { $0.hasPrefix("error: ") }
        #expect(errors.count == 1, "\(result)")
        #expect(errors.first?.contains(source[1]) == true, "\(result)")
        #expect(result.stdout.isEmpty, "\(result)")
    }

    @Test("--max-file-size below a file's size makes it an error")
    func maxFileSize() throws {
        let result = try roster(["validate", "--dir", examples, "--max-file-size", "100"])
        #expect(result.status == 1, "\(result)")
        #expect(result.stdout.contains(":1:1: error: file is"), "\(result)")
        #expect(result.stdout.contains("limit"), "\(result)")

        let roomy = try roster(["validate", "--dir", examples, "--max-file-size", "1KiB"])
        #expect(roomy.status == 0, "\(roomy)")
    }

    @Test("--repo reads the committed files at --ref, not the work tree; --dir reads the work tree")
    func repositoryAtRef() throws {
        try withScratchFolder { folder in
            let repository = folder + "/repo"
            try FileManager.default.copyItem(atPath: examples, toPath: repository)
            try git("init", "-q", "-b", "main", in: repository)
            try git("add", "-A", in: repository)
            try git("commit", "-q", "-m", "examples", in: repository)
            try git("tag", "v1", in: repository)
            let commit = try git("rev-parse", "HEAD", in: repository)
            try Data(BrokenExamples.text.utf8).write(to: URL(fileURLWithPath: repository + "/" + BrokenExamples.file))

            for source in [
                ["--repo", repository, "--ref", "v1"],
                ["--repo", "file://" + repository, "--ref", "v1", "--cache-dir", folder + "/cache"],
            ] {
                let result = try roster(["validate"] + source)
                #expect(result.status == 0, "\(result)")
                #expect(result.stdout.contains("Valid: 4 teams in 4 files at v1 (\(commit.prefix(12))"), "\(result)")
            }
            let mirrors = try FileManager.default.contentsOfDirectory(atPath: folder + "/cache/repos")
            #expect(mirrors.count == 1, "--cache-dir holds the mirror")

            let workTree = try roster(["validate", "--dir", repository])
            #expect(workTree.status == 1, "\(workTree)")
        }
    }

    @Test("roster schema prints a JSON Schema 2020-12 document")
    func schema() throws {
        let result = try roster(["schema"])
        #expect(result.status == 0, "\(result)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
        #expect(result.stderr.isEmpty)
    }
}
