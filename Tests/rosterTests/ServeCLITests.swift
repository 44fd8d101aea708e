import Foundation
import RosterTestSupport
import Testing

/// `roster serve` and `roster apikey` as people run them: the built binary, real processes.
@Suite("roster serve and roster apikey")
struct ServeCLITests {
    @Test("Two servers on one store: only the lease holder applies; kill it and the other takes over; SIGTERM exits 0")
    func takeover() async throws {
        try await withScratchFolder(prefix: "roster-serve") { folder in
            let workspace = try await Workspace.make(folder: folder)
            try workspace.makeRepository()
            try workspace.must(["team", "ceiling", "--team", "ml-research", "--per-hour", "120"])
            let http = HTTPClient()
            let source = ["--repo", workspace.repository, "--ref", "main"]
            let options = ["--interval", "1h", "--lease-ttl", "2s"]
            func holder() -> String { (try? workspace.sql("SELECT holder FROM leases")) ?? "" }
            func applied() -> String { (try? workspace.sql("SELECT count(*) FROM runs WHERE result = 'applied'")) ?? "" }

            let first = try await startServer(workspace, http: http, source: source, extra: options)
            defer { stop(first.process) }
            let firstLeads = await eventually { holder().contains(":\(first.process.pid):") && applied() == "1" }
            try #require(firstLeads, "the first server never applied:\n\(first.process.printedSoFar)")

            let second = try await startServer(workspace, http: http, source: source, extra: options)
            defer { stop(second.process) }
            // The second stands by: it reports not holding the lease, and applies nothing.
            let standing = await eventually {
                let metrics = await http.text("\(second.baseURL)/metrics") ?? ""
                return metrics.split(separator: "\n").contains { $0.contains(":\(second.process.pid):") && $0.hasSuffix(" 0.0") }
            }
            #expect(standing, "the second server never reported standing by:\n\(second.process.printedSoFar)")
            let ready = await http.text("\(second.baseURL)/readyz")
            #expect(ready == "ready\n")
            #expect(applied() == "1" && holder().contains(":\(first.process.pid):"))

            // The first dies without a word; a commit lands meanwhile.
            kill(first.process.pid, SIGKILL)
            _ = first.process.wait()
            let text = try workspace.read("teams/inference.yaml")
            try workspace.write(text + "    - email: zoe@example.com\n      role: basic\n", to: "teams/inference.yaml")
            let commit = try workspace.commit("invite zoe")
            let tookOver = await eventually(upTo: .seconds(60)) {
                holder().contains(":\(second.process.pid):")
                    && (try? workspace.sql("SELECT commit_id FROM runs WHERE result = 'applied' ORDER BY started_at DESC LIMIT 1"))
                        == commit
            }
            try #require(tookOver, "the second server never took over:\n\(second.process.printedSoFar)")
            #expect(try workspace.sql("SELECT trigger FROM runs WHERE commit_id = '\(commit)'") == "takeover")
            #expect(try workspace.sql("SELECT count(*) FROM invitations WHERE email = 'zoe@example.com'") == "1")

            // A clean stop: exit 0, the lease left free for the next server.
            let ended = stop(second.process)
            #expect(ended.status == 0, "\(ended)")
            #expect(ended.stderr.contains("released the reconciler lease"))
            if let password = URLComponents(string: workspace.storeURL)?.password {
                #expect(!(ended.stdout + ended.stderr).contains(password), "the server's log shows the store's password")
            }
            #expect(try workspace.sql("SELECT count(*) FROM leases") == "0")
            #expect(try workspace.must(["audit", "verify"]).stdout.contains("intact"))
        }
    }

