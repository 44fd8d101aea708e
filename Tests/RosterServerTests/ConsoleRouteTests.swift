import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import RosterCore
import RosterReconcile
import RosterSQLite
import RosterStore
import Testing

@testable import RosterServer

@Suite("Routes: team pages and the run history")
struct ConsoleRouteTests {
    private static func configure(_ configuration: inout ServerConfiguration) {
        configuration.repositoryWebURL = RepositoryWebURL("https://git.example.com/org/teams/blob/{commit}/{path}#L{line}")
    }

    @Test("Where a team is declared names the commit when there is one, and says nothing of it for a folder source")
    func declaredAt() async throws {
        try await ServerFixture.with { fixture in
            let read = try await Reconciler.run(ServerFixture.request(fixture.folder + "/manifests", trigger: "test"), store: fixture.store)
            let places = try #require(read.declarations).places
            try await fixture.application.test(.router) { client in
                let alice = try await SignInRouteTests.signIn(fixture, "alice", client)
                for commit in [String(repeating: "c", count: 40), nil] {
                    await fixture.environment.status.recordDeclarations(Reconciler.Declarations(commit: commit, places: places))
                    let ml = try await client.execute(uri: "/teams/ml", method: .get, headers: [.cookie: alice])
                    let expected = commit == nil ? "<code>teams/ml.yaml:4</code></dd>" : "<code>teams/ml.yaml:4</code> at <code>cccccccccccc</code></dd>"
                    #expect(ml.text.contains(expected), "\(ml.text)")
                }
            }
        }
    }

