import Foundation

/// What a finished command printed and how it ended.
struct CommandOutput {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs `arguments[0]` (looked up on PATH) with the rest as its arguments, its output
/// captured through files so a chatty command cannot block on a full pipe.
func runCommand(_ arguments: [String], in directory: String? = nil) throws -> CommandOutput {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("roster-cmd-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let outPath = scratch.appendingPathComponent("stdout").path
    let errPath = scratch.appendingPathComponent("stderr").path
    FileManager.default.createFile(atPath: outPath, contents: nil)
    FileManager.default.createFile(atPath: errPath, contents: nil)
    let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
    let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
    defer {
        try? out.close()
        try? err.close()
    }

    // Git is run with no user or system configuration and none of the caller's GIT_*
    // variables, so a developer's settings (signing, hooks, default branch) cannot leak in.
    var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GIT_") }
    environment["GIT_CONFIG_NOSYSTEM"] = "1"
    environment["GIT_CONFIG_GLOBAL"] = "/dev/null"
    environment["GIT_TERMINAL_PROMPT"] = "0"

    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    process.environment = environment
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = out
    process.standardError = err
    try process.run()
    process.waitUntilExit()
    let status = process.terminationReason == .exit ? process.terminationStatus : -process.terminationStatus
    return CommandOutput(
        status: status,
        stdout: String(decoding: FileManager.default.contents(atPath: outPath) ?? Data(), as: UTF8.self),
        stderr: String(decoding: FileManager.default.contents(atPath: errPath) ?? Data(), as: UTF8.self))
}

/// A failed fixture step, with what the command said.
struct FixtureError: Error, CustomStringConvertible {
    var description: String
}

/// Runs `body` with a new empty folder that is removed afterwards, whatever happens.
func withScratchFolder<T>(_ body: (String) async throws -> T) async throws -> T {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("roster-git-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    // Resolve links (macOS's /var is /private/var) so paths compare equal to what git prints.
    return try await body(url.resolvingSymlinksInPath().path)
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

/// `withScratchFolder` for synchronous bodies.
func withScratchFolderSync<T>(_ body: (String) throws -> T) throws -> T {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("roster-git-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(url.resolvingSymlinksInPath().path)
}

extension Collection {
    /// The single element, or nil when there are none or several.
    var only: Element? { count == 1 ? first : nil }
}
