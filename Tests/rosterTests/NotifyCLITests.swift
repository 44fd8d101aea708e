import Crypto
import Foundation
import RosterTestSupport
import Testing

private let notifySecret = "relay-secret"

extension Workspace {
    /// The notification secret in a file only its owner reads.
    fileprivate func notifySecretFile(mode: mode_t = 0o600) throws -> String {
        let path = folder + "/notify-\(mode).secret"
        try Data((notifySecret + "\n").utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, mode)
        return path
    }

    /// `roster` off Swift concurrency's threads, so the receivers in this process keep answering.
    fileprivate func rosterOffloaded(_ arguments: [String], environment: [String: String] = [:]) async throws -> Run {
        let workspace = self
        return try await offloaded { try workspace.roster(arguments, environment: environment) }
    }
}

/// Whether `request` carries the HMAC-SHA256 of its body under the test secret.
private func isSigned(_ request: NotificationReceiver.Request) -> Bool {
    let mac = HMAC<SHA256>.authenticationCode(for: request.body, using: SymmetricKey(data: Data(notifySecret.utf8)))
    return request.headers["x-roster-signature-256"] == "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
}

/// A GitLab push of main to `server` (the token is the webhook secret); the answer's status.
private func push(_ http: HTTPClient, to server: Listener) async throws -> Int {
    try await http.request(
        "POST", server.baseURL + "/hooks/gitlab", body: Data(#"{"ref": "refs/heads/main"}"#.utf8),
        headers: ["X-Gitlab-Token": "hook-secret", "X-Gitlab-Event": "Push Hook", "X-Gitlab-Event-UUID": UUID().uuidString],
        timeoutSeconds: 10
    ).status
}

/// The kinds of the events `receiver` accepted, in order.
private func events(_ receiver: NotificationReceiver) async -> [String] {
    await receiver.delivered.compactMap { $0.json["event"] as? String }
}

/// Notifications from `roster reconcile` and `roster serve` to real receivers on 127.0.0.1.
@Suite("roster reconcile and serve --notify-url")
struct NotifyCLITests {
    @Test("reconcile: a chat receiver gets the run's summary and its refusal before exit; the trusted relay gets each invitation's link, signed")
    func reconcile() async throws {
        try await withScratchFolder(prefix: "roster-notify") { folder in
            let ws = try await Workspace.make(folder: folder)
            try ws.makeRepository(files: ["teams/web.yaml": webTeam])
            let secret = try ws.notifySecretFile()
            let chat = try await NotificationReceiver.start()
            let relay = try await NotificationReceiver.start()
            let base = "http://roster.example"
            // --notify-wait: the whole suite on two cores once took longer than the default 10 s
            // to deliver the four events to this process's receivers.
            let notify = [
                "--notify-url", await chat.url, "--notify-links", await relay.url, "--notify-secret-file", secret, "--base-url", base,
                "--notify-wait", "300",
            ]

            let applied = try await ws.rosterOffloaded(["reconcile", "--repo", ws.repository, "--ref", "main"] + notify)
            #expect(applied.status == 0, "\(applied)")
            // Delivered before the command returned: no waiting here.
            #expect(await events(chat) == ["run.applied"])
            let run = try ws.sql("SELECT id FROM runs WHERE result = 'applied'")
            let summary = try #require(await chat.delivered.first?.json)
            #expect(summary["text"] as? String == "Roster applied 4 changes from main@\(try ws.sql("SELECT commit_id FROM runs").prefix(12)) (3 invitations, 0 role changes, 0 removals, 0 revocations, 0 spend-limit changes, 1 new team). \(base)/runs/\(run)", "\(summary)")
            #expect(await chat.delivered.allSatisfy(isSigned), "one secret signs every body")

            let relayed = await relay.delivered
            #expect(await events(relay) == ["run.applied"] + Array(repeating: "invitation.created", count: 3))
            #expect(relayed.allSatisfy(isSigned))
            for email in ["bob@example.com", "carol@example.com", "dave@example.com"] {
                let link = try ws.must(["invite", "link", "--team", "web", "--email", email, "--base-url", base]).stdout
                    .trimmingCharacters(in: .newlines)
                let event = relayed.first { ($0.json["invitation"] as? [String: Any])?["email"] as? String == email }
                let invitation = try #require(event?.json["invitation"] as? [String: Any], "no invitation event for \(email)")
                #expect(invitation["link"] as? String == link && invitation["team"] as? String == "web")
                #expect((event?.json["text"] as? String)?.hasSuffix(link) == true)
            }
            #expect(!applied.stderr.contains("/invite/") && !applied.stdout.contains("/invite/"), "links are never printed")

            // Two removals over --max-removals 1: refused, exit 3, the chat receiver told why.
            try ws.edit("teams/web.yaml", replacing: "    - email: carol@example.com\n      role: basic\n", with: "")
            try ws.edit("teams/web.yaml", replacing: "    - email: dave@example.com\n      role: billing\n", with: "")
            _ = try ws.commit("carol and dave leave")
            let refused = try await ws.rosterOffloaded(["reconcile", "--repo", ws.repository, "--ref", "main", "--max-removals", "1"] + notify)
            #expect(refused.status == 3, "\(refused)")
            #expect(await events(chat) == ["run.applied", "run.refused"])
            let refusal = try #require(await chat.delivered.last?.json)
            let text = try #require(refusal["text"] as? String)
            #expect(text.hasPrefix("Roster refused to apply main@") && text.contains("over maxRemovals (1)"), "\(text)")
            let refusedRun = try ws.sql("SELECT id FROM runs WHERE result = 'refused'")
            #expect((refusal["run"] as? [String: Any])?["url"] as? String == "\(base)/runs/\(refusedRun)")
            #expect(await events(relay).last == "run.refused", "a refused run invites nobody")
            await chat.stop()
            await relay.stop()
        }
    }

    @Test("reconcile gives up on a receiver (from ROSTER_NOTIFY_URLS) that keeps failing and still exits with the run's status")
    func unreachable() async throws {
        try await withScratchFolder(prefix: "roster-notify") { folder in
            let ws = try await Workspace.make(folder: folder)
            try ws.makeRepository(files: ["teams/web.yaml": webTeam])
            let failing = try await NotificationReceiver.start(failures: 1000)
            let result = try await ws.rosterOffloaded(
                ["reconcile", "--repo", ws.repository], environment: ["ROSTER_NOTIFY_URLS": await failing.url])
            #expect(result.status == 0, "\(result)")
            #expect(result.stderr.contains("gave up on"), "\(result)")
            #expect(try ws.sql("SELECT result FROM runs") == "applied")
            #expect(await failing.requests.count >= 2, "retried after a 500")
            #expect(!result.stderr.contains(await failing.url), "a webhook URL is a secret: never logged whole")
            await failing.stop()
        }
    }

    @Test("bad notification options are usage errors (64)", arguments: [
        ["--notify-url", "ftp://example.com/hook"], ["--notify-url", "hooks.slack.com/services/x"],
        ["--notify-links", "https://relay.example.com/hook"],
        ["--notify-url", "https://chat.example.com/hook", "--notify-secret-file", "/nonexistent/secret"],
        ["--notify-url", "https://chat.example.com/hook", "--notify-wait", "nan"],
        ["--notify-url", "https://chat.example.com/hook", "--notify-wait", "100000"],
    ])
    func usage(_ arguments: [String]) throws {
        try withWorkspace { ws in
            let result = try ws.roster(["reconcile", "--dir", examples] + arguments)
            #expect(result.status == 64, "\(result)")
            #expect(!result.stderr.contains("/services/x"), "\(result)")
        }
    }

    @Test("a notification secret file others can read is refused")
    func secretPermissions() throws {
        try withWorkspace { ws in
            let secret = try ws.notifySecretFile(mode: 0o644)
            let result = try ws.roster([
                "reconcile", "--dir", examples, "--notify-links", "http://127.0.0.1:9/hook", "--notify-secret-file", secret,
            ])
            #expect(result.status == 64, "\(result)")
            #expect(result.stderr.contains("can be read by others; chmod 600 it"), "\(result)")
            #expect(try !ws.storeOpened(), "nothing ran")
        }
    }

    @Test("serve: a refused run reaches the chat receiver within seconds, after two 500s; /metrics counts the notifications")
    func serveRefused() async throws {
        try await withScratchFolder(prefix: "roster-notify-serve") { folder in
            let ws = try await Workspace.make(folder: folder)
            try ws.makeRepository()
            try ws.must(["team", "ceiling", "--team", "ml-research", "--per-hour", "120"])
            let webhookSecret = folder + "/webhook.secret"
            try Data("hook-secret\n".utf8).write(to: URL(fileURLWithPath: webhookSecret))
            let chat = try await NotificationReceiver.start(failures: 2)
            let http = HTTPClient()
            let server = try await startServer(
                ws, http: http, source: ["--repo", ws.repository, "--ref", "main"],
                extra: ["--interval", "1h", "--max-removals", "0", "--webhook-secret-file", webhookSecret, "--notify-url", await chat.url])
            defer { stop(server.process) }
            let applied = await eventually(upTo: .seconds(60)) { await events(chat) == ["run.applied"] }
            let statuses = await chat.requests.map(\.status)
            try #require(applied, "no run.applied event: \(statuses)\n\(server.process.printedSoFar)")
            #expect(await chat.requests.map(\.status) == [500, 500, 200])

            try ws.edit("teams/inference.yaml", replacing: "    - email: ivan@example.com\n      role: dev\n", with: "")
            let commit = try ws.commit("ivan leaves")
            #expect(try await push(http, to: server) == 202)
            let refused = await eventually(upTo: .seconds(60)) { await events(chat).last == "run.refused" }
            try #require(refused, "no run.refused event:\n\(server.process.printedSoFar)")
            let event = try #require(await chat.delivered.last?.json)
            let run = try ws.sql("SELECT id FROM runs WHERE result = 'refused'")
            #expect(try ws.sql("SELECT commit_id FROM runs WHERE result = 'refused'") == commit)
            #expect((event["text"] as? String)?.contains("over maxRemovals (0)") == true, "\(event)")
            #expect((event["run"] as? [String: Any])?["url"] as? String == server.baseURL + "/runs/" + run)
            #expect((event["run"] as? [String: Any])?["trigger"] as? String == "webhook:gitlab")

            // The receiver records a request before it answers, and the notifier counts it as
            // sent once the answer is in: the second may not be counted yet (seen in CI).
            var metrics = ""
            for _ in 0..<100 {
                metrics = await http.text(server.baseURL + "/metrics") ?? ""
                if metrics.contains(#"roster_notifications_total{result="sent"} 2"#) { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(metrics.contains(#"roster_notifications_total{result="sent"} 2"#), "\(metrics)")
            #expect(metrics.contains(#"roster_notifications_total{result="retried"} 2"#), "\(metrics)")
            let ended = stop(server.process)
            #expect(ended.status == 0, "\(ended)")
            #expect(!ended.stderr.contains(await chat.url), "a webhook URL is a secret: never logged whole")
            await chat.stop()
        }
    }

    @Test("serve with selfHeal off: drift made outside git is told once, not again on every run that still finds it")
    func serveDrift() async throws {
        try await withScratchFolder(prefix: "roster-notify-drift") { folder in
            let ws = try await Workspace.make(folder: folder)
            let config = "apiVersion: roster/v1\nkind: Config\nspec:\n  paths: [teams]\n  reconcile: {selfHeal: false}\n"
            try ws.makeRepository(files: ["roster.yaml": config, "teams/web.yaml": webTeam])
            let webhookSecret = folder + "/webhook.secret"
            try Data("hook-secret\n".utf8).write(to: URL(fileURLWithPath: webhookSecret))
            let chat = try await NotificationReceiver.start()
            let http = HTTPClient()
            let server = try await startServer(
                ws, http: http, source: ["--repo", ws.repository, "--ref", "main"],
                extra: ["--interval", "1h", "--webhook-secret-file", webhookSecret, "--notify-url", await chat.url])
            defer { stop(server.process) }
            let applied = await eventually(upTo: .seconds(60)) { await events(chat) == ["run.applied"] }
            try #require(applied, "no run.applied event:\n\(server.process.printedSoFar)")
            func runs() -> Int { (try? ws.count("SELECT sum(repeats) FROM runs")) ?? -1 }

            // Break-glass: bob's invitation deleted in the database.
            try ws.sql("DELETE FROM invitations WHERE team = 'web' AND email = 'bob@example.com'")
            for round in 1...2 {
                let before = runs()
                #expect(try await push(http, to: server) == 202)
                let ran = await eventually(upTo: .seconds(60)) { runs() > before }
                try #require(ran, "run \(round) never happened:\n\(server.process.printedSoFar)")
            }
            // A new commit's run.applied comes through the same queue after the second run's
            // events: once it is delivered, so is anything the second run made.
            try ws.edit("teams/web.yaml", replacing: "    - email: dave@example.com\n", with: "    - email: erin@example.com\n      role: dev\n    - email: dave@example.com\n")
            _ = try ws.commit("erin joins")
            #expect(try await push(http, to: server) == 202)
            let second = await eventually(upTo: .seconds(60)) { await events(chat).filter { $0 == "run.applied" }.count == 2 }
            let told = await events(chat)
            try #require(second, "\(told)\n\(server.process.printedSoFar)")
            #expect(told.filter { $0 == "drift.found" }.count == 1, "\(told)")
            let delivered = await chat.delivered
            let drift = try #require(delivered.first { $0.json["event"] as? String == "drift.found" }?.json)
            #expect((drift["text"] as? String)?.hasPrefix("Roster found 1 change made outside git (main@") == true, "\(drift)")
            await chat.stop()
        }
    }

    @Test("two replicas on PostgreSQL: each applied run is told once, by the lease holder, also after a takeover",
          .enabled(if: StoreBackend.isPostgres, "runs in the PostgreSQL pass"))
    func replicas() async throws {
        try await withScratchFolder(prefix: "roster-notify-replicas") { folder in
            let ws = try await Workspace.make(folder: folder, backend: .postgres)
            try ws.makeRepository()
            try ws.must(["team", "ceiling", "--team", "ml-research", "--per-hour", "120"])
            let webhookSecret = folder + "/webhook.secret"
            try Data("hook-secret\n".utf8).write(to: URL(fileURLWithPath: webhookSecret))
            let chat = try await NotificationReceiver.start()
            let http = HTTPClient()
            let options = ["--interval", "1h", "--lease-ttl", "3s", "--webhook-secret-file", webhookSecret, "--notify-url", await chat.url]
            let source = ["--repo", ws.repository, "--ref", "main"]
            var servers: [Listener] = []
            defer { for server in servers { stop(server.process) } }
            for _ in 0..<2 { servers.append(try await startServer(ws, http: http, source: source, extra: options)) }
            func holder() -> String { (try? ws.sql("SELECT holder FROM leases")) ?? "" }
            func leader() -> Listener? { servers.first { holder().contains(":\($0.process.pid):") } }
            func appliedRuns() -> Int { (try? ws.count("SELECT count(*) FROM runs WHERE result = 'applied'")) ?? -1 }
            func invite(_ email: String) throws {
                let text = try ws.read("teams/inference.yaml")
                try ws.write(text + "    - email: \(email)\n      role: basic\n", to: "teams/inference.yaml")
                _ = try ws.commit("invite \(email)")
            }

            let started = await eventually(upTo: .seconds(60)) { leader() != nil && appliedRuns() == 1 }
            try #require(started, "no replica applied the first commit")
            // A push to the follower is relayed to the leader, which applies and tells.
            let first = try #require(leader())
            let follower = try #require(servers.first { $0.process.pid != first.process.pid })
            try invite("zoe@example.com")
            #expect(try await push(http, to: follower) == 202)
            let second = await eventually(upTo: .seconds(60)) { appliedRuns() == 2 }
            try #require(second, "the pushed commit was never applied")

            // The leader stops; the follower takes over and applies the next commit.
            let ended = stop(first.process)
            #expect(ended.status == 0, "\(ended)")
            servers.removeAll { $0.process.pid == first.process.pid }
            try invite("yan@example.com")
            let tookOver = await eventually(upTo: .seconds(60)) {
                if leader() == nil { return false }
                _ = try? await push(http, to: follower)
                return appliedRuns() == 3
            }
            try #require(tookOver, "the follower never applied after the leader stopped")
            for server in servers { stop(server.process) }
            servers.removeAll()

            let applied = await chat.delivered.filter { $0.json["event"] as? String == "run.applied" }
            let told = applied.compactMap { ($0.json["run"] as? [String: Any])?["id"] as? String }
            let recorded = try ws.sql("SELECT id FROM runs WHERE result = 'applied' ORDER BY started_at").split(separator: "\n").map(String.init)
            #expect(told.sorted() == recorded.sorted(), "each applied run told exactly once")
            let deliveries = await chat.requests.compactMap { $0.headers["x-roster-delivery"] }
            #expect(Set(deliveries).count == deliveries.count, "no delivery twice")
            await chat.stop()
        }
    }
}
