// Internal: the public API below speaks only String and Bool, and a public import it does
// not use is a warning.
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A PostgreSQL server for tests: the one `ROSTER_TEST_POSTGRES_URL` names, or else a
/// throwaway cluster on 127.0.0.1 that this test process starts the first time it is asked
/// for, shares between all its tests, and that goes away when the process does, however it
/// ends. Each test takes a database of its own with `freshDatabaseURL()`.
public enum TestPostgres {
    /// The URL (postgres://USER:PASSWORD@127.0.0.1:PORT/DB) of a new, empty database on the test server, created for the caller.
    public static func freshDatabaseURL() async throws -> String {
        try await offloaded { try freshDatabaseURLBlocking() }
    }

    /// `freshDatabaseURL()` for synchronous callers: it waits for processes (initdb and
    /// postgres the first time, createdb each time) on the calling thread, never for async
    /// work, so it cannot deadlock a cooperative thread pool that every caller has filled.
    public static func freshDatabaseURLBlocking() throws -> String {
        let server = try server()
        let name = "roster_test_" + randomHex(bytes: 8)
        try server.createDatabase(name)
        return server.url(database: name)
    }

    /// The server's base URL without a database path component, e.g. for tests that need the admin database "postgres".
    public static func serverURL() async throws -> String {
        try await offloaded { try server().url(database: nil) }
    }

    /// Whether the server offers TLS (with a self-signed certificate): the local cluster does;
    /// a server `ROSTER_TEST_POSTGRES_URL` names is not assumed to.
    public static var offersTLS: Bool {
        ProcessInfo.processInfo.environment[urlVariable]?.isEmpty != false
    }

    /// Whether a server is available: true in CI (CI=true) always; locally true when postgres binaries exist or ROSTER_TEST_POSTGRES_URL is set.
    public static var isAvailable: Bool { availability }

    private static let availability: Bool = {
        let environment = ProcessInfo.processInfo.environment
        // In CI a missing server is a failure to report, never a reason to skip.
        if environment["CI"] == "true" || environment[urlVariable]?.isEmpty == false { return true }
        return PostgresPrograms.serverFolder != nil
    }()

    static let urlVariable = "ROSTER_TEST_POSTGRES_URL"

    /// Blocks while the local cluster starts (the first caller only); call it off Swift
    /// concurrency's threads or from synchronous code.
    private static func server() throws -> PostgresServer {
        if let url = ProcessInfo.processInfo.environment[urlVariable], !url.isEmpty {
            return try PostgresServer(url: url)
        }
        return try localCluster.get()
    }

    /// A `static let` is initialised exactly once however many tests race for it (the others
    /// wait on the same start, synchronously, with no task to schedule), so one cluster
    /// starts, and a failed start fails every caller with the same error rather than running
    /// initdb again for each test.
    private static let localCluster = Result<PostgresServer, any Error> { try LocalCluster.start() }
}

/// Where to reach a server and how to make databases on it; also how tests take a
/// PostgreSQL URL apart and put it back together.
public struct PostgresServer: Sendable {
    public var user: String
    public var password: String
    public var host: String
    public var port: Int
    /// The database `createdb` connects to while it creates another: a URL's path.
    public var maintenanceDatabase: String
    /// Query items of the caller's URL (sslmode and the like), kept on every URL handed out.
    public var query: String?

    init(user: String, password: String, host: String, port: Int, maintenanceDatabase: String, query: String? = nil) {
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.maintenanceDatabase = maintenanceDatabase
        self.query = query
    }

    /// A server named by a postgres://user:password@host:port/db URL.
    public init(url: String) throws {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme),
            let host = components.host, !host.isEmpty, let user = components.user, !user.isEmpty
        else {
            throw TestPostgresError.badURL(url)
        }
        let database = String(components.path.drop { $0 == "/" })
        self.init(
            user: user, password: components.password ?? "", host: host, port: components.port ?? 5432,
            maintenanceDatabase: database.isEmpty ? "postgres" : database, query: components.percentEncodedQuery)
    }

    /// The server's URL, with `database` as its path when there is one.
    public func url(database: String?) -> String { url(database: database, password: password) }

    /// The URL with `password` in it, or none when nil.
    public func url(database: String?, password: String?) -> String {
        var components = URLComponents()
        components.scheme = "postgres"
        components.user = user
        components.password = password
        components.host = host
        components.port = port
        if let database { components.path = "/" + database }
        components.percentEncodedQuery = query
        return components.string ?? ""
    }

    /// Creates the empty database `name`; the password reaches `createdb` through its
    /// environment, never its command line, where `ps` would show it.
    func createDatabase(_ name: String) throws {
        let createdb = try PostgresPrograms.find("createdb")
        var environment = ProcessInfo.processInfo.environment
        environment["PGPASSWORD"] = password
        let arguments = ["-h", host, "-p", String(port), "-U", user, "--maintenance-db=" + maintenanceDatabase, name]
        let result = try runProcess(createdb, arguments, environment: environment)
        guard result.status == 0 else {
            throw TestPostgresError.commandFailed(([createdb.path] + arguments).joined(separator: " "), result)
        }
    }
}

