import Foundation
import RosterTestSupport
import Testing

/// A large organisation: `teams` teams of `members` members (the first one owns it).
private func largeOrganisation(teams: Int, members: Int) -> [String: String] {
    var files: [String: String] = [:]
    for team in 0..<teams {
        var text = """
            apiVersion: roster/v1
            kind: Team
            metadata:
              name: team-\(team)
            spec:
              owner: u\(team)-0@example.com
              members:

            """
        text.reserveCapacity(members * 50)
        for member in 0..<members {
            text += "    - email: u\(team)-\(member)@example.com\n      role: \(member == 0 ? "admin" : member % 3 == 0 ? "basic" : "dev")\n"
        }
        files["teams/team-\(team).yaml"] = text
    }
    return files
}

@Suite(
    "A crash in the middle of apply leaves the store as it was before or after, never between", .serialized,
    .enabled(if: StoreBackend.isSQLite, "watches SQLite's lock file for the moment to SIGKILL and reads the file with sqlite3"))
struct CrashTests {
    static let teams = 300
    static let members = 200
    static let changes = teams * members

    /// What the store holds, read with the sqlite3 CLI.
    struct Contents: Equatable, CustomStringConvertible {
        var teams: Int
        var memberships: Int
        var pendingInvitations: Int
        var auditEntries: Int
        var runs: Int
        var stateVersion: Int

        static let before = Contents(teams: 0, memberships: 0, pendingInvitations: 0, auditEntries: 0, runs: 0, stateVersion: 0)
        static let after = Contents(
            teams: CrashTests.teams, memberships: CrashTests.teams,
            pendingInvitations: CrashTests.teams * (CrashTests.members - 1), auditEntries: CrashTests.changes, runs: 1,
            stateVersion: 1)

        init(teams: Int, memberships: Int, pendingInvitations: Int, auditEntries: Int, runs: Int, stateVersion: Int) {
            self.teams = teams
            self.memberships = memberships
            self.pendingInvitations = pendingInvitations
            self.auditEntries = auditEntries
            self.runs = runs
            self.stateVersion = stateVersion
        }

        init(_ ws: Workspace) throws {
            let values = try ws.sql(
                """
                SELECT (SELECT count(*) FROM teams) || ' ' || (SELECT count(*) FROM memberships) || ' ' ||
                (SELECT count(*) FROM invitations WHERE status = 'pending') || ' ' || (SELECT count(*) FROM audit) || ' ' ||
                (SELECT count(*) FROM runs) || ' ' || (SELECT value FROM meta WHERE key = 'state_version');
                """
            ).split(separator: " ").compactMap { Int($0) }
            try #require(values.count == 6, "\(values)")
            self.init(
                teams: values[0], memberships: values[1], pendingInvitations: values[2], auditEntries: values[3], runs: values[4],
                stateVersion: values[5])
        }

        var description: String {
            "\(teams) teams, \(memberships) memberships, \(pendingInvitations) pending invitations, \(auditEntries) audit entries, "
                + "\(runs) runs, state version \(stateVersion)"
        }
    }

    @Test("SIGKILL while apply holds the lock: audit verifies, the store is before or after, the plan applies once", arguments: 1...3)
    func killDuringApply(_ attempt: Int) throws {
        let binary = try #require(rosterBinary)
        try withWorkspace { ws in
            try ws.makeRepository(files: largeOrganisation(teams: Self.teams, members: Self.members))
            let plan = ws.folder + "/p.json"
            try ws.must(["plan", "--repo", ws.repository, "--out", plan])
            let saved = try JSONSerialization.jsonObject(with: try #require(FileManager.default.contents(atPath: plan))) as? [String: Any]
            try #require((saved?["summary"] as? [String: Any])?.int("total") == Self.changes, "the plan makes every change")
            try #require(try Contents(ws) == .before)

            let apply = try BackgroundProcess(binary, ["apply", plan, "--yes", "--store", ws.storeURL], in: ws.folder)
            let holding: () -> Bool = {
                ((try? String(contentsOfFile: ws.lockFile, encoding: .utf8)) ?? "").hasPrefix("pid ")
            }
            // The holder line is written once the lock is taken, just before the transaction.
            let started = poll(upTo: .seconds(300)) { holding() || !apply.process.isRunning }
            try #require(started, "apply neither took the lock nor ended")
            usleep(UInt32.random(in: 0...300_000))
            apply.stop(with: SIGKILL)
            let killed = apply.wait()
            // Either it was killed (-SIGKILL) or it had already finished successfully.
            #expect(killed.status == -SIGKILL || killed.status == 0, "attempt \(attempt): \(killed)")

            let verify = try ws.roster(["audit", "verify"])
            #expect(verify.status == 0, "attempt \(attempt): \(verify)")

            let contents = try Contents(ws)
            #expect(contents == .before || contents == .after, "attempt \(attempt): the store is between: \(contents)")
            let head = try ws.auditHead()
            if contents == .before {
                #expect(head == nil, "an empty audit log has no head")
                #expect(killed.status != 0, "a finished apply left nothing behind")
            } else {
                #expect(head?.hasPrefix("\(Self.changes):") == true, "\(String(describing: head))")
            }

            let again = try ws.roster(["apply", plan, "--yes", "--quiet"])
            if contents == .before {
                #expect(again.status == 0, "the killed apply had not committed: the plan applies: \(again)")
            } else {
                #expect(again.status == 3 && again.stderr.contains("stale plan"), "it had committed: the plan is stale: \(again)")
            }
            #expect(try Contents(ws) == .after, "attempt \(attempt)")
            let final = try ws.roster(["audit", "verify", "--head", try #require(try ws.auditHead())])
            #expect(final.status == 0, "\(final)")
            let noChanges = try ws.roster(["plan", "--repo", ws.repository, "--detailed-exitcode", "--quiet"])
            #expect(noChanges.status == 0, "\(noChanges)")
        }
    }
}
