import Foundation
import RosterTestSupport

/// What a finished command printed and how it ended.
typealias CommandOutput = ProcessResult

/// Runs `arguments[0]` (looked up on PATH) with the rest as its arguments, with no user or
/// system git configuration.
func runCommand(_ arguments: [String], in directory: String? = nil) throws -> CommandOutput {
    try runProcess(URL(fileURLWithPath: "/usr/bin/env"), arguments, in: directory, environment: isolatedGitEnvironment())
}

/// A failed fixture step, with what the command said.
struct FixtureError: Error, CustomStringConvertible {
    var description: String
}

/// A real repository made with the git CLI.
struct TestRepository {
    /// The work tree (or, when bare, the repository folder).
    let path: String

    /// `file://` URL of this repository.
    var url: String { "file://" + path }

    /// Creates a repository at `path` with `branch` as its first branch.
    static func create(at path: String, branch: String = "main", bare: Bool = false) throws -> TestRepository {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let repository = TestRepository(path: path)
        try repository.git(["init", "-q", "-b", branch] + (bare ? ["--bare"] : []))
        return repository
    }

    /// Runs git in the repository; throws with git's message when it fails. Returns
    /// standard output without the trailing newline.
    @discardableResult
    func git(_ arguments: [String]) throws -> String {
        let output = try runCommand(
            [
                "git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false",
                "-c", "tag.gpgsign=false", "-c", "protocol.file.allow=always", "-c", "core.symlinks=true",
                "-C", path,
            ] + arguments)
        guard output.status == 0 else {
            throw FixtureError(description: "git \(arguments.joined(separator: " ")) failed (\(output.status)): \(output.stderr)")
        }
        return output.stdout.trimmingCharacters(in: .newlines)
    }

    @discardableResult
    func git(_ arguments: String...) throws -> String { try git(arguments) }

    /// Writes `content` to `relativePath` in the work tree, creating folders.
    func write(_ relativePath: String, _ content: String) throws {
        let url = URL(fileURLWithPath: path).appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(content.utf8).write(to: url)
    }

    /// Makes `relativePath` a symbolic link to `destination`.
    func link(_ relativePath: String, to destination: String) throws {
        let url = URL(fileURLWithPath: path).appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: url.path, withDestinationPath: destination)
    }

    /// Stages everything and commits it; returns the new commit's id.
    @discardableResult
    func commitAll(_ message: String = "change") throws -> String {
        try git("add", "-A")
        try git("commit", "-q", "--allow-empty", "-m", message)
        return try revParse("HEAD")
    }

    /// The full id `revision` names.
    func revParse(_ revision: String) throws -> String {
        try git("rev-parse", "--verify", "-q", revision)
    }
}

/// A valid Team manifest. With `admins` the team has that many admins (the owner first),
/// enough for any `minAdmins` the tests use.
func teamYAML(_ slug: String, displayName: String? = nil, admins: Int = 2) -> String {
    var text = """
        apiVersion: roster/v1
        kind: Team
        metadata:
          name: \(slug)
        spec:
          displayName: \(displayName ?? slug)
          owner: owner-\(slug)@example.com
          members:

        """
    text += "    - email: owner-\(slug)@example.com\n      role: admin\n"
    for index in 1..<max(admins, 1) {
        text += "    - email: admin\(index)-\(slug)@example.com\n      role: admin\n"
    }
    return text
}

/// A `roster.yaml` that limits reading to `paths`.
func configYAML(paths: [String], minAdmins: Int = 1) -> String {
    """
    apiVersion: roster/v1
    kind: Config
    spec:
      paths: [\(paths.joined(separator: ", "))]
      safety:
        minAdmins: \(minAdmins)

    """
}

/// Text that is not YAML a decoder could accept.
let garbageYAML = "this: is: not [valid yaml\n  - ::: {\n"

extension Collection {
    /// The single element, or nil when there are none or several.
    var only: Element? { count == 1 ? first : nil }
}
