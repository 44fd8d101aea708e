import Foundation
import RosterTestSupport
import Testing

extension PostgresServer {
    /// A workspace's store URL, taken apart.
    fileprivate init(_ url: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try self.init(url: url)
        try #require(!password.isEmpty, "no password in \(url)", sourceLocation: sourceLocation)
    }

    /// The URL of the same database with `password`, or with none when nil.
    fileprivate func string(password: String?) -> String { url(database: maintenanceDatabase, password: password) }
}

/// A password no server of these tests has, long and odd enough to be found in any output.
private let foreignPassword = "Wr0ng-" + UUID().uuidString

@Suite(
    "roster on a PostgreSQL store: key file, credentials, reachability",
    .enabled(if: StoreBackend.isPostgres, "about PostgreSQL stores alone (ROSTER_TEST_STORE=postgres)"))
struct PostgresCLITests {
    @Test("without a key file, the commands that need one fail naming --secret-key-file")
    func keyFileRequired() throws {
        let binary = try #require(rosterBinary)
        try withWorkspace { ws in
            try ws.appliedExamples()
            // The workspace names its key file for every run; these runs name none.
            let unset = ["ROSTER_SECRET_KEY_FILE": ""]
            let link = ["invite", "link", "--team", "ml-research", "--email", "bob@example.com"]
            for command in [link, ["invite", "accept", "1.AAAA", "--email", "bob@example.com"]] {
                let result = try ws.roster(command, environment: unset)
                #expect(result.status != 0, "\(command): \(result)")
                #expect(result.stderr.contains("--secret-key-file"), "\(command): \(result)")
                #expect(result.stdout.isEmpty, "\(command): \(result)")
            }
            // serve must refuse before it starts; were it to start, it is stopped, not waited for.
            let serve = try BackgroundProcess(
                binary,
                ["serve", "--dir", examples, "--listen", "127.0.0.1:\(try freePort())", "--interval", "1h", "--store", ws.storeURL],
                in: ws.folder)
            let ended = poll(upTo: .seconds(30)) { !serve.process.isRunning }
            if !ended { serve.stop(with: SIGKILL) }
            let served = serve.wait()
            #expect(ended && served.status != 0, "serve: \(served)")
            #expect(served.stderr.contains("--secret-key-file"), "serve: \(served)")
            #expect(!FileManager.default.fileExists(atPath: ws.keyFile), "no key file is made anywhere")

            // Named by the variable or the flag, the same key makes the same link.
            let variable = try ws.roster(link)
            #expect(variable.status == 0, "\(variable)")
            let flag = try ws.roster(link + ["--secret-key-file", ws.keyFile], environment: unset)
            #expect(flag.status == 0 && flag.stdout == variable.stdout, "\(flag)")
        }
    }

    enum PasswordSource: String, CaseIterable, Sendable {
        case url, file, environment
    }

    /// `roster audit head` on the workspace's database with `password` given by `source`.
    private static func auditHead(_ ws: Workspace, password: String, from source: PasswordSource) throws -> Run {
        let url = try PostgresServer(ws.storeURL)
        let passwordFile = ws.folder + "/password-\(UUID().uuidString)"
        try Data((password + "\n").utf8).write(to: URL(fileURLWithPath: passwordFile))
        let (store, extra, variable): (String, [String], String) =
            switch source {
            case .url: (url.string(password: password), [], "")
            case .file: (url.string(password: nil), ["--store-password-file", passwordFile], "")
            case .environment: (url.string(password: nil), [], password)
            }
        return try roster(["audit", "head", "--store", store] + extra, in: ws.folder, environment: ["PGPASSWORD": variable])
    }

    @Test("a wrong password exits 1 with a message that names the store and never the password", arguments: PasswordSource.allCases)
    func wrongPassword(_ source: PasswordSource) throws {
        try withWorkspace { ws in
            let result = try Self.auditHead(ws, password: foreignPassword, from: source)
            #expect(result.status == 1, "\(result)")
            #expect(!(result.stdout + result.stderr).contains(foreignPassword), "the password is shown: \(result)")
            #expect(!(result.stdout + result.stderr).contains(try PostgresServer(ws.storeURL).password), "\(result)")
            #expect(result.stderr.hasPrefix("error: ") && result.stderr.contains(ws.storeURL.split(separator: "@").last ?? "?"), "\(result)")
        }
    }

    @Test("a refused login or a missing database is reported as such, at once (not as an unreachable server after the connect timeout)")
    func loginRefusedAtOnce() throws {
        try withWorkspace { ws in
            let refused = try Self.auditHead(ws, password: foreignPassword, from: .url)
            #expect(refused.status == 1 && refused.stderr.contains("refused the login"), "\(refused)")
            let url = try PostgresServer(ws.storeURL)
            var missing = url
            missing.maintenanceDatabase += "_missing"
            let noDatabase = try roster(["audit", "head", "--store", missing.string(password: url.password)], in: ws.folder)
            #expect(noDatabase.status == 1 && noDatabase.stderr.contains("no such database"), "\(noDatabase)")
        }
    }

