import Foundation
import RosterCore
import RosterTestSupport
import Testing

/// Temporary membership end to end: `roster serve` removes a member at their `expires`,
/// not at its next interval (an hour away here), and says why in the run and the audit log.
@Suite(.serialized) struct ExpiryServeTests {
    static let team = """
        apiVersion: roster/v1
        kind: Team
        metadata:
          name: contractors
        spec:
          owner: alice@example.com
          members:
            - email: alice@example.com
              role: admin
            - email: bob@example.com
              role: dev

        """

    /// The contractors team applied from a repository, bob a member (invited and accepted),
    /// then a commit that ends his access `seconds` from now; the source options.
    static func bobLeaves(_ workspace: Workspace, in seconds: TimeInterval) throws -> [String] {
        try workspace.makeRepository(files: ["teams/contractors.yaml": team])
        let source = ["--repo", workspace.repository, "--ref", "main"]
        try workspace.must(["apply", "--yes"] + source)
        let link = try workspace.must(["invite", "link", "--team", "contractors", "--email", "bob@example.com"])
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try workspace.must(["invite", "accept", link, "--email", "bob@example.com"])
        try #require(isMember(workspace) == true)
        let expires = Expiry.text(Date().addingTimeInterval(seconds).rounded())
        try workspace.edit(
            "teams/contractors.yaml", replacing: "      role: dev\n", with: "      role: dev\n      expires: \(expires)\n")
        try workspace.commit("bob's contract ends")
        return source
    }

