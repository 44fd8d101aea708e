import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import Logging
import RosterCore
import RosterGit
import RosterReconcile
import RosterSQLite
import RosterStore
import RosterTestSupport
import Testing

@testable import RosterServer

/// The server over a real socket on 127.0.0.1, with the reconcile service running against
/// a real `file://` repository.
@Suite("Live server")
struct LiveServerTests {
    /// A bare `origin.git` and a clone `work/` holding ServerFixture's manifests, pushed.
    struct Repository {
        let folder: String
        var origin: String { folder + "/origin.git" }
        var work: String { folder + "/work" }
        var url: String { "file://" + origin }

        init(folder: String) throws {
            self.folder = folder
            try git(["init", "-q", "--bare", "-b", "main", origin], in: folder)
            try git(["clone", "-q", origin, work], in: folder)
            for (path, text) in ServerFixture.manifests { try write(text, to: path) }
            try commitAndPush("initial manifests")
        }

        func write(_ text: String, to path: String) throws {
            let url = URL(fileURLWithPath: work + "/" + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }

        func commitAndPush(_ message: String) throws {
            try git(["add", "-A"], in: work)
            try git(["commit", "-q", "-m", message], in: work)
            try git(["push", "-q", "origin", "HEAD:main"], in: work)
        }

        func git(_ arguments: [String], in directory: String) throws {
            var environment = isolatedGitEnvironment()
            environment["GIT_AUTHOR_NAME"] = "Dana"
            environment["GIT_AUTHOR_EMAIL"] = "dana@example.com"
            environment["GIT_COMMITTER_NAME"] = "Dana"
            environment["GIT_COMMITTER_EMAIL"] = "dana@example.com"
            let result = try runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["git"] + arguments, in: directory, environment: environment)
            try #require(result.status == 0, "git \(arguments.joined(separator: " ")): \(result)")
        }
    }

    /// A server on an ephemeral port tracking `repository`'s main branch, with its reconciler.
    static func server(_ repository: Repository, store: SQLiteStore, configure: (inout ServerConfiguration) -> Void = { _ in })
        throws -> (some ApplicationProtocol, ServerEnvironment)
    {
        var configuration = ServerConfiguration(
            port: 0, baseURL: URL(string: "http://127.0.0.1")!, interval: .seconds(3600), leaseTTL: .seconds(2),
            trackedRef: "main", webhookSecret: ServerFixture.webhookSecret, bodyReadTimeout: .seconds(2))
        // The test client keeps one connection open while a test waits for a run (up to a
        // minute under the whole suite's load): the server must not close it as idle meanwhile.
        configuration.idleTimeout = .seconds(120)
        configure(&configuration)
        var logger = Logger(label: "roster-live-test")
        logger.logLevel = .warning
        let environment = ServerEnvironment(
            store: store, configuration: configuration, secretKey: try SecretKeyFile.load(path: store.path + ".key"),
            logger: logger)
        let url = repository.url
        let cache = repository.folder + "/cache"
        let service = ReconcileService(
            store: store, configuration: configuration,
            makeRequest: { trigger, skip in
                Reconciler.RunRequest(
                    trigger: trigger, openSource: { try GitSource(repository: url, ref: "main", cacheDirectory: cache) },
                    openCommit: { commit in try GitSource(repository: url, ref: commit, cacheDirectory: cache, fetch: false) },
                    skipIfUnchanged: skip)
            },
            trigger: environment.trigger, status: environment.status, metrics: environment.metrics, logger: logger)
        return (RosterServer.application(environment, services: [service]), environment)
    }

    /// Polls `condition` every 50 ms until it holds, failing after `timeout` (a minute: the
    /// whole suite runs beside these servers, on two cores).
    static func eventually(
        _ what: String, timeout: Duration = .seconds(60), sourceLocation: SourceLocation = #_sourceLocation,
        _ condition: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("timed out waiting for \(what)", sourceLocation: sourceLocation)
        throw CancellationError()
    }