/// The cluster this process starts when no server is named: initdb into a folder under
/// /tmp, postgres on a free port of 127.0.0.1, and a watchdog that stops it with pg_ctl and
/// removes the folder once this process is gone.
enum LocalCluster {
    static let user = "roster"

    static func start() throws -> PostgresServer {
        guard let programs = PostgresPrograms.serverFolder else {
            throw TestPostgresError.programsMissing(searched: PostgresPrograms.folders)
        }
        let owner = try ClusterOwner.current()
        let folder = try makeFolder(owner: owner)
        let data = folder + "/data"
        let socket = folder + "/socket"
        let log = folder + "/server.log"
        let pgCtl = programs + "/pg_ctl"
        // Started before anything else, so even a crash half way through initdb leaves nothing behind.
        try startWatchdog(stop: owner.command(pgCtl, ["-D", data, "-s", "stop", "-m", "immediate"]), folder: folder)

        let password = randomHex(bytes: 16)
        let passwordFile = folder + "/password"
        guard FileManager.default.createFile(
            atPath: passwordFile, contents: Data(password.utf8), attributes: [.posixPermissions: 0o600])
        else {
            throw TestPostgresError.setupFailed("could not write \(passwordFile)")
        }
        try FileManager.default.createDirectory(
            atPath: socket, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        try owner.take(passwordFile)
        try owner.take(socket)

        try run(owner, programs + "/initdb", [
            "-D", data, "--auth=scram-sha-256", "-U", user, "--pwfile=" + passwordFile, "-E", "UTF8", "--locale=C",
            "--no-sync",
        ], in: folder)
        guard FileManager.default.createFile(atPath: log, contents: nil) else {
            throw TestPostgresError.setupFailed("could not create \(log)")
        }
        try owner.take(log)
        // A self-signed certificate, so that the server offers TLS and sslmode can be tested
        // (made by its owner: postgres wants its key file private to it).
        try run(owner, "/usr/bin/openssl", [
            "req", "-new", "-x509", "-days", "2", "-nodes", "-subj", "/CN=127.0.0.1", "-newkey", "rsa:2048",
            "-keyout", data + "/server.key", "-out", data + "/server.crt",
        ], in: folder)

        // The free port can be taken between our probe and the server's bind: try a few.
        for attempt in 1...3 {
            let port = try freeLoopbackPort()
            do {
                try startServer(
                    owner, programs + "/postgres", data: data, socket: socket, port: port, log: log, in: folder)
                PostmasterAtExit.shared.watch(dataFolder: data)
                return PostgresServer(
                    user: user, password: password, host: "127.0.0.1", port: port, maintenanceDatabase: "postgres")
            } catch where attempt < 3 {
                continue
            }
        }
        throw TestPostgresError.setupFailed("unreachable")
    }

    /// Runs a cluster program as the cluster's owner and throws with its output if it fails.
    private static func run(_ owner: ClusterOwner, _ program: String, _ arguments: [String], in folder: String) throws {
        let (executable, fullArguments) = owner.command(program, arguments)
        let result = try runProcess(URL(fileURLWithPath: executable), fullArguments, in: folder)
        guard result.status == 0 else {
            throw TestPostgresError.commandFailed(([executable] + fullArguments).joined(separator: " "), result)
        }
    }

    /// Starts postgres itself and waits until it accepts connections. Not `pg_ctl -w start`:
    /// on Linux, Foundation learns that a child has exited when a socket the child inherited
    /// closes, and the server pg_ctl leaves behind holds that socket, so waiting for pg_ctl
    /// never ends. "Ready" is what pg_ctl -w waits for too: line 8 of postmaster.pid.
    private static func startServer(
        _ owner: ClusterOwner, _ postgres: String, data: String, socket: String, port: Int, log: String, in folder: String
    ) throws {
        // A throwaway cluster needs no durability; fsync=off is most of its speed.
        let settings = [
            "listen_addresses=127.0.0.1", "unix_socket_directories=" + socket, "fsync=off", "max_connections=300",
            "shared_buffers=128MB", "ssl=on",
        ]
        let (executable, arguments) = owner.command(
            postgres, ["-D", data, "-p", String(port)] + settings.flatMap { ["-c", $0] })
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        defer { try? output.close() }
        try output.seekToEnd()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: executable)
        server.arguments = arguments
        server.currentDirectoryURL = URL(fileURLWithPath: folder)
        server.standardInput = FileHandle.nullDevice
        server.standardOutput = output
        server.standardError = output
        try server.run()

        let command = ([executable] + arguments).joined(separator: " ")
        let deadline = Date().addingTimeInterval(60)
        while !isReady(data: data) {
            guard server.isRunning else {
                throw TestPostgresError.commandFailed(command, serverResult(status: server.terminationStatus, log: log))
            }
            guard Date() < deadline else {
                server.terminate()
                throw TestPostgresError.commandFailed(command + " (not ready after 60 s)", serverResult(status: -1, log: log))
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    private static func isReady(data: String) -> Bool {
        guard let text = try? String(contentsOfFile: data + "/postmaster.pid", encoding: .utf8) else { return false }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return lines.count >= 8 && lines[7].trimmingCharacters(in: .whitespaces) == "ready"
    }

    /// The server's exit and the end of its log, which says why it stopped.
    private static func serverResult(status: Int32, log: String) -> ProcessResult {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return ProcessResult(status: status, stdout: "", stderr: "--- \(log)\n" + String(text.suffix(4000)))
    }

    /// A new folder /tmp/roster-pg-XXXXXX, mode 0700 and owned by the cluster's owner. Always
    /// under /tmp: its parent must be traversable by the postgres user, and the unix socket
    /// path inside it must stay under the 104 bytes sockets allow (macOS's TMPDIR is long).
    private static func makeFolder(owner: ClusterOwner) throws -> String {
        var template = Array("/tmp/roster-pg-XXXXXX".utf8CString)
        let folder = template.withUnsafeMutableBufferPointer { buffer -> String? in
            guard let base = buffer.baseAddress, let made = mkdtemp(base) else { return nil }
            return String(cString: made)
        }
        guard let folder else { throw TestPostgresError.setupFailed("mkdtemp /tmp/roster-pg-XXXXXX: errno \(errno)") }
        try owner.take(folder)
        return folder
    }

    /// A detached shell that waits for this process to end, then stops the cluster and
    /// removes its folder. It ignores the terminal's signals, so Ctrl-C on a test run or a
    /// killed process group still leaves it to clean up.
    private static func startWatchdog(stop: (String, [String]), folder: String) throws {
        let pid = ProcessInfo.processInfo.processIdentifier
        let stopCommand = ([stop.0] + stop.1).map(shellQuoted).joined(separator: " ")
        let script = """
            trap '' INT TERM HUP
            while kill -0 \(pid) 2>/dev/null; do sleep 1; done
            \(stopCommand) >/dev/null 2>&1
            rm -rf \(shellQuoted(folder))
            """
        let watchdog = Process()
        watchdog.executableURL = URL(fileURLWithPath: "/bin/sh")
        watchdog.arguments = ["-c", script]
        watchdog.currentDirectoryURL = URL(fileURLWithPath: "/")
        // Nothing of the test run's output: a runner piping it must not wait for the watchdog.
        watchdog.standardInput = FileHandle.nullDevice
        watchdog.standardOutput = FileHandle.nullDevice
        watchdog.standardError = FileHandle.nullDevice
        try watchdog.run()
    }

    /// A TCP port of 127.0.0.1 that nothing listens on: bind to port 0, read back what the
    /// kernel chose, and close.
    private static func freeLoopbackPort() throws -> Int {
        #if canImport(Glibc)
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw TestPostgresError.setupFailed("socket: errno \(errno)") }
        defer { _ = close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0 else { throw TestPostgresError.setupFailed("bind 127.0.0.1:0: errno \(errno)") }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else { throw TestPostgresError.setupFailed("getsockname: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Who runs initdb, pg_ctl and postgres. Both refuse to run as root, so a root test process
/// (CI, containers) hands them to the `postgres` system user through util-linux's setpriv,
/// which changes user and execs the program in the same process. (runuser forks and waits
/// instead, and Foundation's `Process` on Linux was seen never to notice such a runuser
/// exit inside the test process: the first test to start the cluster hung.)
enum ClusterOwner {
    case currentUser
    case postgres(uid: uid_t, gid: gid_t, setpriv: String)

    static func current() throws -> ClusterOwner {
        guard getuid() == 0 else { return .currentUser }
        guard let entry = getpwnam("postgres") else {
            throw TestPostgresError.setupFailed(
                "running as root, and initdb refuses root; the postgres system user it would run as does not exist (install Debian's postgresql package: scripts/install-deps.sh)")
        }
        let searched = PostgresPrograms.pathFolders + ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
        guard let setpriv = searched.map({ $0 + "/setpriv" }).first(where: FileManager.default.isExecutableFile(atPath:))
        else {
            throw TestPostgresError.setupFailed("running as root, and setpriv (util-linux) is not on PATH to run initdb as postgres")
        }
        return .postgres(uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid, setpriv: setpriv)
    }

    /// The executable and arguments that run `program` as this owner.
    func command(_ program: String, _ arguments: [String]) -> (String, [String]) {
        switch self {
        case .currentUser: (program, arguments)
        case .postgres(_, _, let setpriv):
            (setpriv, ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", program] + arguments)
        }
    }

    /// Makes `path` this owner's.
    func take(_ path: String) throws {
        guard case .postgres(let uid, let gid, _) = self else { return }
        guard chown(path, uid, gid) == 0 else { throw TestPostgresError.setupFailed("chown postgres \(path): errno \(errno)") }
    }
}

/// Finds PostgreSQL's programs, which Debian keeps off PATH in /usr/lib/postgresql/VERSION/bin.
enum PostgresPrograms {
    /// Folders that may hold them, best first: what pg_config reports, Debian's versioned
    /// folders newest first, then PATH (Homebrew and other installs that put them there).
    static let folders: [String] = {
        var folders: [String] = []
        if let pgConfig = pathFolders.map({ $0 + "/pg_config" }).first(where: FileManager.default.isExecutableFile(atPath:)),
            let result = try? runProcess(URL(fileURLWithPath: pgConfig), ["--bindir"]), result.status == 0
        {
            folders.append(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        folders += versions.sorted { (Int($0) ?? -1) > (Int($1) ?? -1) }.map { "/usr/lib/postgresql/\($0)/bin" }
        folders += pathFolders
        return folders.filter { !$0.isEmpty }
    }()

    /// The first folder with everything a cluster of our own needs, nil when there is none.
    static let serverFolder: String? = folders.first { folder in
        ["initdb", "pg_ctl", "postgres"].allSatisfy { FileManager.default.isExecutableFile(atPath: folder + "/" + $0) }
    }

    static var pathFolders: [String] {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
    }

    /// The program `name`, from the first folder that has it.
    static func find(_ name: String) throws -> URL {
        guard let path = folders.map({ $0 + "/" + name }).first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw TestPostgresError.programsMissing(searched: folders, name: name)
        }
        return URL(fileURLWithPath: path)
    }
}

/// Stops the cluster when the process exits normally, a second sooner than the watchdog
/// would. A C exit handler cannot capture anything, so it reads this one shared instance.
final class PostmasterAtExit: @unchecked Sendable {
    static let shared = PostmasterAtExit()
    private let lock = NSLock()
    private var postmaster: pid_t = 0

    func watch(dataFolder: String) {
        // postmaster.pid's first line is the server's process id.
        guard let text = try? String(contentsOfFile: dataFolder + "/postmaster.pid", encoding: .utf8),
            let pid = text.split(separator: "\n").first.flatMap({ pid_t($0.trimmingCharacters(in: .whitespaces)) })
        else { return }
        lock.withLock { postmaster = pid }
        atexit { PostmasterAtExit.shared.stop() }
    }

    private func stop() {
        // SIGQUIT is what `pg_ctl stop -m immediate` sends; the watchdog still removes the folder.
        let pid = lock.withLock { postmaster }
        if pid > 0 { _ = kill(pid, SIGQUIT) }
    }
}

/// Why the test server could not be had; each case carries what a failing CI log needs to say why.
enum TestPostgresError: Error, CustomStringConvertible, LocalizedError {
    case programsMissing(searched: [String], name: String = "initdb, pg_ctl and postgres")
    case commandFailed(String, ProcessResult)
    case badURL(String)
    case setupFailed(String)

    var description: String {
        switch self {
        case .programsMissing(let searched, let name):
            "TestPostgres: no \(name) found in \(searched.joined(separator: ", ")); install Debian's postgresql package (scripts/install-deps.sh) or set \(TestPostgres.urlVariable)"
        case .commandFailed(let command, let result):
            "TestPostgres: \(command) failed: \(result)"
        case .badURL:
            // The URL itself holds a password: leave it out.
            "TestPostgres: \(TestPostgres.urlVariable) is not a postgres://user:password@host:port/database URL"
        case .setupFailed(let message):
            "TestPostgres: \(message)"
        }
    }

    var errorDescription: String? { description }
}

private func randomHex(bytes: Int) -> String {
    (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max)) }.joined()
}

private func shellQuoted(_ word: String) -> String {
    "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
