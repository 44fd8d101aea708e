import Foundation
import RosterTestSupport
import Testing

// Shared set-up for the tests that run `roster` against a store and a git repository:
// a scratch folder per test holding, on SQLite, `roster.db` (with its `.key` and `.lock`),
// on PostgreSQL the key file alone beside a new database of the test server; and, when
// asked, a git repository made with the git CLI. The process helpers are CLITests.swift's.

/// The commit author the tests use, with capitals, so `--user` must match case-insensitively.
let authorEmail = "Dana.Owner@Example.com"

/// The examples' plan summary on an empty store.
let examplesSummaryLine =
    "Plan: 14 invitations, 0 role changes, 0 removals, 0 revocations, 0 spend-limit changes, 4 new teams."

/// Runs CLITests.swift's `roster(_:in:environment:)` (which a method of the same name hides).
private func runRoster(_ arguments: [String], in directory: String?, environment: [String: String]) throws -> Run {
    try roster(arguments, in: directory, environment: environment)
}

/// A scratch folder with a store and, optionally, a manifest repository in `repo/`.
struct Workspace {
    let folder: String
    let backend: StoreBackend
    /// What `--store` gets: `sqlite:<folder>/roster.db`, or the URL of this workspace's own
    /// PostgreSQL database (password included).
    let storeURL: String

    /// A workspace in `folder` on `backend`; for PostgreSQL it creates the database, waiting
    /// for createdb (and, the first time, the test server) on this thread.
    init(folder: String, backend: StoreBackend = .current) throws {
        let url = backend == .sqlite ? Self.sqliteURL(folder) : try TestPostgres.freshDatabaseURLBlocking()
        self.init(folder: folder, backend: backend, storeURL: url)
    }

    /// `init(folder:backend:)` for async tests, the waiting done off Swift concurrency's threads.
    static func make(folder: String, backend: StoreBackend = .current) async throws -> Workspace {
        let url = backend == .sqlite ? sqliteURL(folder) : try await TestPostgres.freshDatabaseURL()
        return Workspace(folder: folder, backend: backend, storeURL: url)
    }

    private static func sqliteURL(_ folder: String) -> String { "sqlite:" + folder + "/roster.db" }

    private init(folder: String, backend: StoreBackend, storeURL: String) {
        self.folder = folder
        self.backend = backend
        self.storeURL = storeURL
    }

    /// The SQLite file; on PostgreSQL, where it would be (the key file goes beside it).
    var database: String { folder + "/roster.db" }
    var keyFile: String { database + ".key" }
    var lockFile: String { database + ".lock" }
    var repository: String { folder + "/repo" }

    /// What every `roster` run of this workspace gets in its environment: a PostgreSQL store
    /// has no default key file, so it is named, where SQLite would have made it.
    var environment: [String: String] {
        backend == .postgres ? ["ROSTER_SECRET_KEY_FILE": keyFile] : [:]
    }

    /// Runs `roster arguments --store <storeURL>` in the scratch folder, with `environment`
    /// (a test's own variables win over the workspace's).
    func roster(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        try runRoster(
            arguments + ["--store", storeURL], in: folder, environment: self.environment.merging(environment) { $1 })
    }