    @Test("an unreachable server exits 1 with a clear message")
    func unreachable() throws {
        try withScratchFolder { folder in
            let store = "postgres://roster:\(foreignPassword)@127.0.0.1:\(try freePort())/roster"
            let result = try roster(["audit", "head", "--store", store], in: folder, environment: ["PGPASSWORD": ""])
            #expect(result.status == 1, "\(result)")
            #expect(result.stderr.contains("cannot reach the PostgreSQL store"), "\(result)")
            #expect(result.stderr.contains("127.0.0.1"), "\(result)")
            #expect(!result.stderr.contains(foreignPassword), "\(result)")
        }
    }

    @Test("--store-password-file and PGPASSWORD stand in for the URL's password; with neither the login is refused")
    func passwordSources() throws {
        try withWorkspace { ws in
            let url = try PostgresServer(ws.storeURL)
            let store = url.string(password: nil)
            let passwordFile = ws.folder + "/password"
            // An editor's trailing newline is not part of the password.
            try Data((url.password + "\n").utf8).write(to: URL(fileURLWithPath: passwordFile))
            let noPassword = ws.environment + ["PGPASSWORD": ""]

            let file = try roster(
                ["team", "ceiling", "--team", "ml-research", "--per-hour", "120", "--store", store, "--store-password-file", passwordFile],
                in: ws.folder, environment: noPassword)
            #expect(file.status == 0, "\(file)")
            try ws.makeRepository()
            let variable = try roster(
                ["apply", "--repo", ws.repository, "--yes", "--store", store], in: ws.folder,
                environment: ws.environment + ["PGPASSWORD": url.password])
            #expect(variable.status == 0, "\(variable)")
            #expect(try ws.count("SELECT count(*) FROM teams") == 4, "both wrote to the workspace's database")
            #expect(try ws.auditEntries().count == 19, "1 ceiling, 18 changes")

            // The URL's password comes first: a wrong file does not override it.
            let badFile = ws.folder + "/bad-password"
            try Data(foreignPassword.utf8).write(to: URL(fileURLWithPath: badFile))
            let urlFirst = try ws.roster(["audit", "head", "--store-password-file", badFile])
            #expect(urlFirst.status == 0, "\(urlFirst)")

            let neither = try roster(["audit", "head", "--store", store], in: ws.folder, environment: noPassword)
            #expect(neither.status == 1, "\(neither)")
            #expect(!neither.stderr.contains(url.password), "\(neither)")
            let unreadable = try roster(
                ["audit", "head", "--store", store, "--store-password-file", ws.folder + "/missing"], in: ws.folder,
                environment: noPassword)
            #expect(unreadable.status == 64 && unreadable.stderr.contains("--store-password-file"), "\(unreadable)")
        }
    }

    @Test(
        "a second writer while another transaction holds the state version's row lock is refused (3)",
        arguments: [["apply", "--yes"], ["reconcile"]])
    func rowLockHeld(_ command: [String]) throws {
        try withWorkspace { ws in
            try ws.makeRepository()
            try ws.must(["team", "ceiling", "--team", "ml-research", "--per-hour", "120"])
            let head = try ws.auditHead()

            // psql takes the lock every Roster writer takes first, then sleeps holding it.
            let marker = "roster-lock-holder-\(UUID().uuidString)"
            let holder = try BackgroundProcess(
                URL(fileURLWithPath: "/usr/bin/env"),
                [
                    "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", ws.storeURL, "-c",
                    "BEGIN; SELECT value FROM meta WHERE key = 'state_version' FOR UPDATE; SELECT pg_sleep(30) /* \(marker) */; COMMIT;",
                ], in: ws.folder)
            defer { holder.stop(with: SIGKILL) }
            let holderSession = "FROM pg_stat_activity WHERE query LIKE '%\(marker) */%' AND pid <> pg_backend_pid()"
            try #require(
                poll { (try? ws.count("SELECT count(*) \(holderSession) AND wait_event = 'PgSleep'")) == 1 },
                "the holder never took the lock: \(holder.printedSoFar)")

            let refused = try ws.roster(command + ["--repo", ws.repository, "--lock-timeout", "0.3"])
            #expect(refused.status == 3, "\(refused)")
            #expect(refused.stderr.contains("lock"), "\(refused)")
            #expect(try ws.auditHead() == head, "nothing was applied")

            // The server would go on sleeping for the killed client: end its session too.
            holder.stop(with: SIGKILL)
            try ws.sql("SELECT pg_terminate_backend(pid) \(holderSession)")
            let after = try ws.roster(command + ["--repo", ws.repository, "--lock-timeout", "10"])
            #expect(after.status == 0, "the lock is free again: \(after)")
        }
    }
}

extension Dictionary where Key == String, Value == String {
    /// `left`'s variables with `right`'s added, `right` winning.
    fileprivate static func + (left: Self, right: Self) -> Self { left.merging(right) { $1 } }
}