    @Test("Without --base-url the server's base URL follows --listen: a browser's form from that address is accepted")
    func baseURLFollowsListen() async throws {
        try await withScratchFolder(prefix: "roster-serve") { folder in
            let workspace = try await Workspace.make(folder: folder)
            let http = HTTPClient()
            let server = try await startServer(workspace, http: http, explicitBaseURL: false)
            defer { _ = stop(server.process) }
            let page = try await http.request("GET", server.baseURL + "/signin", timeoutSeconds: 10)
            try #require(page.status == 200)
            let cookie = try #require(page.fields["set-cookie"]?.split(separator: ";").first.map(String.init))
            let token = String(cookie.drop { $0 != "=" }.dropFirst())
            // What a browser on the server's own address sends: its Origin, the CSRF cookie
            // and field. A wrong key is then a 401; a mismatched origin would be a 403.
            let answer = try await http.request(
                "POST", server.baseURL + "/signin", body: Data("csrf=\(token)&key=roster_000000000000_none".utf8),
                headers: ["Origin": server.baseURL, "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"],
                timeoutSeconds: 10)
            #expect(answer.status == 401, "\(answer.status): \(String(decoding: answer.body, as: UTF8.self))")
            let elsewhere = try await http.request(
                "POST", server.baseURL + "/signin", body: Data("csrf=\(token)&key=roster_000000000000_none".utf8),
                headers: ["Origin": "http://127.0.0.1:8080", "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"],
                timeoutSeconds: 10)
            #expect(elsewhere.status == 403)
            #expect(server.process.printedSoFar.contains("baseURL=\(server.baseURL)"), "\(server.process.printedSoFar)")
        }
    }

    @Test("Bad serve flags are usage errors (64) before anything starts", arguments: [
        ["--listen", "nowhere"], ["--listen", "127.0.0.1:99999"], ["--interval", "0"], ["--interval", "soon"],
        ["--lease-ttl", "0s"], ["--allow-mass-removal"], ["--base-url", "ftp://example.com"], ["--log-level", "loud"],
        ["--webhook-secret-file", "/nonexistent/secret"], ["--sign-in-limit", "-1"],
        // Numbers no timer holds: each was a crash before it was refused.
        ["--interval", "inf"], ["--interval", "1e300s"], ["--lease-ttl", "inf"], ["--lock-timeout", "inf"],
    ])
    func usage(_ arguments: [String]) throws {
        try withWorkspace { workspace in
            let result = try workspace.roster(["serve", "--dir", examples, "--listen", "127.0.0.1:0"] + arguments)
            #expect(result.status == 64, "\(result)")
            #expect(try !workspace.storeOpened() || arguments.first == "--webhook-secret-file")
        }
    }

    @Test("apikey create prints a key once; list shows ids, never secrets; revoke ends it")
    func apiKeys() throws {
        try withWorkspace { workspace in
            let created = try workspace.must(["apikey", "create", "--email", "Alice@Example.com"])
            let key = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(key.hasPrefix("roster_") && !key.contains("\n"))
            let id = String(key.dropFirst("roster_".count).prefix(12))
            #expect(created.stderr.contains("shown only now"))
            // alice is in no team (nothing is applied here): a warning, not a refusal.
            #expect(created.stderr.contains("warning: alice@example.com is in no team"), "\(created.stderr)")
            let secret = String(key.dropFirst("roster_".count + 13))

            let listed = try workspace.must(["apikey", "list"]).stdout
            #expect(listed.contains(id) && listed.contains("alice@example.com") && listed.contains("active"))
            #expect(!listed.contains(secret))
            let stored = try workspace.sql(
                sqlite: "SELECT hex(secret_hash) || id || email FROM api_keys",
                postgres: "SELECT encode(secret_hash, 'hex') || id || email FROM api_keys")
            #expect(!stored.isEmpty && !stored.contains(secret))

            #expect(try workspace.must(["apikey", "revoke", id]).stdout.contains("Revoked \(id)"))
            let again = try workspace.roster(["apikey", "revoke", key])
            #expect(again.status == 1 && again.stderr.contains("no active API key"))
            #expect(try workspace.must(["apikey", "list", "--email", "alice@example.com"]).stdout.contains("revoked"))
            #expect(try workspace.must(["apikey", "list", "--email", "bob@example.com"]).stdout.isEmpty)
            #expect(try workspace.roster(["apikey", "create", "--email", "not-an-email"]).status == 64)
        }
    }
}
