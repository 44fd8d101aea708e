import Foundation
import RosterTestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Several `roster serve` on one PostgreSQL database, as real processes: one leader applies,
/// the others take over when it dies or stalls, a stalled leader that comes back writes
/// nothing, pushes to any replica reach the leader, and the database going away and coming
/// back needs no restart of Roster. Every commit is applied exactly once.
@Suite("roster serve replicas on PostgreSQL", .enabled(if: StoreBackend.isPostgres, "runs in the PostgreSQL pass"))
struct ReplicaTests {
    @Test("three replicas survive the leader's SIGKILL, a SIGSTOP/SIGCONT of the leader and the database going away")
    func failover() async throws {
        try await withScratchFolder(prefix: "roster-replicas") { folder in
            let ws = try await Workspace.make(folder: folder, backend: .postgres)
            try ws.makeRepository()
            try ws.must(["team", "ceiling", "--team", "ml-research", "--per-hour", "120"])
            let secret = folder + "/webhook.secret"
            try Data("replica-secret\n".utf8).write(to: URL(fileURLWithPath: secret))
            let http = HTTPClient()
            let source = ["--repo", ws.repository, "--ref", "main"]
            let options = ["--interval", "1h", "--lease-ttl", "3s", "--webhook-secret-file", secret]
            var servers: [Listener] = []
            defer { for server in servers { _ = stop(server.process) } }
            for _ in 0..<3 { servers.append(try await startServer(ws, http: http, source: source, extra: options)) }

            func holder() -> String { (try? ws.sql("SELECT holder FROM leases")) ?? "" }
            func leader() -> Listener? { servers.first { holder().contains(":\($0.process.pid):") } }
            func appliedRuns(_ commit: String) -> Int {
                (try? ws.count("SELECT count(*) FROM runs WHERE result = 'applied' AND commit_id = '\(commit)'")) ?? -1
            }
            func invited(_ email: String) -> Int {
                (try? ws.count("SELECT count(*) FROM invitations WHERE email = '\(email)'")) ?? -1
            }
            /// Commits a new member of inference.
            func invite(_ email: String) throws -> String {
                let text = try ws.read("teams/inference.yaml")
                try ws.write(text + "    - email: \(email)\n      role: basic\n", to: "teams/inference.yaml")
                return try ws.commit("invite \(email)")
            }
            /// A GitLab push delivery to `server` (the token is the secret).
            func push(to server: Listener) async throws -> Int {
                var request = URLRequest(url: URL(string: server.baseURL + "/hooks/gitlab")!)
                request.httpMethod = "POST"
                request.setValue("replica-secret", forHTTPHeaderField: "X-Gitlab-Token")
                request.setValue("Push Hook", forHTTPHeaderField: "X-Gitlab-Event")
                request.setValue(UUID().uuidString, forHTTPHeaderField: "X-Gitlab-Event-UUID")
                request.httpBody = Data(#"{"ref": "refs/heads/main"}"#.utf8)
                let (_, response) = try await URLSession.shared.data(for: request)
                return (response as? HTTPURLResponse)?.statusCode ?? 0
            }

            let initial = try git("rev-parse", "HEAD", in: ws.repository).trimmingCharacters(in: .whitespacesAndNewlines)
            let started = await eventually(upTo: .seconds(60)) { leader() != nil && appliedRuns(initial) == 1 }
            try #require(started, "no replica applied the first commit:\n\(servers.map(\.process.printedSoFar).joined(separator: "\n---\n"))")
            let first = try #require(leader())
            let metrics = await http.text(first.baseURL + "/metrics") ?? ""
            #expect(metrics.contains("roster_lease_held{instance=") && metrics.contains(" 1.0"))

            // 1. The leader dies without a word; a push to a follower is applied once a replica takes over.
            kill(first.process.pid, SIGKILL)
            _ = first.process.wait()
            servers.removeAll { $0.process.pid == first.process.pid }
            let killedCommit = try invite("zoe@example.com")
            #expect(try await push(to: servers[0]) == 202)
            let tookOver = await eventually(upTo: .seconds(60)) { leader() != nil && appliedRuns(killedCommit) == 1 }
            try #require(tookOver, "no replica took over after the leader's SIGKILL")
            #expect(invited("zoe@example.com") == 1)

            // 2. The new leader stalls past its lease; the other takes over and applies; the
            // stalled one resumes as a follower and writes nothing.
            let stalled = try #require(leader())
            let standby = try #require(servers.first { $0.process.pid != stalled.process.pid })
            kill(stalled.process.pid, SIGSTOP)
            let stalledCommit = try invite("yan@example.com")
            let replaced = await eventually(upTo: .seconds(60)) {
                holder().contains(":\(standby.process.pid):") && appliedRuns(stalledCommit) == 1
            }
            kill(stalled.process.pid, SIGCONT)
            try #require(replaced, "the standby never took over from the stalled leader")
            // A push to the resumed replica is passed on to the leader.
            let relayedCommit = try invite("xia@example.com")
            try await Task.sleep(for: .seconds(1))
            #expect(try await push(to: stalled) == 202)
            let relayed = await eventually(upTo: .seconds(60)) { appliedRuns(relayedCommit) == 1 }
            #expect(relayed, "a push to a follower never reached the leader")
            #expect(holder().contains(":\(standby.process.pid):"))

            // 3. The database goes away for a while: not ready, still alive; back, it carries on.
            let server = try await TestPostgres.serverURL()
            let database = try #require(URL(string: ws.storeURL)?.path.dropFirst())
            func admin(_ sql: String) throws {
                let result = try run(URL(fileURLWithPath: "/usr/bin/env"), ["psql", "-X", "-q", server + "/postgres", "-c", sql], in: folder)
                try #require(result.status == 0, "\(result)")
            }
            try admin("ALTER DATABASE \(database) ALLOW_CONNECTIONS false")
            try admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(database)'")
            let unready = await eventually(upTo: .seconds(30)) {
                for replica in servers where await http.status(replica.baseURL + "/readyz") != 503 { return false }
                return true
            }
            #expect(unready, "/readyz stayed ready while the database was away")
            for replica in servers { #expect(await http.text(replica.baseURL + "/healthz") == "ok\n") }
            try admin("ALTER DATABASE \(database) ALLOW_CONNECTIONS true")
            let backCommit = try invite("wes@example.com")
            let back = await eventually(upTo: .seconds(60)) {
                if (try? await push(to: servers[0])) != 202 { return false }
                return appliedRuns(backCommit) == 1
            }
            #expect(back, "the replicas did not carry on after the database came back")
            let ready = await eventually(upTo: .seconds(30)) {
                for replica in servers where await http.text(replica.baseURL + "/readyz") != "ready\n" { return false }
                return true
            }
            #expect(ready)

            // Every commit exactly once, one unbroken chain.
            for (commit, email) in [(killedCommit, "zoe"), (stalledCommit, "yan"), (relayedCommit, "xia"), (backCommit, "wes")] {
                #expect(appliedRuns(commit) == 1, "commit of \(email)")
                #expect(invited("\(email)@example.com") == 1, "\(email)")
            }
            #expect(try ws.must(["audit", "verify"]).stdout.contains("intact"))
        }
    }

    @Test("signing out on one replica ends the session on the others")
    func signOutEverywhere() async throws {
        try await withScratchFolder(prefix: "roster-replicas") { folder in
            let ws = try await Workspace.make(folder: folder, backend: .postgres)
            let key = try ws.must(["apikey", "create", "--email", "alice@example.com"]).stdout
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let http = HTTPClient()
            let form = ["Content-Type": "application/x-www-form-urlencoded"]
            var servers: [Listener] = []
            defer { for server in servers { _ = stop(server.process) } }
            for _ in 0..<2 { servers.append(try await startServer(ws, http: http)) }
            let (first, second) = (servers[0], servers[1])

            /// The `name=value` of the answer's cookie.
            func cookie(_ response: HTTPClient.Response) throws -> String {
                try #require(response.fields["set-cookie"]?.split(separator: ";").first.map(String.init))
            }
            /// The hidden CSRF field of a page.
            func field(_ response: HTTPClient.Response) throws -> String {
                let text = String(decoding: response.body, as: UTF8.self)
                return try #require(text.components(separatedBy: #"name="csrf" value=""#).dropFirst().first.map { String($0.prefix { $0 != "\"" }) })
            }

            let page = try await http.request("GET", first.baseURL + "/signin", timeoutSeconds: 10)
            let csrf = try cookie(page)
            let signedIn = try await http.request(
                "POST", first.baseURL + "/signin", body: Data("csrf=\(try field(page))&key=\(key)".utf8),
                headers: form.merging(["Cookie": csrf]) { $1 }, timeoutSeconds: 10)
            try #require(signedIn.status == 303, "\(signedIn.status) \(String(decoding: signedIn.body, as: UTF8.self))")
            let session = try cookie(signedIn)
            #expect(try await http.request("GET", second.baseURL + "/", headers: ["Cookie": session], timeoutSeconds: 10).status == 200)

            let status = try await http.request("GET", first.baseURL + "/", headers: ["Cookie": session], timeoutSeconds: 10)
            let signedOut = try await http.request(
                "POST", first.baseURL + "/signout", body: Data("csrf=\(try field(status))".utf8),
                headers: form.merging(["Cookie": "\(session); \(try cookie(status))"]) { $1 }, timeoutSeconds: 10)
            #expect(signedOut.status == 303)
            for server in servers {
                let after = try await http.request("GET", server.baseURL + "/", headers: ["Cookie": session], timeoutSeconds: 10)
                #expect(after.status == 303 && after.fields["location"] == "/signin?next=/", "\(server.baseURL): \(after.status)")
            }
        }
    }
}

extension HTTPClient {
    /// The status of a GET, nil when nothing answers.
    func status(_ url: String) async -> Int? {
        (try? await request("GET", url, timeoutSeconds: 10))?.status
    }
}