    /// A live server on a new repository and store, once its startup run has applied the
    /// manifests; afterwards (a graceful stop) the lease must be free for another server.
    static func withLiveServer(
        configure: (inout ServerConfiguration) -> Void = { _ in },
        _ body: @Sendable (Repository, SQLiteStore, ServerEnvironment, any TestClientProtocol) async throws -> Void
    ) async throws {
        try await withScratchFolder(prefix: "roster-live") { folder in
            let repository = try Repository(folder: folder)
            let store = try SQLiteStore(path: folder + "/roster.db")
            let (app, environment) = try Self.server(repository, store: store, configure: configure)
            try await app.test(.live) { client in
                try await Self.eventually("the startup run") { try await store.runs(limit: 5).contains { $0.result == .applied } }
                try await body(repository, store, environment, client)
            }
            #expect(try await store.lease(ReconcileService.leaseName) == nil)
        }
    }

    @Test("Push a commit, send a signed webhook, see the change applied")
    func webhookApplies() async throws {
        try await Self.withLiveServer { repository, store, environment, client in
            #expect(try await store.teamSummaries().map(\.slug) == ["ml", "ops"])

            let ml = ServerFixture.manifests["teams/ml.yaml"]!
            try repository.write(ml + "\n    - {email: frank@example.com, role: dev}", to: "teams/ml.yaml")
            try repository.commitAndPush("invite frank")
            let body = WebhookRouteTests.push()
            let response = try await client.execute(
                uri: "/hooks/github", method: .post, headers: WebhookRouteTests.headers(.github, body: body),
                body: ByteBuffer(string: body))
            #expect(response.status == .accepted)
            try await Self.eventually("frank's invitation") {
                try await store.pendingInvitation(team: "ml", email: Email("frank@example.com")!) != nil
            }
            // The webhook's run, not just the newest: under load a lease renewal can miss its 2 s
            // TTL, and the server then runs once more on taking the lease again ("lease").
            let runs = try await store.runs(limit: 5)
            let run = try #require(runs.first { $0.trigger == "webhook:github" }, "\(runs.map { ($0.trigger, $0.result) })")
            #expect(run.result == .applied && run.changes == 1)
            #expect(run.author == "dana@example.com")
            let entry = try #require(try await store.auditEntries(matching: AuditQuery(resourceID: "ml/frank@example.com")).first)
            #expect(entry.onBehalfOf == "dana@example.com" && entry.commit == run.commit)

            let metrics = try await client.execute(uri: "/metrics", method: .get).text
            #expect(metrics.contains(#"roster_reconcile_runs_total{result="applied"} 2"#))
            #expect(metrics.contains(#"roster_changes_applied_total{action="invite.create"}"#))
            #expect(metrics.contains(#"roster_webhook_deliveries_total{provider="github",result="accepted"} 1"#))
            #expect(metrics.contains("roster_last_success_timestamp_seconds"))
            // dana is in neither team: both runs (creating the teams, inviting frank) were hers to ask for.
            #expect(metrics.contains(#"roster_reconcile_authority_total{result="unauthorized"} 2"#), "\(metrics)")
            #expect(metrics.contains("roster_reconcile_unauthorized_changes 1"), "\(metrics)")
            #expect(metrics.contains(#"roster_lease_held{instance="\#(environment.configuration.instance)"} 1"#))
            #expect(try await client.execute(uri: "/readyz", method: .get).status == .ok)
        }
    }

