import Foundation

/// What a finished command printed and how it ended.
public typealias CommandOutput = ProcessResult

/// Runs `arguments[0]` (looked up on PATH) with the rest as its arguments, with no user or
/// system git configuration.
public func runCommand(_ arguments: [String], in directory: String? = nil) throws -> CommandOutput {
    try runProcess(URL(fileURLWithPath: "/usr/bin/env"), arguments, in: directory, environment: isolatedGitEnvironment())
}

/// A failed fixture step, with what the command said.
public struct FixtureError: Error, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
}

/// A real repository made with the git CLI.
public struct TestRepository: Sendable {
    /// The work tree (or, when bare, the repository folder).
    public let path: String

    public init(path: String) { self.path = path }

    /// `file://` URL of this repository.
    public var url: String { "file://" + path }

    /// Creates a repository at `path` with `branch` as its first branch.
    public static func create(at path: String, branch: String = "main", bare: Bool = false) throws -> TestRepository {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let repository = TestRepository(path: path)
        try repository.git(["init", "-q", "-b", branch] + (bare ? ["--bare"] : []))
        return repository
    }

    /// Runs git in the repository; throws with git's message when it fails. Returns
    /// standard output without the trailing newline.
    @discardableResult
    public func git(_ arguments: [String]) throws -> String {
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
    public func git(_ arguments: String...) throws -> String { try git(arguments) }

    /// Writes `content` to `relativePath` in the work tree, creating folders.
    public func write(_ relativePath: String, _ content: String) throws {
        let url = URL(fileURLWithPath: path).appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(content.utf8).write(to: url)
    }

    /// Makes `relativePath` a symbolic link to `destination`.
    public func link(_ relativePath: String, to destination: String) throws {
        let url = URL(fileURLWithPath: path).appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: url.path, withDestinationPath: destination)
    }

    /// Stages everything and commits it; returns the new commit's id.
    @discardableResult
    public func commitAll(_ message: String = "change") throws -> String {
        try git("add", "-A")
        try git("commit", "-q", "--allow-empty", "-m", message)
        return try revParse("HEAD")
    }

    /// The full id `revision` names.
    public func revParse(_ revision: String) throws -> String {
        try git("rev-parse", "--verify", "-q", revision)
    }
}

