import Foundation
import RosterTestSupport
import Testing

/// One team, `web`: alice owns it; bob (dev), carol (basic) and dave (billing) are invited.
let webTeam = """
    apiVersion: roster/v1
    kind: Team
    metadata:
      name: web
    spec:
      displayName: Web
      owner: alice@example.com
      members:
        - email: alice@example.com
          role: admin
        - email: bob@example.com
          role: dev
        - email: carol@example.com
          role: basic
        - email: dave@example.com
          role: billing

    """

private func config(selfHeal: Bool) -> String {
    """
    apiVersion: roster/v1
    kind: Config
    spec:
      paths: [teams]
      reconcile: {selfHeal: \(selfHeal)}

    """
}

extension Workspace {
    /// Accepts `email`'s pending invitation to `team` through its link.
    fileprivate func accept(_ email: String, team: String = "web") throws {
        let link = try must(["invite", "link", "--team", team, "--email", email]).stdout.trimmingCharacters(in: .newlines)
        try must(["invite", "accept", link, "--email", email])
    }

    /// `roster status --format json`'s runs, newest first.
    fileprivate func runs() throws -> [[String: Any]] {
        let status = try jsonObject(try must(["status", "--format", "json"]))
        return try #require(status["runs"] as? [[String: Any]], "\(status)")
    }

    fileprivate func members(_ email: String, team: String = "web") throws -> Int {
        try count("SELECT count(*) FROM memberships WHERE team = '\(team)' AND email = '\(email)'")
    }

    fileprivate func pendingInvitations(_ email: String, team: String = "web") throws -> Int {
        try count("SELECT count(*) FROM invitations WHERE team = '\(team)' AND email = '\(email)' AND status = 'pending'")
    }
}