    @Test("Drift made outside git is counted and healed; a refused run is not retried until something changes")
    func driftAndRefusal() async throws {
        try await Self.withLiveServer { repository, store, environment, client in
            // Break-glass: bob's invitation revoked by hand, outside git and outside Roster.
            let sqlite = try runProcess(
                URL(fileURLWithPath: "/usr/bin/env"),
                ["sqlite3", store.path, "UPDATE invitations SET status = 'revoked' WHERE email = 'bob@example.com'; UPDATE meta SET value = value + 1 WHERE key = 'state_version';"])
            try #require(sqlite.status == 0, "\(sqlite)")
            await environment.trigger.fire("test")
            try await Self.eventually("healing") {
                try await store.pendingInvitation(team: "ml", email: Email("bob@example.com")!) != nil
            }
            try await Self.eventually("the drift count") { await environment.status.drift == 1 }
            let metrics = try await client.execute(uri: "/metrics", method: .get).text
            #expect(metrics.contains("roster_drift_changes 1"))

            // A commit that removes too many (over maxRemovals 0) is refused once, recorded, and not retried.
            try repository.write("apiVersion: roster/v1\nkind: Config\nspec:\n  safety: {maxRemovals: 0}\n", to: "roster.yaml")
            try repository.write(
                ServerFixture.manifests["teams/ml.yaml"]!.replacingOccurrences(of: "\n    - {email: dan@example.com, role: basic}", with: ""),
                to: "teams/ml.yaml")
            try repository.commitAndPush("remove dan")
            await environment.trigger.fire("test")
            try await Self.eventually("the refusal") { try await store.runs(limit: 1).first?.result == .refused }

            let refusals = try await store.runs(limit: 50).filter { $0.result == .refused }.count
            for _ in 0..<3 {
                await environment.trigger.fire("test")
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(try await store.runs(limit: 50).filter { $0.result == .refused }.count == refusals)
            #expect(try await store.runs(limit: 1).first?.message?.contains("maxRemovals") == true)
        }
    }

    @Test("Hostile requests (huge body, slow client, bad JSON, replayed delivery) leave the server healthy")
    func hostile() async throws {
        // Short timeouts, so stalled clients are cut off quickly. Every request here goes over
        // its own raw connection (`Connection: close`): a keep-alive client would be cut off
        // too while the test waits.
        try await Self.withLiveServer(configure: { $0.idleTimeout = .seconds(2) }) { _, _, _, client in
            let port = try #require(client.port)
            // A client that sends half a request and stalls, one that stalls in its
            // headers: both are cut off by the idle or body timeout while others are served.
            let stalledBody = try RawConnection(port: port)
            try stalledBody.send("POST /hooks/github HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"ref\":")
            let stalledHead = try RawConnection(port: port)
            try stalledHead.send("GET /healthz HTTP/1.1\r\nHost:")

            // A 2 MiB body is refused from its Content-Length, before it is read. (No body
            // bytes are sent: unread bytes at close would make the kernel reset the
            // connection, and the 413 could be lost on the way.)
            let tooLarge = try await RawConnection.exchange(port: port, "POST /hooks/github", headers: [.contentLength: "\(2 << 20)"])
            #expect(tooLarge.hasPrefix("HTTP/1.1 413"), "\(tooLarge)")

            let junk = "{\"ref\": [1, 2"
            let badJSON = try await RawConnection.exchange(
                port: port, "POST /hooks/gitea", headers: WebhookRouteTests.headers(.gitea, body: junk), body: junk)
            #expect(badJSON.hasPrefix("HTTP/1.1 400"), "\(badJSON)")

            let body = WebhookRouteTests.push()
            let headers = WebhookRouteTests.headers(.github, body: body, delivery: "once")
            let first = try await RawConnection.exchange(port: port, "POST /hooks/github", headers: headers, body: body)
            let replay = try await RawConnection.exchange(port: port, "POST /hooks/github", headers: headers, body: body)
            #expect(first.hasPrefix("HTTP/1.1 202"), "\(first)")
            #expect(replay.hasPrefix("HTTP/1.1 200") && replay.contains("duplicate"), "\(replay)")

            let health = try await RawConnection.exchange(port: port, "GET /healthz")
            #expect(health.hasPrefix("HTTP/1.1 200"), "\(health)")
            // Each stalled connection ends (closed, or answered 408) rather than hanging on.
            for connection in [stalledBody, stalledHead] {
                let ending = try await connection.readUntilClosed(timeoutSeconds: 60)
                #expect(ending.closed, "still open after 60 s")
                #expect(ending.text.isEmpty || ending.text.hasPrefix("HTTP/1.1 408"), "\(ending.text)")
            }
            let after = try await RawConnection.exchange(port: port, "GET /healthz")
            #expect(after.hasPrefix("HTTP/1.1 200"), "\(after)")
        }
    }
}

extension LiveServerTests {
    @Test("A form trickled a byte at a time gets 408, a chunked webhook body over 1 MiB gets 413 before it ends")
    func slowAndChunkedBodies() async throws {
        // A long idle timeout: only the body deadline can end the trickling client's request.
        try await Self.withLiveServer(configure: { $0.idleTimeout = .seconds(120) }) { _, _, environment, client in
            let port = try #require(client.port)
            #expect(environment.configuration.bodyReadTimeout == .seconds(2))
            // A sign-in form of 40 bytes, one byte every 250 ms: 10 s in all, past the 2 s deadline.
            let slow = try RawConnection(port: port)
            try slow.send(
                "POST /signin HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 40\r\n\r\n")
            let trickle = Task {
                for byte in String(repeating: "a", count: 40) {
                    try await Task.sleep(for: .milliseconds(250))
                    guard slow.trySend(String(byte)) else { return }
                }
            }
            let answer = try await slow.readResponseHead(timeoutSeconds: 60)
            trickle.cancel()
            #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer)")
            #expect(answer.lowercased().contains("x-frame-options: deny"), "\(answer)")

            // 17 chunks of 64 KiB and no last chunk: the body never ends, so only counting
            // it against the limit can answer.
            let chunked = try RawConnection(port: port)
            try chunked.send("POST /hooks/github HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
            let chunk = String(repeating: "x", count: 64 * 1024)
            let feeder = Task {
                try await offloaded {
                    for _ in 0..<17 {
                        guard chunked.trySend(String(chunk.utf8.count, radix: 16) + "\r\n" + chunk + "\r\n") else { return }
                    }
                }
            }
            let large = try await chunked.readResponseHead(timeoutSeconds: 60)
            feeder.cancel()
            #expect(large.hasPrefix("HTTP/1.1 413"), "\(large)")
            let health = try await RawConnection.exchange(port: port, "GET /healthz")
            #expect(health.hasPrefix("HTTP/1.1 200"), "\(health)")
        }
    }
}

/// A plain TCP connection to 127.0.0.1, for requests no well-behaved client would send.
final class RawConnection: Sendable {
    let descriptor: Int32

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard descriptor >= 0, connected == 0 else { throw POSIXError(.ECONNREFUSED) }
    }