    /// Runs roster and requires exit 0 (a step the rest of the test depends on).
    @discardableResult
    func must(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> Run {
        let result = try roster(arguments)
        try #require(result.status == 0, "roster \(arguments.joined(separator: " ")): \(result)", sourceLocation: sourceLocation)
        return result
    }

    // MARK: The repository

    /// Copies `source` (default: the examples) into `repo/`, makes it a git repository on
    /// `main` and commits it as `authorEmail`; returns the commit id.
    @discardableResult
    func makeRepository(from source: String = examples) throws -> String {
        try FileManager.default.copyItem(atPath: source, toPath: repository)
        try git("init", "-q", "-b", "main", in: repository)
        return try commit("initial manifests")
    }

    /// An empty git repository in `repo/` with `files` (path → text) committed.
    @discardableResult
    func makeRepository(files: [String: String]) throws -> String {
        try FileManager.default.createDirectory(atPath: repository, withIntermediateDirectories: true)
        try git("init", "-q", "-b", "main", in: repository)
        for (path, text) in files { try write(text, to: path) }
        return try commit("initial manifests")
    }

    /// Writes `text` to `path` inside the repository's work tree.
    func write(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: repository).appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    /// Reads `path` from the repository's work tree.
    func read(_ path: String) throws -> String {
        try String(contentsOfFile: repository + "/" + path, encoding: .utf8)
    }

    /// Replaces `old` (which must occur) with `new` in `path`.
    func edit(_ path: String, replacing old: String, with new: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let text = try read(path)
        try #require(text.contains(old), "\(path) has no \(old)", sourceLocation: sourceLocation)
        try write(text.replacingOccurrences(of: old, with: new), to: path)
    }

    /// Commits everything in the work tree as `author`; returns the new commit id.
    @discardableResult
    func commit(_ message: String, author: String = authorEmail) throws -> String {
        try git("add", "-A", in: repository)
        try git("-c", "user.name=Dana Owner", "-c", "user.email=\(author)", "commit", "-q", "-m", message, in: repository)
        return try git("rev-parse", "HEAD", in: repository)
    }

    // MARK: The store

    /// Runs `sql` on the store outside Roster, as someone with the file or the database's
    /// credentials would (sqlite3 or psql, each printing rows on lines and columns separated
    /// by `|`), and requires it to succeed; what it printed, trimmed.
    @discardableResult
    func sql(_ sql: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result = try runSQL(sql)
        try #require(result.status == 0, "\(backend) \(sql): \(result)", sourceLocation: sourceLocation)
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `sql(_:)` with the statement for each backend, where their dialects differ.
    @discardableResult
    func sql(sqlite: String, postgres: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try sql(backend == .sqlite ? sqlite : postgres, sourceLocation: sourceLocation)
    }

    /// Runs `sql` with sqlite3 or psql, however it ends (for statements that must fail).
    func runSQL(_ sql: String) throws -> Run {
        let command =
            switch backend {
            // A busy timeout: a server or watcher writing at the same moment makes the shell
            // wait, as Roster's own connections do, rather than fail with "database is locked".
            case .sqlite: ["sqlite3", "-bail", "-cmd", ".timeout 10000", database, sql]
            case .postgres: ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", storeURL, "-c", sql]
            }
        return try run(URL(fileURLWithPath: "/usr/bin/env"), command, in: folder)
    }

    /// A number `sql` prints.
    func count(_ sql: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Int {
        let text = try self.sql(sql, sourceLocation: sourceLocation)
        return try #require(Int(text), "\(backend) \(sql) printed \(text)", sourceLocation: sourceLocation)
    }

    /// Everything the store holds, to search for what must never be stored: each SQLite file
    /// (database, -wal, -shm, lock; not the key), or each PostgreSQL table as text.
    func storedData(sourceLocation: SourceLocation = #_sourceLocation) throws -> [(name: String, bytes: Data)] {
        switch backend {
        case .sqlite:
            let files = try FileManager.default.contentsOfDirectory(atPath: folder)
                .filter { $0.hasPrefix("roster.db") && !$0.hasSuffix(".key") }
            try #require(files.contains("roster.db"), "no database file in \(files)", sourceLocation: sourceLocation)
            return try files.map { ($0, try #require(FileManager.default.contents(atPath: folder + "/" + $0))) }
        case .postgres:
            let tables = try sql("SELECT tablename FROM pg_tables WHERE schemaname = 'public'", sourceLocation: sourceLocation)
                .split(separator: "\n").map(String.init)
            try #require(tables.contains("invitations"), "no invitations table in \(tables)", sourceLocation: sourceLocation)
            return try tables.map { ($0, Data(try sql("SELECT t::text FROM \($0) t", sourceLocation: sourceLocation).utf8)) }
        }
    }

    /// Whether Roster has opened the store: the SQLite lock file exists, or the PostgreSQL
    /// database has Roster's schema.
    func storeOpened(sourceLocation: SourceLocation = #_sourceLocation) throws -> Bool {
        switch backend {
        case .sqlite: FileManager.default.fileExists(atPath: lockFile)
        case .postgres:
            try sql("SELECT to_regclass('roster_migrations') IS NOT NULL", sourceLocation: sourceLocation) == "t"
        }
    }

    /// `roster audit --format json` with `filters`, parsed.
    func auditEntries(_ filters: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: Any]] {
        let result = try must(["audit", "--format", "json"] + filters, sourceLocation: sourceLocation)
        return try jsonArray(result, sourceLocation: sourceLocation)
    }

    /// `roster audit head`'s output, nil when it fails (an empty log).
    func auditHead() throws -> String? {
        let result = try roster(["audit", "head"])
        return result.status == 0 ? result.stdout.trimmingCharacters(in: .newlines) : nil
    }

    /// The examples in `repo/`, their ml-research ceiling approved and applied: the state a
    /// newcomer reaches. Returns the commit id.
    @discardableResult
    func appliedExamples() throws -> String {
        let commit = try makeRepository()
        try must(["team", "ceiling", "--team", "ml-research", "--per-hour", "120", "--actor", "ops@example.com"])
        try must(["apply", "--repo", repository, "--yes"])
        return commit
    }
}

/// Runs `body` with a fresh workspace on this run's backend, its folder removed afterwards.
func withWorkspace<T>(_ body: (Workspace) throws -> T) throws -> T {
    try withScratchFolder { folder in try body(try Workspace(folder: folder)) }
}

// MARK: JSON

func jsonObject(_ result: Run, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
    try #require(
        try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "not a JSON object: \(result)",
        sourceLocation: sourceLocation)
}

func jsonArray(_ result: Run, sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: Any]] {
    try #require(
        try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]], "not a JSON array: \(result)",
        sourceLocation: sourceLocation)
}

