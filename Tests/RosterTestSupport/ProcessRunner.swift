public import Foundation

/// What a finished process printed and how it ended.
public struct ProcessResult: Sendable, CustomStringConvertible {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    public init(status: Int32, stdout: String, stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }

    public var description: String { "exit \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
}

/// Runs `executable` with `arguments` in `directory`, standard input from /dev/null and
/// output captured through files (never a terminal, and a chatty process cannot block on a
/// full pipe). `environment` nil inherits the caller's. A process killed by a signal ends
/// with the negated signal number as its status.
public func runProcess(
    _ executable: URL, _ arguments: [String], in directory: String? = nil, environment: [String: String]? = nil
) throws -> ProcessResult {
    try withScratchFolderSync(prefix: "roster-run") { scratch in
        let outPath = scratch + "/stdout"
        let errPath = scratch + "/stderr"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        defer {
            try? out.close()
            try? err.close()
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        let status = process.terminationReason == .exit ? process.terminationStatus : -process.terminationStatus
        return ProcessResult(
            status: status,
            stdout: String(decoding: FileManager.default.contents(atPath: outPath) ?? Data(), as: UTF8.self),
            stderr: String(decoding: FileManager.default.contents(atPath: errPath) ?? Data(), as: UTF8.self))
    }
}

/// The caller's environment without any GIT_* variable and with no user or system git
/// configuration, so a developer's settings (signing, hooks, default branch) cannot leak
/// into a test's repositories.
public func isolatedGitEnvironment(removingPrefixes prefixes: [String] = []) -> [String: String] {
    var environment = ProcessInfo.processInfo.environment.filter { variable in
        !variable.key.hasPrefix("GIT_") && !prefixes.contains { variable.key.hasPrefix($0) }
    }
    environment["GIT_CONFIG_NOSYSTEM"] = "1"
    environment["GIT_CONFIG_GLOBAL"] = "/dev/null"
    environment["GIT_TERMINAL_PROMPT"] = "0"
    return environment
}

/// Runs `body` with a new empty folder that is removed afterwards, whatever happens. The
/// path has its links resolved (macOS's /var is /private/var) so it compares equal to what
/// git prints.
public func withScratchFolder<T>(prefix: String = "roster-tests", _ body: (String) async throws -> T) async throws -> T {
    let url = try makeScratchFolder(prefix)
    defer { try? FileManager.default.removeItem(at: url) }
    return try await body(url.path)
}

/// `withScratchFolder` for synchronous bodies.
public func withScratchFolderSync<T>(prefix: String = "roster-tests", _ body: (String) throws -> T) throws -> T {
    let url = try makeScratchFolder(prefix)
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(url.path)
}

private func makeScratchFolder(_ prefix: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url.resolvingSymlinksInPath()
}

/// Runs blocking work (socket reads, waiting for a process) on a Dispatch thread rather than
/// Swift concurrency's few cooperative threads: tests that block those can starve a server
/// running in the same process, which then never answers.
public func offloaded<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}