    deinit { close(descriptor) }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBufferPointer { write(descriptor, $0.baseAddress, $0.count) }
            if sent < 0 && errno == EINTR { continue }
            guard sent > 0 else { throw POSIXError(.EIO) }
            offset += sent
        }
    }

    /// Sends `text` if the connection takes it within 10 s (no SIGPIPE once the server has
    /// closed it); false when it does not.
    func trySend(_ text: String) -> Bool {
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBufferPointer { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0 && errno == EINTR { continue }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }

    /// Reads until a response's head has arrived (or the connection closes, or
    /// `timeoutSeconds` pass); what arrived.
    func readResponseHead(timeoutSeconds: Int) async throws -> String {
        let descriptor = descriptor
        return try await offloaded {
            var received: [UInt8] = []
            let deadline = Date().addingTimeInterval(Double(timeoutSeconds))
            var buffer = [UInt8](repeating: 0, count: 4096)
            while Date() < deadline, !String(decoding: received, as: UTF8.self).contains("\r\n\r\n") {
                var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                guard poll(&poller, 1, 100) > 0 else { continue }
                let count = read(descriptor, &buffer, buffer.count)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                received += buffer[0..<count]
            }
            return String(decoding: received, as: UTF8.self)
        }
    }

    /// One request on a new connection (`Connection: close`); everything the server answered.
    static func exchange(port: Int, _ requestLine: String, headers: HTTPFields = [:], body: String = "") async throws -> String {
        var fields = headers
        fields[.connection] = "close"
        if fields[.contentLength] == nil { fields[.contentLength] = String(body.utf8.count) }
        let head = "Host: 127.0.0.1\r\n" + fields.map { "\($0.name.rawName): \($0.value)\r\n" }.joined()
        let connection = try RawConnection(port: port)
        try connection.send("\(requestLine) HTTP/1.1\r\n\(head)\r\n\(body)")
        return try await connection.readUntilClosed(timeoutSeconds: 60).text
    }

    /// Reads until the server closes the connection or `timeoutSeconds` pass, on a Dispatch
    /// thread (see `offloaded`).
    func readUntilClosed(timeoutSeconds: Int) async throws -> (closed: Bool, text: String) {
        let descriptor = descriptor
        return try await offloaded { Self.drain(descriptor, timeoutSeconds: timeoutSeconds) }
    }

    private static func drain(_ descriptor: Int32, timeoutSeconds: Int) -> (closed: Bool, text: String) {
        var received: [UInt8] = []
        let deadline = Date().addingTimeInterval(Double(timeoutSeconds))
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) > 0 else { continue }
            let count = read(descriptor, &buffer, buffer.count)
            // Other tests' child processes send this process SIGCHLD: an interrupted read is retried.
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return (true, String(decoding: received, as: UTF8.self)) }
            received += buffer[0..<count]
        }
        return (false, String(decoding: received, as: UTF8.self))
    }
}
