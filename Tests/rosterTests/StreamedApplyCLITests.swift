import Foundation
import RosterTestSupport
import Testing

/// A first apply writes each team as soon as it is decoded (`Reconciler.applyStreamed`).
/// These compare what it leaves with what a saved plan's apply leaves (a saved plan is never
/// streamed), on layouts where it can stream and where it must roll back and plan again.
@Suite("A first apply written while it decodes")
struct StreamedApplyCLITests {
    static let streamedLine = "The store held no team: each team was written as soon as it was decoded."

    /// `slug`'s manifest: its owner and `members` others.
    static func team(_ slug: String, members: Int) -> String { teamManifest(slug, admins: 1, members: members) }

    /// Files named after their teams across folders, with prefixes whose paths sort the other
    /// way (`ml-research.yaml` before `ml.yaml`), and enough members for several blocks.
    static var namedAfterTeams: [String: String] {
        var files = [
            "roster.yaml": "apiVersion: roster/v1\nkind: Config\nspec:\n  paths: [teams]\n  safety:\n    maxRemovals: 100000\n",
            "teams/b/ml.yaml": team("ml", members: 40),
            "teams/a/ml-research.yaml": team("ml-research", members: 3),
            "teams/z/alpha.yaml": team("alpha", members: 1),
        ]
        for index in 0..<60 { files["teams/bulk/team-\(index).yaml"] = team("team-\(index)", members: 150) }
        return files
    }

    /// What the apply left, in the store's order: each audit entry's action, resource and
    /// values (not its time, run or hash), and the invitations.
    static func applied(_ ws: Workspace) throws -> (audit: [String], invitations: String, teams: String) {
        let audit = try ws.auditEntries().map { entry in
            try ["action", "resourceType", "resourceId", "team", "before", "after"].map { key in
                String(decoding: try JSONSerialization.data(withJSONObject: entry[key] ?? NSNull(), options: [.sortedKeys, .fragmentsAllowed]), as: UTF8.self)
            }.joined(separator: " ")
        }
        let invitations = try ws.sql("SELECT team, email, role, status FROM invitations ORDER BY team, email")
        let teams = try ws.sql("SELECT slug, display_name, owner, spend_limit_cents FROM teams ORDER BY slug")
        return (audit, invitations, teams)
    }

    /// `files` applied twice: by `apply --repo --yes --verbose`, and by `plan --out` then
    /// `apply FILE`. Returns the first apply's run and both stores' contents.
    static func applyBothWays(_ files: [String: String]) throws -> (streamed: Run, equal: Bool, entries: Int) {
        try withWorkspace { streamed in
            try withWorkspace { saved in
                try streamed.makeRepository(files: files)
                try saved.makeRepository(files: files)
                let run = try streamed.must(["apply", "--repo", streamed.repository, "--yes", "--verbose"])
                let plan = saved.folder + "/plan.json"
                try saved.must(["plan", "--repo", saved.repository, "--out", plan])
                try saved.must(["apply", plan, "--yes"])
                try streamed.must(["audit", "verify"])
                let left = try applied(streamed)
                let right = try applied(saved)
                #expect(left.audit == right.audit)
                #expect(left.invitations == right.invitations)
                #expect(left.teams == right.teams)
                // The next plan finds nothing to do: the plan cache was written with the apply.
                let next = try streamed.must(["plan", "--repo", streamed.repository, "--detailed-exitcode"])
                #expect(next.stdout.contains("No changes"), "\(next)")
                return (run, left.audit == right.audit && left.invitations == right.invitations, left.audit.count)
            }
        }
    }

    @Test("files named after their teams are written while decoded, and leave what a saved plan leaves")
    func namedAfterTheirTeams() throws {
        let (run, equal, entries) = try Self.applyBothWays(Self.namedAfterTeams)
        #expect(equal)
        #expect(entries == 63 + 40 + 3 + 1 + 60 * 150)
        #expect(run.stderr.contains(Self.streamedLine), "\(run)")
        #expect(run.stdout.contains("+ create team ml-research"), "the plan is printed: \(run)")
        #expect(run.stdout.contains("Applied \(entries) changes"), "\(run)")
    }

    @Test("a file whose teams are out of the slugs' order is rolled back and applied the usual way")
    func outOfOrder() throws {
        var files = Self.namedAfterTeams
        // A second team after team-1 in the same file, whose slug sorts first: the feed is
        // abandoned there, and the whole is planned again.
        files["teams/bulk/team-1.yaml"] = Self.team("team-1", members: 150) + "---\n" + Self.team("aaa", members: 5)
        let (run, equal, entries) = try Self.applyBothWays(files)
        #expect(equal)
        #expect(entries == 64 + 40 + 3 + 1 + 5 + 60 * 150)
        #expect(!run.stderr.contains(Self.streamedLine), "\(run)")
    }

    enum LateProblem: String, CaseIterable, Sendable {
        case invalidManifest, ceilingBroken, duplicateTeam
    }

    @Test("a problem in the last file decoded, after thousands of changes were written, leaves the store empty", arguments: LateProblem.allCases)
    func lateProblem(_ problem: LateProblem) throws {
        var files = Self.namedAfterTeams
        let (file, error): (String, String) =
            switch problem {
            case .invalidManifest:
                ("teams/zz/zz.yaml", Self.team("zz", members: 2).replacingOccurrences(of: "role: basic", with: "role: superuser"))
            case .ceilingBroken:
                ("teams/zz/zz.yaml", Self.team("zz", members: 2).replacingOccurrences(of: "  owner:", with: "  spendLimit:\n    perHour: 500\n  owner:"))
            case .duplicateTeam: ("teams/zz/zz.yaml", Self.team("team-7", members: 2))
            }
        files[file] = error
        try withWorkspace { ws in
            try ws.makeRepository(files: files)
            let apply = try ws.roster(["apply", "--repo", ws.repository, "--yes", "--verbose"])
            #expect(apply.status == 1, "\(apply)")
            #expect(apply.stderr.contains("teams/zz/zz.yaml:"), "\(apply)")
            #expect(!apply.stderr.contains(Self.streamedLine), "\(apply)")
            #expect(!apply.stdout.contains("Applied"), "\(apply)")
            #expect(try ws.count("SELECT count(*) FROM teams") == 0)
            #expect(try ws.count("SELECT count(*) FROM invitations") == 0)
            #expect(try ws.count("SELECT count(*) FROM audit") == 0)
            #expect(try ws.count("SELECT value FROM meta WHERE key = 'state_version'") == 0)
        }
    }

    @Test("a store that holds a team is planned and applied the usual way")
    func notEmpty() throws {
        try withWorkspace { ws in
            try ws.appliedExamples()
            try ws.write(teamManifest("zz", admins: 2, members: 2), to: "teams/zz.yaml")
            try ws.commit("one more team")
            let apply = try ws.must(["apply", "--repo", ws.repository, "--yes", "--verbose"])
            #expect(!apply.stderr.contains(Self.streamedLine), "\(apply)")
            #expect(apply.stdout.contains("Applied 4 changes"), "\(apply)")
        }
    }
}