    /// Whether bob is a member; nil when the store could not be read (never "not a member").
    static func isMember(_ workspace: Workspace) -> Bool? {
        (try? workspace.runSQL("SELECT count(*) FROM memberships WHERE email = 'bob@example.com'"))
            .flatMap { $0.status == 0 ? $0.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1" : nil }
    }

    @Test("serve removes a member when their access ends, woken by the expiry, audited with the reason")
    func serveRemovesAtExpiry() async throws {
        try await withScratchFolder(prefix: "roster-expiry") { folder in
            let workspace = try await Workspace.make(folder: folder)
            let source = try Self.bobLeaves(workspace, in: 20)
            func isMember() -> Bool? { Self.isMember(workspace) }
            // The server reconciles every hour.
            let http = HTTPClient()
            let server = try await startServer(workspace, http: http, source: source, extra: ["--interval", "1h"])
            defer { stop(server.process) }

            // The startup run applies nothing (bob is still in), and the server wakes for the expiry.
            let removed = await eventually(upTo: .seconds(90)) { isMember() == false }
            try #require(removed, "bob was never removed:\n\(server.process.printedSoFar)")
            #expect(try workspace.sql("SELECT trigger FROM runs WHERE result = 'applied' ORDER BY started_at DESC LIMIT 1") == "expiry")
            let entries = try workspace.auditEntries(["--action", "member.remove"])
            #expect(entries.count == 1)
            #expect(entries.first?["resourceId"] as? String == "contractors/bob@example.com")
            #expect((entries.first?["after"] as? [String: Any])?["reason"] as? String == "expired", "\(entries)")
            let status = try workspace.must(["status"]).stdout
            #expect(status.contains("expired"), "\(status)")
            #expect(try workspace.must(["audit", "verify"]).stdout.contains("intact"))
        }
    }

    @Test("reconcile --watch removes a member when their access ends, not at its next interval (an hour away)")
    func watchRemovesAtExpiry() async throws {
        try await withScratchFolder(prefix: "roster-expiry") { folder in
            let workspace = try await Workspace.make(folder: folder)
            let source = try Self.bobLeaves(workspace, in: 15)
            func isMember() -> Bool? { Self.isMember(workspace) }

            let binary = try #require(rosterBinary, "the roster executable was not found; build with --build-tests")
            let watch = try BackgroundProcess(
                binary, ["reconcile", "--watch", "--interval", "1h", "--store", workspace.storeURL] + source,
                in: workspace.folder, environment: workspace.environment)
            defer { watch.stop(with: SIGTERM) }
            // The first run applies nothing (bob is still in); the wait ends at his expiry.
            let removed = await eventually(upTo: .seconds(90), while: watch.process.isRunning) { isMember() == false }
            try #require(removed, "bob was never removed:\n\(watch.printedSoFar)")
            #expect(try workspace.sql("SELECT count(*) FROM runs WHERE result = 'applied'") == "2", "the apply, then the expiry's run")
            let entries = try workspace.auditEntries(["--action", "member.remove"])
            #expect((entries.first?["after"] as? [String: Any])?["reason"] as? String == "expired", "\(entries)")
        }
    }

    @Test("serve renews an invitation when its link expires: a new link, the old one dead, audited without it")
    func serveRenewsAtExpiry() async throws {
        try await withScratchFolder(prefix: "roster-expiry") { folder in
            let workspace = try await Workspace.make(folder: folder)
            try workspace.makeRepository(files: [
                "roster.yaml": "apiVersion: roster/v1\nkind: Config\nspec:\n  invitations:\n    expireAfter: 10s\n    renew: true\n",
                "teams/contractors.yaml": Self.team,
            ])
            let http = HTTPClient()
            let server = try await startServer(
                workspace, http: http, source: ["--repo", workspace.repository, "--ref", "main"], extra: ["--interval", "1h"])
            defer { stop(server.process) }
            func link() -> String? {
                try? workspace.roster(["invite", "link", "--team", "contractors", "--email", "bob@example.com"])
                    .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            let invited = await eventually { link()?.contains("/invite/") == true }
            try #require(invited, "bob was never invited:\n\(server.process.printedSoFar)")
            let first = try #require(link())
            let renewed = await eventually(upTo: .seconds(90)) {
                (try? workspace.auditEntries(["--action", "invite.renew"]).isEmpty) == false
            }
            try #require(renewed, "the invitation was never renewed:\n\(server.process.printedSoFar)")
            #expect(try workspace.sql("SELECT trigger FROM runs WHERE result = 'applied' ORDER BY started_at DESC LIMIT 1") == "expiry")
            let second = try #require(link())
            #expect(second != first)
            let entry = try #require(try workspace.auditEntries(["--action", "invite.renew"]).first)
            #expect(entry["before"] is String && entry["after"] is String, "\(entry)")
            let token = String(second.split(separator: "/").last ?? "")
            #expect(!"\(entry)".contains(token) && !"\(entry)".contains(String(first.split(separator: "/").last ?? "")))
            // The old link is dead, the new one is not (until it too expires and is renewed).
            #expect(await http.text(server.baseURL + "/invite/" + (first.split(separator: "/").last ?? "")) == nil)
        }
    }
}

/// The command line's side of expiry: listing invitations by age and expiry, refusing an
/// expired link, and `roster diff` warning about a date already past.
@Suite struct ExpiryCLITests {
    @Test("invite list shows age, expiry and links, filtered; an expired link is refused like a revoked one")
    func inviteList() async throws {
        try await withScratchFolder(prefix: "roster-expiry") { folder in
            let workspace = try await Workspace.make(folder: folder)
            try workspace.makeRepository(files: [
                "roster.yaml": "apiVersion: roster/v1\nkind: Config\nspec:\n  invitations:\n    expireAfter: 14d\n",
                "teams/contractors.yaml": ExpiryServeTests.team + "    - email: carol@example.com\n      role: basic\n",
            ])
            let source = ["--repo", workspace.repository, "--ref", "main"]
            try workspace.must(["apply", "--yes"] + source)
            let all = try workspace.must(["invite", "list"]).stdout
            let lines = all.split(separator: "\n")
            #expect(lines.count == 2, "\(all)")
            #expect(lines.allSatisfy { $0.contains("s ago, expires in 13 days") || $0.contains("s ago, expires in 14 days") }, "\(all)")
            #expect(lines.first?.hasPrefix("contractors bob@example.com dev (") == true, "\(all)")
            #expect(lines.allSatisfy { $0.contains("/invite/") }, "\(all)")
            #expect(try workspace.must(["invite", "list", "--team", "other"]).stdout.isEmpty)
            #expect(try workspace.must(["invite", "list", "--expired"]).stdout.isEmpty)
            #expect(try workspace.must(["invite", "list", "--older-than", "30d"]).stdout.isEmpty)
            let bad = try workspace.roster(["invite", "list", "--older-than", "a while"])
            #expect(bad.status == 64 && bad.stderr.contains("--older-than takes a duration"), "\(bad)")

            // Bob's link ran out (as if 14 days had passed): listed as expired, refused as revoked.
            try workspace.sql("UPDATE invitations SET expires_at = '2001-01-01T00:00:00.000Z' WHERE email = 'bob@example.com'")
            let expired = try workspace.must(["invite", "list", "--expired"]).stdout
            #expect(expired.hasPrefix("contractors bob@example.com dev (") && expired.contains("expired (2001-01-01T00:00:00Z)"), "\(expired)")
            let link = String(expired.split(separator: " ").last ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let accept = try workspace.roster(["invite", "accept", link, "--email", "bob@example.com"])
            let unknown = try workspace.roster(["invite", "accept", "999.AAAA", "--email", "bob@example.com"])
            #expect(accept.status != 0 && accept.status == unknown.status && accept.stderr == unknown.stderr, "\(accept)")
            let status = try workspace.must(["status"]).stdout
            #expect(status.contains("contractors: bob@example.com as dev") && status.contains("expired (2001-01-01T00:00:00Z)"), "\(status)")
            let report = try jsonObject(try workspace.must(["status", "--format", "json"]))
            let pending = report["pendingInvitations"] as? [[String: Any]] ?? []
            #expect(pending.first { $0["email"] as? String == "bob@example.com" }?["expired"] as? Bool == true, "\(report)")
            // Without renew, the plan leaves it and says so.
            let plan = try workspace.must(["plan"] + source)
            #expect(plan.stderr.contains("1 invitation has expired and is not renewed"), "\(plan)")
        }
    }

    @Test("diff warns about an expiry already past in a manifest the change touches, not in one it leaves")
    func diffWarnsAboutPastDates() async throws {
        try await withScratchFolder(prefix: "roster-expiry") { folder in
            let workspace = try await Workspace.make(folder: folder)
            try workspace.makeRepository(files: ["teams/contractors.yaml": ExpiryServeTests.team, "teams/other.yaml": ExpiryServeTests.team
                .replacingOccurrences(of: "name: contractors", with: "name: other")
                .replacingOccurrences(of: "      role: dev\n", with: "      role: dev\n      expires: 2001-01-01\n")])
            try workspace.edit("teams/contractors.yaml", replacing: "      role: dev\n", with: "      role: dev\n      expires: 2020-12-31\n")
            try workspace.commit("a typo in the year")
            let diff = try workspace.must(["diff", "--repo", workspace.repository, "--base", "HEAD~1", "--head", "HEAD"])
            #expect(diff.stderr.contains("teams/contractors.yaml:12:16: bob@example.com expires at 2021-01-01T00:00:00Z, which has passed"), "\(diff)")
            #expect(!diff.stderr.contains("teams/other.yaml"), "\(diff)")
        }
    }
}

extension Date {
    /// To the whole second, as a manifest writes it.
    fileprivate func rounded() -> Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.up)) }
}