@Suite("roster diff and roster reconcile")
struct ReconcileCLITests {
    @Test("diff shows a role change and a removal; reconcile applies them, records the run, and is idempotent")
    func diffThenReconcile() throws {
        try withWorkspace { ws in
            let first = try ws.makeRepository(files: ["teams/web.yaml": webTeam])
            let created = try ws.must(["reconcile", "--repo", ws.repository])
            #expect(created.stdout.contains("Applied 4 changes"), "\(created)")
            var runs = try ws.runs()
            #expect(runs.count == 1)
            #expect(runs.first?.string("trigger") == "reconcile" && runs.first?.string("result") == "applied")
            #expect(runs.first?.string("commit") == first && runs.first?.int("changes") == 4, "\(runs)")

            try ws.accept("bob@example.com")
            try ws.accept("carol@example.com")
            let joined = try ws.auditHead()
            try ws.must(["reconcile", "--repo", ws.repository])
            #expect(try ws.auditHead() == joined, "accepted invitations are what git declares: nothing to do")

            try ws.edit("teams/web.yaml", replacing: "bob@example.com\n      role: dev", with: "bob@example.com\n      role: admin")
            try ws.edit("teams/web.yaml", replacing: "    - email: carol@example.com\n      role: basic\n", with: "")
            let second = try ws.commit("bob becomes an admin; carol leaves")
            let version = try ws.count("SELECT value FROM meta WHERE key = 'state_version'")

            let diff = try ws.roster(["diff", "--repo", ws.repository, "--base", "HEAD~1", "--head", "HEAD", "--format", "markdown"])
            #expect(diff.status == 0, "\(diff)")
            #expect(diff.stdout.hasPrefix("### Roster plan"), "\(diff)")
            #expect(diff.stdout.contains("Plan: 0 invitations, 1 role change, 1 removal, 0 revocations, 0 spend-limit changes."), "\(diff)")
            let lines = diff.stdout.split(separator: "\n").map(String.init)
            #expect(lines.contains("~ bob@example.com: dev → admin"), "\(diff)")
            #expect(lines.contains("- remove carol@example.com (basic)"), "\(diff)")
            #expect(lines.filter { $0.hasPrefix("+ ") || $0.hasPrefix("~ ") || $0.hasPrefix("- ") }.count == 2, "\(diff)")

            let json = try jsonObject(try ws.must(["diff", "--repo", ws.repository, "--base", first, "--head", second, "--format", "json"]))
            let changes = try #require(json["changes"] as? [[String: Any]])
            #expect(changes.map { $0.string("action") ?? "" }.sorted() == ["member.remove", "member.role.update"], "\(changes)")
            #expect((json["source"] as? [String: Any])?.string("commit") == second)
            let detailed = try ws.roster(["diff", "--repo", ws.repository, "--base", "HEAD~1", "--head", "HEAD", "--detailed-exitcode"])
            #expect(detailed.status == 2, "\(detailed)")
            let none = try ws.roster(["diff", "--repo", ws.repository, "--base", "HEAD", "--head", "HEAD", "--detailed-exitcode"])
            #expect(none.status == 0 && none.stdout.hasPrefix("No changes."), "\(none)")
            #expect(try ws.count("SELECT value FROM meta WHERE key = 'state_version'") == version, "diff does not touch the store")
            #expect(try ws.auditHead() == joined)

            let reconcile = try ws.roster(["reconcile", "--repo", ws.repository])
            #expect(reconcile.status == 0, "\(reconcile)")
            let joinedSeq = Int(joined?.split(separator: ":").first ?? "") ?? 0
            let entries = try ws.auditEntries().filter { ($0.int("seq") ?? 0) > joinedSeq }
            #expect(entries.map { $0.string("action") ?? "" } == ["member.role.update", "member.remove"], "\(entries)")
            #expect(entries.map { $0.string("resourceId") ?? "" } == ["web/bob@example.com", "web/carol@example.com"])
            #expect(entries.first?.string("before") == "dev" && entries.first?.string("after") == "admin")
            #expect(entries.last?.string("before") == "basic" && entries.last?["after"] is NSNull)
            runs = try ws.runs()
            #expect(runs.count == 3)
            let run = try #require(runs.first)
            #expect(run.string("commit") == second && run.string("result") == "applied" && run.int("changes") == 2, "\(run)")
            #expect(run.string("author") == authorEmail)
            for entry in entries {
                #expect(entry.string("commit") == second && entry.string("onBehalfOf") == authorEmail, "\(entry)")
                #expect(entry.string("runId") == run.string("id"), "\(entry)")
            }
            let status = try ws.must(["status"])
            #expect(
                status.stdout.split(separator: "\n").contains { $0.contains("reconcile applied \(second.prefix(12))") && $0.contains("2 changes") },
                "\(status)")
            #expect(try ws.members("bob@example.com") == 1 && (try ws.members("carol@example.com")) == 0)
            #expect(try ws.sql("SELECT role FROM memberships WHERE team = 'web' AND email = 'bob@example.com'") == "admin")

            let head = try ws.auditHead()
            let again = try ws.roster(["reconcile", "--repo", ws.repository])
            #expect(again.status == 0, "\(again)")
            #expect(try ws.auditHead() == head, "reconciling the same commit again writes nothing")
            runs = try ws.runs()
            #expect(runs.count == 4 && runs.first?.string("result") == "no-changes", "\(runs)")
            let plan = try ws.roster(["plan", "--repo", ws.repository, "--detailed-exitcode"])
            #expect(plan.status == 0, "\(plan)")
        }
    }

    @Test("a change made outside git is healed by reconcile with selfHeal on and left alone with it off", arguments: [true, false])
    func selfHeal(_ selfHeal: Bool) throws {
        try withWorkspace { ws in
            try ws.makeRepository(files: ["roster.yaml": config(selfHeal: selfHeal), "teams/web.yaml": webTeam])
            try ws.must(["reconcile", "--repo", ws.repository])

            // A change outside git that agrees with git: nothing for reconcile to do.
            try ws.accept("bob@example.com")
            try ws.accept("carol@example.com")
            var head = try ws.auditHead()
            try ws.must(["reconcile", "--repo", ws.repository])
            #expect(try ws.auditHead() == head)
            #expect(try ws.members("bob@example.com") == 1)

            // Break-glass changes straight in the database, the state version left as it was:
            // bob removed, carol promoted.
            try ws.sql("DELETE FROM memberships WHERE team = 'web' AND email = 'bob@example.com';")
            try ws.sql("UPDATE memberships SET role = 'admin' WHERE team = 'web' AND email = 'carol@example.com';")

            // The next plan and status report the drift either way.
            let plan = try ws.roster(["plan", "--repo", ws.repository, "--detailed-exitcode"])
            #expect(plan.status == 2, "\(plan)")
            #expect(plan.stdout.contains("+ invite bob@example.com as dev"), "\(plan)")
            #expect(plan.stdout.contains("~ carol@example.com: admin → basic"), "\(plan)")
            let status = try jsonObject(try ws.must(["status", "--format", "json", "--repo", ws.repository]))
            #expect((status["drift"] as? [String: Any])?.int("total") == 2, "\(status)")

            head = try ws.auditHead()
            let reconcile = try ws.roster(["reconcile", "--repo", ws.repository])
            #expect(reconcile.status == 0, "\(reconcile)")
            let headSeq = Int(head?.split(separator: ":").first ?? "") ?? 0
            var new = try ws.auditEntries().filter { ($0.int("seq") ?? 0) > headSeq }
            if selfHeal {
                #expect(
                    new.map { "\($0.string("action") ?? "") \($0.string("resourceId") ?? "")" }.sorted()
                        == ["invite.create web/bob@example.com", "member.role.update web/carol@example.com"], "\(new)")
                #expect(try ws.pendingInvitations("bob@example.com") == 1, "bob is invited again")
                #expect(try ws.sql("SELECT role FROM memberships WHERE team = 'web' AND email = 'carol@example.com'") == "basic")
                let healed = try ws.roster(["plan", "--repo", ws.repository, "--detailed-exitcode"])
                #expect(healed.status == 0, "\(healed)")
            } else {
                #expect(new.isEmpty, "selfHeal is off: the drift is left alone: \(new)")
                #expect(reconcile.stderr.contains("selfHeal"), "and the run says so: \(reconcile)")
                #expect(try ws.pendingInvitations("bob@example.com") == 0 && (try ws.members("bob@example.com")) == 0)
                #expect(try ws.sql("SELECT role FROM memberships WHERE team = 'web' AND email = 'carol@example.com'") == "admin")
                let still = try ws.roster(["plan", "--repo", ws.repository, "--detailed-exitcode"])
                #expect(still.status == 2, "the drift is still reported: \(still)")
            }

            // A new commit's own changes are applied either way.
            try ws.edit("teams/web.yaml", replacing: "    - email: dave@example.com\n", with: "    - email: erin@example.com\n      role: dev\n    - email: dave@example.com\n")
            let second = try ws.commit("erin joins")
            head = try ws.auditHead()
            try ws.must(["reconcile", "--repo", ws.repository])
            let afterSeq = Int(head?.split(separator: ":").first ?? "") ?? 0
            new = try ws.auditEntries().filter { ($0.int("seq") ?? 0) > afterSeq }
            #expect(new.map { "\($0.string("action") ?? "") \($0.string("resourceId") ?? "")" } == ["invite.create web/erin@example.com"], "\(new)")
            #expect(new.first?.string("commit") == second)
            #expect(try ws.pendingInvitations("bob@example.com") == (selfHeal ? 1 : 0))
            #expect(try ws.runs().first?.string("commit") == second)
        }
    }

    @Test("with selfHeal off, drift stays left alone however many runs without changes follow")
    func selfHealOffOutlastsManyRuns() throws {
        try withWorkspace { ws in
            try ws.makeRepository(files: ["roster.yaml": config(selfHeal: false), "teams/web.yaml": webTeam])
            try ws.must(["reconcile", "--repo", ws.repository])
            try ws.accept("bob@example.com")
            try ws.sql("DELETE FROM memberships WHERE team = 'web' AND email = 'bob@example.com';")
            let head = try ws.auditHead()

            // A cron job reconciling every 5 minutes makes 50 runs in about four hours.
            for _ in 0..<55 { try ws.must(["reconcile", "--repo", ws.repository, "--quiet"]) }

            // The last applied run is found however many runs came after it.
            let after = try ws.auditHead()
            let last = try ws.auditEntries().last ?? [:]
            let invited = try ws.pendingInvitations("bob@example.com")
            #expect(after == head, "the drift was healed: \(last)")
            #expect(invited == 0)
            // The 55 runs that changed nothing are one record, counted: the applied run stays in view.
            let runs = try ws.runs()
            #expect(runs.map { $0.string("result") } == ["no-changes", "applied"], "\(runs)")
            #expect(runs.first?.int("repeats") == 55)
        }
    }

    @Test(
        "a token or password in a --repo URL is printed, logged and stored nowhere: errors, the runs table, status",
        arguments: ["https://ghp_s3cretToken@127.0.0.1:1/o/t.git", "https://alice:Pw/s3cretToken@127.0.0.1:1/o/t.git"])
    func credentialsInRepositoryURL(url: String) throws {
        try withWorkspace { ws in
            let failed = try ws.roster(["reconcile", "--repo", url])
            #expect(failed.status != 0)
            #expect(failed.stderr.contains("https://***@127.0.0.1:1/o/t.git"), "\(failed)")
            let plan = try ws.roster(["plan", "--repo", url, "--format", "json"])
            let status = try ws.must(["status"])
            let statusJSON = try ws.must(["status", "--format", "json"])
            let stored = try ws.sql("SELECT coalesce(repository, '') || ' ' || coalesce(message, '') FROM runs")
            #expect(stored.contains("cannot reach https://***@127.0.0.1:1"), "\(stored)")
            for text in [failed.stdout, failed.stderr, plan.stdout, plan.stderr, status.stdout, statusJSON.stdout, stored] {
                #expect(!text.contains("s3cretToken") && !text.contains("alice"), "\(text)")
            }
        }
    }
}