    @Test("/teams lists the viewer's teams with their role; a team page shows each part to the roles the matrix allows")
    func teamPages() async throws {
        try await ServerFixture.with(configure: Self.configure) { fixture in
            // As a run from a repository leaves them (a folder source has no commit to link).
            let read = try await Reconciler.run(ServerFixture.request(fixture.folder + "/manifests", trigger: "test"), store: fixture.store)
            let places = try #require(read.declarations).places
            await fixture.environment.status.recordDeclarations(
                Reconciler.Declarations(commit: String(repeating: "c", count: 40), places: places))
            try await fixture.application.test(.router) { client in
                let alice = try await SignInRouteTests.signIn(fixture, "alice", client)
                let teams = try await client.execute(uri: "/teams", method: .get, headers: [.cookie: alice])
                #expect(teams.status == .ok)
                #expect(teams.text.contains(#"href="/teams/ml">ml</a>"#) && teams.text.contains("ML Research"))
                #expect(!teams.text.contains("/teams/ops"), "alice is in ml only")

                // alice, admin: members, links with a copy button, billing, audit, where it is declared.
                let ml = try await client.execute(uri: "/teams/ml", method: .get, headers: [.cookie: alice])
                #expect(ml.status == .ok)
                for text in [
                    "carol@example.com", "http://roster.test/invite/", #"class="copy""#, "$40.00/h", "Approved ceiling",
                    "Recent changes", "teams/ml.yaml:4", "https://git.example.com/org/teams/blob/", "#L4", "new.person@example.com",
                    "Access audit logs",
                ] {
                    #expect(ml.text.contains(text), "\(text) missing")
                }
                #expect(ml.text.components(separatedBy: "<tr><td data-label=\"Permission\">").count - 1 == Permission.allCases.count)

                // carol, billing: billing yes; no links, no audit log.
                let carol = try await SignInRouteTests.signIn(fixture, "carol", client)
                let billing = try await client.execute(uri: "/teams/ml", method: .get, headers: [.cookie: carol])
                #expect(billing.text.contains("$40.00/h") && billing.text.contains("dan@example.com"))
                #expect(!billing.text.contains("/invite/") && !billing.text.contains("Recent changes"))

                // dan, basic in ml: members only; admin in ops.
                let dan = try await SignInRouteTests.signIn(fixture, "dan", client)
                let basic = try await client.execute(uri: "/teams/ml", method: .get, headers: [.cookie: dan])
                #expect(basic.text.contains("alice@example.com") && !basic.text.contains("$40.00") && !basic.text.contains("/invite/"))

                // Not a member and no such team: the same 404.
                let closed = try await client.execute(uri: "/teams/ops", method: .get, headers: [.cookie: alice])
                let missing = try await client.execute(uri: "/teams/nope", method: .get, headers: [.cookie: alice])
                #expect(closed.status == .notFound && missing.status == .notFound)
                #expect(closed.text.contains("There is no such team, or you are not a member") && missing.text.contains("There is no such team"))
                #expect(try await client.execute(uri: "/teams/ml", method: .get).status == .seeOther, "signed out: to sign-in")

                // The same in the API.
                let api = try #require(
                    try await client.execute(uri: "/api/v1/teams/ml", method: .get, headers: fixture.bearer("carol")).json as? [String: Any])
                #expect(api["spendLimit"] as? String == "40.00" && api["pendingInvitations"] == nil && api["recentAudit"] == nil)
                #expect((api["permissions"] as? [[String: Any]])?.count == Permission.allCases.count)
                let adminAPI = try #require(
                    try await client.execute(uri: "/api/v1/teams/ml", method: .get, headers: fixture.bearer("alice")).json as? [String: Any])
                #expect((adminAPI["pendingInvitations"] as? [[String: Any]])?.first?["email"] as? String == "bob@example.com")
                #expect((adminAPI["declaredIn"] as? [String: Any])?["file"] as? String == "teams/ml.yaml")
                #expect(try await client.execute(uri: "/api/v1/teams/ops", method: .get, headers: fixture.bearer("carol")).status == .forbidden)
            }
        }
    }

    @Test("/runs pages the history and filters by result; a run's page shows its changes to those who may read them")
    func runPages() async throws {
        try await ServerFixture.with(configure: Self.configure) { fixture in
            let applied = try #require(try await fixture.store.runs(limit: 1).first)
            for minute in 1...3 {
                try await fixture.store.record(
                    ReconcileRun(
                        id: "failed-\(minute)", trigger: "interval", startedAt: Date().addingTimeInterval(Double(minute)),
                        finishedAt: Date().addingTimeInterval(Double(minute)), result: .failed, message: "broken",
                        reason: RunReason(.sourceUnreadable, [.everyone("cannot reach the repository")])))
            }
            try await fixture.application.test(.router) { client in
                let dan = try await SignInRouteTests.signIn(fixture, "dan", client)
                let page = try await client.execute(uri: "/runs?limit=2", method: .get, headers: [.cookie: dan])
                #expect(page.status == .ok)
                #expect(page.text.contains("4 records") && page.text.contains("/runs/failed-3") && !page.text.contains("/runs/failed-1"))
                #expect(page.text.contains("/runs?before=failed-2&amp;limit=") || page.text.contains("/runs?before=failed-2"), "\(page.text)")
                let older = try await client.execute(uri: "/runs?before=failed-2&limit=2", method: .get, headers: [.cookie: dan])
                #expect(older.text.contains("/runs/failed-1") && older.text.contains("/runs/\(applied.id)"))
                let filtered = try await client.execute(uri: "/runs?result=applied", method: .get, headers: [.cookie: dan])
                #expect(filtered.text.contains("1 record,") && !filtered.text.contains("failed-"))
                #expect(try await client.execute(uri: "/runs?result=bogus", method: .get, headers: [.cookie: dan]).status == .badRequest)

                // dan is admin in ops only: the set-up run's ops changes, not ml's.
                let run = try await client.execute(uri: "/runs/\(applied.id)", method: .get, headers: [.cookie: dan])
                #expect(run.status == .ok && run.text.contains("ops/dan@example.com") && !run.text.contains("ml/bob@example.com"))
                #expect(run.text.contains("more change(s)"))
                #expect(try await client.execute(uri: "/runs/nope", method: .get, headers: [.cookie: dan]).status == .notFound)

                let api = try #require(
                    try await client.execute(uri: "/api/v1/runs?result=failed&limit=2", method: .get, headers: fixture.bearer("zed")).json
                        as? [String: Any])
                #expect((api["runs"] as? [[String: Any]])?.map { $0["id"] as? String } == ["failed-3", "failed-2"])
                #expect(api["total"] as? Int == 3 && api["next"] as? String == "failed-2")
                let detail = try #require(
                    try await client.execute(uri: "/api/v1/runs/\(applied.id)", method: .get, headers: fixture.bearer("zed")).json
                        as? [String: Any])
                #expect((detail["changes"] as? [Any])?.isEmpty == true && detail["notShown"] as? Int == applied.changes)
            }
        }
    }

    @Test("A run page lists the drift it found, each change to those whose role may see it")
    func runDrift() async throws {
        try await ServerFixture.with { fixture in
            let changes = [
                Change(.memberRoleUpdate, team: "ml", subject: "dan@example.com", before: .role(.admin), after: .role(.basic)),
                Change(.teamSpendLimitUpdate, team: "ml", subject: "ml", before: .spendLimit(SpendLimit(cents: 9_900)), after: .spendLimit(SpendLimit(cents: 4_000))),
            ]
            try await fixture.store.record(
                ReconcileRun(
                    id: "drifted", trigger: "interval", startedAt: Date().addingTimeInterval(5), finishedAt: Date().addingTimeInterval(5),
                    result: .failed, message: "x", reason: RunReason(.invalidManifests, []),
                    drift: RunDrift(changes, healing: Set(changes))))
            try await fixture.application.test(.router) { client in
                let dan = try await SignInRouteTests.signIn(fixture, "dan", client)
                let page = try await client.execute(uri: "/runs/drifted", method: .get, headers: [.cookie: dan])
                #expect(page.text.contains("Drift: 2 change(s) made outside git"), "\(page.text)")
                #expect(page.text.contains("dan@example.com") && page.text.contains(">admin<") && page.text.contains(">basic<"))
                #expect(!page.text.contains("$99.00"), "dan is basic in ml: no billing")
                #expect(page.text.contains("1 more in teams or settings you may not see"))
                let zed = try #require(
                    try await client.execute(uri: "/api/v1/runs/drifted", method: .get, headers: fixture.bearer("zed")).json as? [String: Any])
                let drift = try #require((zed["run"] as? [String: Any])?["drift"] as? [String: Any])
                #expect(drift["count"] as? Int == 2 && (drift["items"] as? [Any])?.isEmpty == true && drift["notShown"] as? Int == 2)
            }
        }
    }

    @Test("The copy buttons' script is served from /assets/ and allowed by the CSP; nothing inline")
    func copyScript() async throws {
        try await ServerFixture.with { fixture in
            try await fixture.application.test(.router) { client in
                let script = try await client.execute(uri: "/assets/copy.js", method: .get)
                #expect(script.status == .ok && script.headers[.contentType]?.hasPrefix("text/javascript") == true)
                #expect(script.text.contains("navigator.clipboard"))
                #expect(script.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
                #expect(script.headers[.contentSecurityPolicy]?.contains("unsafe-inline") == false)
            }
        }
    }
}

