import Foundation
import RosterTestSupport
import Testing

/// The plan cache as a user meets it: plans after an apply come from what changed, `--no-cache`
/// plans cold and says the same, an edit made in the database by hand is never missed, and
/// `roster diff` decodes only the files a change touches.
@Suite("Incremental plans from the command line")
struct IncrementalPlanCLITests {
    @Test("after an apply, plans with and without the cache agree, through commits and edits by hand")
    func planAgreesWithColdPlan() throws {
        try withWorkspace { ws in
            _ = try ws.appliedExamples()
            var (cached, cold) = try ws.jsonPlans()
            #expect(cached == cold)
            #expect(try ws.count("SELECT count(*) FROM plan_cache_files") == 3, "the applied tree's files are cached")

            // A commit touching one file, and an edit by hand in another team.
            try ws.edit("teams/inference.yaml", replacing: "role: dev", with: "role: billing")
            _ = try ws.commit("ivan bills")
            try ws.sql("UPDATE memberships SET role = 'dev' WHERE team = 'finance' AND email = 'carol@example.com';")
            (cached, cold) = try ws.jsonPlans()
            #expect(cached == cold)
            #expect(cached.contains("finance"), "the edit by hand is planned: \(cached)")
            #expect(cached.contains("inference"), "the commit is planned: \(cached)")

            try ws.must(["reconcile", "--repo", ws.repository])
            #expect(try ws.count("SELECT count(*) FROM plan_marks") == 0, "the apply settles every team")
            let after = try ws.must(["plan", "--repo", ws.repository, "--detailed-exitcode"])
            #expect(after.stdout.contains("No changes"), "\(after)")
        }
    }

    @Test("a plan of the applied tree still compares a team no manifest declares any more, and one inserted by hand")
    func undeclaredTeams() throws {
        try withWorkspace { ws in
            _ = try ws.appliedExamples()
            try FileManager.default.removeItem(atPath: ws.repository + "/teams/inference.yaml")
            _ = try ws.commit("inference leaves the repository")
            // allowTeamDeletion is off in the examples: the team stays, and every plan says so.
            let warning = "team inference is in the store but no manifest declares it"
            let applied = try ws.must(["apply", "--repo", ws.repository, "--yes"])
            #expect(applied.stderr.contains(warning), "\(applied)")
            #expect(try ws.sql("SELECT value FROM plan_cache WHERE key = 'undeclared'") == "inference")
            var (cached, cold) = try ws.jsonPlans()
            #expect(cached == cold)
            #expect(cached.contains(warning), "the plan of the same tree reads no file, and still warns: \(cached)")

            // A team inserted by hand is marked, so it is compared too.
            try ws.sql(
                "INSERT INTO teams (slug, display_name, owner, spend_limit_cents, created_at) SELECT 'by-hand', 'By hand', owner, 8000, created_at FROM teams LIMIT 1;")
            (cached, cold) = try ws.jsonPlans()
            #expect(cached == cold)
            #expect(cached.contains("team by-hand is in the store but no manifest declares it"), "\(cached)")
        }
    }

    @Test("an apply with nothing to change still leaves the cache at its tree")
    func emptyApplyRefreshesTheCache() throws {
        try withWorkspace { ws in
            _ = try ws.appliedExamples()
            // New bytes that mean the same: the plan is empty, the blob and the tree are new.
            try ws.write(try ws.read("teams/inference.yaml") + "# reviewed\n", to: "teams/inference.yaml")
            _ = try ws.commit("a comment")
            let tree = try git("rev-parse", "HEAD^{tree}", in: ws.repository)
            #expect(try ws.sql("SELECT value FROM plan_cache WHERE key = 'tree'") != tree)
            let apply = try ws.must(["apply", "--repo", ws.repository, "--yes"])
            #expect(apply.stdout.contains("No changes"), "\(apply)")
            #expect(try ws.sql("SELECT value FROM plan_cache WHERE key = 'tree'") == tree, "the cache is at the new tree")
        }
    }

    @Test("an edit made in the database by hand moves the state version: a plan saved before it is stale")
    func breakGlassMakesSavedPlansStale() throws {
        try withWorkspace { ws in
            _ = try ws.appliedExamples()
            try ws.edit("teams/inference.yaml", replacing: "role: dev", with: "role: billing")
            _ = try ws.commit("ivan bills")
            let planFile = ws.folder + "/plan.json"
            try ws.must(["plan", "--repo", ws.repository, "--out", planFile])
            let before = try ws.count("SELECT value FROM meta WHERE key = 'state_version'")
            try ws.sql(
                sqlite: "UPDATE teams SET display_name = 'Finance (by hand)' WHERE slug = 'finance';",
                postgres: "UPDATE teams SET display_name = 'Finance (by hand)' WHERE slug = 'finance';")
            #expect(try ws.count("SELECT value FROM meta WHERE key = 'state_version'") > before)
            let apply = try ws.roster(["apply", planFile, "--yes"])
            #expect(apply.status == 3 && apply.stderr.contains("stale plan"), "\(apply)")
        }
    }

    @Test("diff decodes only what differs, and says what a diff of both whole trees says")
    func diffOfChangedFiles() throws {
        try withWorkspace { ws in
            let base = try ws.makeRepository()
            try ws.edit("teams/inference.yaml", replacing: "role: dev", with: "role: admin")
            // A new team whose slug another, untouched file already declares: still a duplicate.
            try ws.write(
                try ws.read("teams/inference.yaml").replacingOccurrences(of: "name: inference", with: "name: finance"),
                to: "teams/copy.yaml")
            let head = try ws.commit("head")
            for format in ["text", "json", "markdown"] {
                let quick = try ws.roster(["diff", "--repo", ws.repository, "--base", base, "--head", head, "--format", format])
                let full = try ws.roster(
                    ["diff", "--repo", ws.repository, "--base", base, "--head", head, "--format", format, "--no-cache"])
                #expect(quick.status == full.status && quick.stdout == full.stdout && quick.stderr == full.stderr, "\(quick)\n\(full)")
                #expect(quick.status == 1 && quick.stderr.contains("declared twice"), "\(quick)")
            }
            try FileManager.default.removeItem(atPath: ws.repository + "/teams/copy.yaml")
            let fixed = try ws.commit("fixed")
            let quick = try ws.must(["diff", "--repo", ws.repository, "--base", base, "--head", fixed, "--format", "json"])
            let full = try ws.must(["diff", "--repo", ws.repository, "--base", base, "--head", fixed, "--format", "json", "--no-cache"])
            #expect(quick.stdout == full.stdout)
            #expect(quick.stdout.contains("member.role.update") || quick.stdout.contains("invite.update"), "\(quick)")
        }
    }
}

extension Workspace {
    /// The JSON plan of the repository from the plan cache, and the cold one (`--no-cache`).
    fileprivate func jsonPlans() throws -> (cached: String, cold: String) {
        (
            try must(["plan", "--repo", repository, "--format", "json"]).stdout,
            try must(["plan", "--repo", repository, "--format", "json", "--no-cache"]).stdout
        )
    }
}