extension Dictionary where Key == String, Value == Any {
    /// A string field, nil when missing or JSON null.
    func string(_ key: String) -> String? { self[key] as? String }
    /// An integer field.
    func int(_ key: String) -> Int? { (self[key] as? NSNumber)?.intValue }
}

// MARK: Processes in the background

/// A process started without waiting for it: standard input from /dev/null, output to files.
final class BackgroundProcess {
    let process = Process()
    private let scratch: URL

    init(_ executable: URL, _ arguments: [String], in directory: String, environment: [String: String] = [:]) throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("roster-cli-bg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let out = scratch.appendingPathComponent("stdout")
        let err = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        var variables = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ROSTER_") && $0.key != "NO_COLOR" }
        variables.merge(environment) { $1 }
        process.executableURL = executable
        process.arguments = arguments
        process.environment = variables
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let outHandle = try FileHandle(forWritingTo: out)
        let errHandle = try FileHandle(forWritingTo: err)
        defer {
            // The child has its own copies once it runs.
            try? outHandle.close()
            try? errHandle.close()
        }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = outHandle
        process.standardError = errHandle
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: scratch)
    }

    var pid: pid_t { process.processIdentifier }

    /// Sends `signal` to the process and waits for it to end.
    func stop(with signal: Int32) {
        if process.isRunning { kill(process.processIdentifier, signal) }
        process.waitUntilExit()
    }

    /// Waits for the process; its result.
    func wait() -> Run {
        process.waitUntilExit()
        let status = process.terminationReason == .exit ? process.terminationStatus : -process.terminationStatus
        return Run(status: status, stdout: printed("stdout"), stderr: printed("stderr"))
    }

    /// What a process still running has printed so far, for a failure's message.
    var printedSoFar: String { "--- stdout\n\(printed("stdout"))--- stderr\n\(printed("stderr"))" }

    private func printed(_ name: String) -> String {
        String(decoding: FileManager.default.contents(atPath: scratch.appendingPathComponent(name).path) ?? Data(), as: UTF8.self)
    }
}

/// Polls `condition` every 5 ms until it holds or `limit` passes (a bound against hanging
/// forever, not a timing assertion); whether it held.
func poll(upTo limit: Duration = .seconds(60), _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + limit
    while !condition() {
        if ContinuousClock.now >= deadline { return false }
        usleep(5_000)
    }
    return true
}

/// A team manifest: `admins` admins (the first the owner), then `members` basic members.
func teamManifest(_ slug: String, admins: Int = 2, members: Int = 0) -> String {
    teamManifestText(
        slug, displayName: "Team \(slug)", owner: "admin0@\(slug).example.com",
        members: (0..<admins).map { (email: "admin\($0)@\(slug).example.com", role: "admin") }
            + (0..<members).map { (email: "member\($0)@\(slug).example.com", role: "basic") })
}