@Suite("Routes: the audit page at scale")
struct AuditPageRouteTests {
    @Test("The audit page pages back by sequence number, filters by run and action, and refuses an unknown action")
    func paging() async throws {
        try await ServerFixture.with { fixture in
            try await fixture.application.test(.router) { client in
                let alice = try await SignInRouteTests.signIn(fixture, "alice", client)
                let newest = try await client.execute(uri: "/audit?limit=2", method: .get, headers: [.cookie: alice])
                #expect(newest.status == .ok)
                let older = try #require(newest.text.firstMatch(of: /href="(\/audit\?[^"]*before=(\d+)[^"]*)"/), "\(newest.text)")
                let next = String(older.1).replacingOccurrences(of: "&amp;", with: "&")
                let page = try await client.execute(uri: next, method: .get, headers: [.cookie: alice])
                #expect(page.status == .ok)
                let seqs = page.text.matches(of: /data-label="#">(\d+)</).compactMap { Int64($0.1) }
                #expect(!seqs.isEmpty && seqs.allSatisfy { $0 < Int64(older.2)! }, "\(seqs)")
                // Readable changes, not JSON.
                #expect(newest.text.contains("invited as") || page.text.contains("invited as") || page.text.contains("created"))
                #expect(!page.text.contains("{&quot;"), "no raw JSON")

                let bad = try await client.execute(uri: "/audit?action=member.delete", method: .get, headers: [.cookie: alice])
                #expect(bad.status == .badRequest && bad.text.contains("member.remove"))
                let run = try #require(try await fixture.store.runs(limit: 1).first)
                let ofRun = try await client.execute(uri: "/audit?run=\(run.id)&limit=1000", method: .get, headers: [.cookie: alice])
                #expect(ofRun.status == .ok && ofRun.text.contains("ml/bob@example.com"))
                #expect(!ofRun.text.contains(#"data-label="Action">invite.accept<"#), "the joins belong to no run")
            }
        }
    }
}
