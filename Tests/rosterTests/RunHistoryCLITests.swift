import Foundation
import RosterTestSupport
import Testing

@Suite("Runs on the command line: ids in the output, one run's audit entries")
struct RunHistoryCLITests {
    @Test("apply and reconcile print their run id, even with --quiet; audit --run selects that run's entries; status lists ids")
    func runIDs() throws {
        try withWorkspace { ws in
            try ws.makeRepository()
            try ws.must(["team", "ceiling", "--team", "ml-research", "--per-hour", "120"])
            let applied = try ws.must(["apply", "--repo", ws.repository, "--yes", "--quiet"])
            let line = applied.stdout.split(separator: "\n").last.map(String.init) ?? ""
            let match = try #require(line.firstMatch(of: /\(run ([0-9a-f-]{36})\)/), "\(applied)")
            let runID = String(match.1)

            let all = try ws.auditEntries()
            let ofRun = try ws.auditEntries(["--run", runID])
            #expect(!ofRun.isEmpty && ofRun.allSatisfy { $0.string("runId") == runID }, "\(ofRun)")
            #expect(ofRun.count == all.filter { $0.string("runId") == runID }.count)
            #expect(ofRun.count < all.count, "the ceiling's entry belongs to no run")
            #expect(try ws.auditEntries(["--run", "no-such-run"]).isEmpty)

            let status = try ws.must(["status"])
            #expect(status.stdout.contains("(run \(runID))"), "\(status)")

            try ws.edit("teams/ml-research.yaml", replacing: "perHour: 120", with: "perHour: 110")
            try ws.commit("lower the limit")
            let reconciled = try ws.must(["reconcile", "--repo", ws.repository, "--quiet"])
            #expect(reconciled.stdout.contains("Applied 1 change (run "), "\(reconciled)")
        }
    }

    @Test("audit verify and audit head refuse the filters they would ignore", arguments: [["verify", "--team", "ml"], ["head", "--limit", "3"]])
    func wholeLogSubcommandsRefuseFilters(_ arguments: [String]) throws {
        try withWorkspace { ws in
            let result = try ws.roster(["audit"] + arguments)
            #expect(result.status == 64, "\(result)")
            #expect(result.stderr.contains("roster audit \(arguments[0]) takes no filters"), "\(result)")
        }
    }

    @Test("audit --action names the valid actions when given an unknown one")
    func unknownAction() throws {
        try withWorkspace { ws in
            let result = try ws.roster(["audit", "--action", "member.delete"])
            #expect(result.status == 64, "\(result)")
            #expect(result.stderr.contains("member.remove") && result.stderr.contains("invite.accept"), "\(result)")
        }
    }

    @Test("status --repo lists each difference in the store's terms and git's, not only a count")
    func readableDrift() throws {
        try withWorkspace { ws in
            try ws.makeRepository()
            try ws.must(["team", "ceiling", "--team", "ml-research", "--per-hour", "120"])
            try ws.must(["apply", "--repo", ws.repository, "--yes"])
            // A break-glass edit in the store: bob's invitation raised to admin.
            try ws.sql("UPDATE invitations SET role = 'admin' WHERE team = 'ml-research' AND email = 'bob@example.com'")
            let status = try ws.must(["status", "--repo", ws.repository])
            #expect(
                status.stdout.contains("ml-research: invite.update bob@example.com — the store holds admin, git declares dev"),
                "\(status)")
        }
    }

    @Test("a run refused for healing drift says so in the store's terms and counts the drift")
    func refusedDriftInStoreTerms() throws {
        try withWorkspace { ws in
            try ws.makeRepository()
            try ws.must(["team", "ceiling", "--team", "ml-research", "--per-hour", "120"])
            try ws.must(["reconcile", "--repo", ws.repository])
            for email in ["bob@example.com"] {
                let link = try ws.must(["invite", "link", "--team", "ml-research", "--email", email]).stdout
                    .trimmingCharacters(in: .newlines)
                try ws.must(["invite", "accept", link, "--email", email])
            }
            // Break-glass: bob made admin in the store. Healing it would leave ml-research with
            // one admin member (dmitri has not joined), under minAdmins 2.
            try ws.sql("UPDATE memberships SET role = 'admin' WHERE team = 'ml-research' AND email = 'bob@example.com'")
            let refused = try ws.roster(["reconcile", "--repo", ws.repository])
            #expect(refused.status == 1, "\(refused)")
            let status = try jsonObject(try ws.must(["status", "--format", "json"]))
            let run = try #require((status["runs"] as? [[String: Any]])?.first)
            let message = run.string("message") ?? ""
            #expect(
                message.contains("drift in ml-research (changed outside git): bob@example.com: the store holds admin, git declares dev"),
                "\(message)")
            #expect(message.contains("healing it: this plan leaves ml-research with 1 admin member"), "\(message)")
            // The run keeps the drift it found, counted even though it failed.
            let drift = try #require(run["drift"] as? [String: Any], "\(run)")
            #expect(drift.int("count") == 1)
            let item = try #require((drift["items"] as? [[String: Any]])?.first)
            #expect(item.string("subject") == "bob@example.com" && item.string("store") == "admin" && item.string("git") == "dev")
        }
    }
}
