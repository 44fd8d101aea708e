import Foundation
import RosterCore
import RosterGit
import RosterReconcile
import RosterStore
import RosterStoreTestSupport
import RosterTestSupport
import Testing

/// Random histories of a manifest repository and its store, seeded: after every step the
/// plan made from the store's plan cache must be exactly the cold plan (`--no-cache`) of the
/// same commit and state — changes, warnings, errors, diagnostics and declarations.
///
/// 1,650 steps in all, in two suites that run beside each other, each one history at a time:
/// all in one serialized suite, they were CI's last minutes with a core idle; all at once,
/// they loaded the machine enough to make servers under test miss their lease renewals.
@Suite("Incremental plans equal cold plans", .serialized)
struct IncrementalPlanPropertyTests {
    @Test("git histories on SQLite", arguments: 1...3)
    func sqliteHistories(seed: UInt64) async throws {
        try await History.run(seed: seed, steps: 200, backend: .sqlite, folderSource: false)
    }

    @Test("folder sources on SQLite (content hashes for blob ids)", arguments: [101, 102] as [UInt64])
    func folderHistories(seed: UInt64) async throws {
        try await History.run(seed: seed, steps: 150, backend: .sqlite, folderSource: true)
    }
}

/// The other half of `IncrementalPlanPropertyTests`.
@Suite("Incremental plans equal cold plans, more histories", .serialized)
struct MoreIncrementalPlanPropertyTests {
    @Test("git histories on SQLite", arguments: 4...6)
    func sqliteHistories(seed: UInt64) async throws {
        try await History.run(seed: seed, steps: 200, backend: .sqlite, folderSource: false)
    }

    @Test("git histories on PostgreSQL", arguments: [201] as [UInt64])
    func postgresHistories(seed: UInt64) async throws {
        try await History.run(seed: seed, steps: 150, backend: .postgres, folderSource: false)
    }
}

/// One random history: a model of the repository's files, written and committed each step.
private struct History {
    struct Team {
        var slug: String
        var displayName: String
        var owner: Int
        /// The owner it was created with, who joined with it.
        var founder: Int
        var members: [Int: Role]
        var perHour: String?
        /// Temporary members: when their access ends.
        var expires: [Int: Date] = [:]
    }

    var random: SeededGenerator
    let repository: TestRepository
    let fixture: StoreFixture
    let folderSource: Bool
    /// Path → the teams it declares (in order); a nil entry is a file that is not YAML.
    var files: [String: [Team]?] = [:]
    var allowTeamDeletion = false
    var selfHeal = true
    var maxRemovals = 25
    var expireAfter: String?
    var renew = false
    /// The time every plan and run of a step is made at: it moves on by up to two hours a
    /// step, so temporary members and invitation links expire along the way.
    var clock = Date(timeIntervalSince1970: 1_900_000_000)
    var step = 0
    /// Plans compared, and how many of them the cache served (so the test cannot pass by
    /// always planning cold).
    var compared = 0
    var incremental = 0
    /// Plans made from a partial cache (the same tree, only the files of the teams compared).
    var partial = 0
    var runs: [ReconcileRun.Result: Int] = [:]
    var failures: [String] = []
    var founders: [String: Int] = [:]
    var commits: [String] = []
    var diffs = 0

    static func run(seed: UInt64, steps: Int, backend: StoreBackend, folderSource: Bool) async throws {
        try await StoreFixture.with(backend) { fixture in
            let repository = try TestRepository.create(at: fixture.folder + "/repo")
            var history = History(
                random: SeededGenerator(seed: seed), repository: repository, fixture: fixture, folderSource: folderSource)
            try await history.play(steps)
        }
    }

    static let slugs = (0..<14).map { "team-\($0)" }
    static func email(_ user: Int) -> String { "u\(user)@example.com" }

    mutating func play(_ steps: Int) async throws {
        for _ in 0..<3 { addTeam() }
        try write()
        for index in 0..<steps {
            step = index
            clock += Double(Int.random(in: 0..<7200, using: &random))
            // Broken manifests and refused plans are part of the history, but each is mended
            // soon, so that most steps plan (and apply) something.
            if Int.random(in: 0..<10, using: &random) < 6 { repair() }
            let actions = Int.random(in: 1...3, using: &random)
            for _ in 0..<actions { try await act() }
            try write()
            try await compare()
            if !folderSource { try await compareDiff() }
            if Int.random(in: 0..<10, using: &random) < 4 {
                let run = try? await Reconciler.run(request(), store: fixture.store)
                runs[run?.run?.result ?? .failed, default: 0] += 1
                if run?.run?.result == .failed, failures.count < 8 { failures.append(run?.run?.message ?? "thrown") }
                try await compare()
            }
        }
        #expect(incremental * 5 >= compared, "only \(incremental) of \(compared) plans were incremental; runs: \(runs) \(failures)")
        #expect(folderSource || partial * 20 >= compared, "only \(partial) of \(compared) plans read the cache in part")
        #expect(runs[.applied, default: 0] > 0 && runs[.failed, default: 0] > 0, "runs: \(runs)")
        #expect(folderSource || diffs * 2 >= steps, "only \(diffs) diffs of \(steps) steps were compared")
    }

    // MARK: What happens in a step

    mutating func act() async throws {
        switch Int.random(in: 0..<100, using: &random) {
        case 0..<12: addTeam()
        case 12..<40: editTeam()
        case 40..<46: moveFile()
        case 46..<52: splitOrMerge()
        case 52..<57: deleteFile()
        case 57..<59: breakFile()
        case 61..<69: touchFile()
        case 69..<71: changeConfig()
        case 71..<80: try await acceptInvitation()
        case 80..<92: try breakGlass()
        default: try await raiseCeiling()
        }
    }

    /// Mends what the planner or the validator would refuse: files that are not YAML, teams
    /// declared twice, spend limits over the default ceiling, owners who may not have joined.
    mutating func repair() {
        var seen = Set<String>()
        for path in files.keys.sorted() {
            guard let teams = files[path]! else {
                files[path] = nil
                continue
            }
            files[path] = teams.filter { seen.insert($0.slug).inserted }.map { team in
                var team = team
                if team.perHour == "150" || team.perHour == "95.50" { team.perHour = nil }
                team.owner = team.founder
                team.members[team.owner] = .admin
                return team
            }
        }
        for path in files.keys where files[path]!?.isEmpty == true { files[path] = nil }
    }

    mutating func pick<T>(_ items: [T]) -> T? { items.isEmpty ? nil : items[Int.random(in: 0..<items.count, using: &random)] }

    var declared: [(path: String, index: Int, team: Team)] {
        files.keys.sorted().flatMap { path in
            (files[path]!.map { $0 } ?? []).enumerated().map { (path, $0.offset, $0.element) }
        }
    }

    mutating func addTeam() {
        let used = Set(declared.map(\.team.slug))
        // Now and then a slug already declared: a duplicate, which must fail the same way.
        let duplicate = Int.random(in: 0..<20, using: &random) == 0
        guard let slug = pick(Self.slugs.filter { duplicate || !used.contains($0) }) else { return }
        // A slug keeps its first owner: the store may still hold the team from before.
        let owner = founders[slug] ?? Int.random(in: 0..<40, using: &random)
        founders[slug] = owner
        var members: [Int: Role] = [owner: .admin]
        for _ in 0..<Int.random(in: 0...4, using: &random) {
            members[Int.random(in: 0..<40, using: &random)] = pick(Role.allCases)!
        }
        members[owner] = .admin
        let team = Team(slug: slug, displayName: slug.uppercased(), owner: owner, founder: owner, members: members, perHour: nil)
        if Bool.random(using: &random), let path = pick(files.keys.filter { files[$0]! != nil }.sorted()) {
            files[path] = (files[path]! ?? []) + [team]
        } else {
            files["teams/\(slug)-\(step).yaml"] = [team]
        }
    }

    mutating func editTeam() {
        guard let (path, index, original) = pick(declared) else { return }
        var team = original
        let others = team.members.keys.filter { $0 != team.owner }.sorted()
        switch Int.random(in: 0..<8, using: &random) {
        case 0: team.members[Int.random(in: 0..<40, using: &random)] = pick(Role.allCases)!
        case 1: if let user = pick(others) { team.members[user] = nil }
        case 2: if let user = pick(others) { team.members[user] = pick(Role.allCases)! }
        case 3: team.displayName = team.slug + " \(step)"
        case 4: team.perHour = pick(["20", "80", "95.50", "150"])
        case 5 where Int.random(in: 0..<3, using: &random) == 0:
            // A new owner: refused until they have joined, which the plans must agree on.
            if let user = pick(team.members.filter { $0.value == .admin && $0.key != team.owner }.map(\.key).sorted()) {
                team.owner = user
            }
        case 6:
            // Access that ends an hour or so either side of now, or no longer ends.
            if let user = pick(others) {
                team.expires[user] =
                    Bool.random(using: &random) ? clock + Double(Int.random(in: -3600...10800, using: &random)) : nil
            }
        default: team.members[team.owner] = .admin
        }
        team.expires = team.expires.filter { team.members[$0.key] != nil && $0.key != team.owner }
        team.members[team.owner] = .admin
        var teams = files[path]!!
        teams[index] = team
        files[path] = teams
    }

    mutating func moveFile() {
        guard let path = pick(files.keys.sorted()) else { return }
        let teams = files.removeValue(forKey: path)!
        files[(Bool.random(using: &random) ? "teams/moved/" : "teams/") + "m\(step)-" + (path.split(separator: "/").last ?? "x")] = teams
    }

    mutating func splitOrMerge() {
        if let path = pick(files.keys.filter { (files[$0]!?.count ?? 0) > 1 }.sorted()), Bool.random(using: &random) {
            var teams = files[path]!!
            let team = teams.removeLast()
            files[path] = teams
            files["teams/split-\(team.slug)-\(step).yaml"] = [team]
        } else if let from = pick(files.keys.filter { files[$0]!?.count == 1 }.sorted()),
            let to = pick(files.keys.filter { $0 != from && files[$0]! != nil }.sorted())
        {
            // A team moved into another file: the same slug, declared somewhere else.
            let team = files.removeValue(forKey: from)!!
            files[to] = (files[to]!! + team)
        }
    }

    mutating func deleteFile() {
        if let path = pick(files.keys.sorted()) { files[path] = nil }
    }

    mutating func breakFile() {
        if let broken = files.keys.first(where: { files[$0]! == nil }) {
            files[broken] = nil
        } else {
            files["teams/broken-\(step).yaml"] = .some(nil)
        }
    }

    /// A commit that changes a file's blob but not what it declares.
    mutating func touchFile() {
        guard let path = pick(files.keys.filter { files[$0]! != nil }.sorted()) else { return }
        files[path] = files[path]!
        comments[path, default: 0] += 1
    }

    var comments: [String: Int] = [:]

    mutating func changeConfig() {
        switch Int.random(in: 0..<4, using: &random) {
        case 0: allowTeamDeletion.toggle()
        case 1: selfHeal.toggle()
        case 2:
            // Invitation links that expire in a few hours, renewed or not.
            expireAfter = expireAfter == nil ? "3h" : nil
            renew = Bool.random(using: &random)
        default: maxRemovals = maxRemovals == 25 ? 2 : 25
        }
    }

    mutating func acceptInvitation() async throws {
        guard let invitation = pick(try await fixture.store.pendingInvitations()) else { return }
        try? await fixture.store.acceptInvitation(id: invitation.id, email: invitation.email, at: clock)
    }

    /// A change made in the store behind Roster's back, with the database's own shell.
    mutating func breakGlass() throws {
        let user = Self.email(Int.random(in: 0..<40, using: &random))
        let role = pick(Role.allCases)!.rawValue
        guard let slug = pick(Self.slugs) else { return }
        let statements = [
            "UPDATE memberships SET role = '\(role)' WHERE team = '\(slug)' AND email IN (SELECT email FROM memberships WHERE team = '\(slug)' ORDER BY email LIMIT 1)",
            "DELETE FROM memberships WHERE team = '\(slug)' AND email = (SELECT email FROM memberships WHERE team = '\(slug)' ORDER BY email DESC LIMIT 1)",
            "UPDATE invitations SET role = '\(role)' WHERE team = '\(slug)' AND status = 'pending'",
            "UPDATE invitations SET status = 'revoked' WHERE team = '\(slug)' AND email = '\(user)'",
            "UPDATE teams SET display_name = 'edited by hand' WHERE slug = '\(slug)'",
            "UPDATE teams SET spend_limit_cents = 1234 WHERE slug = '\(slug)'",
            "INSERT INTO users (email, created_at) VALUES ('\(user)', 'x') ON CONFLICT DO NOTHING; "
                + "INSERT INTO memberships (team, email, role, created_at) SELECT slug, '\(user)', '\(role)', 'x' FROM teams WHERE slug = '\(slug)' ON CONFLICT DO NOTHING",
        ]
        let sql = pick(statements)! + ";"
        try fixture.sql(sqlite: sql, postgres: sql)
    }

    mutating func raiseCeiling() async throws {
        guard let slug = pick(Self.slugs) else { return }
        try await fixture.store.setCeiling(
            team: slug, to: SpendLimit(cents: pick([8000, 12000, 20000])!), actor: "operator", at: clock)
    }

    // MARK: Files, commits, plans

    func yaml(_ team: Team) -> String {
        var text = "apiVersion: roster/v1\nkind: Team\nmetadata:\n  name: \(team.slug)\nspec:\n"
        text += "  displayName: \(team.displayName)\n  owner: \(Self.email(team.owner))\n"
        if let perHour = team.perHour { text += "  spendLimit:\n    perHour: \(perHour)\n" }
        text += "  members:\n"
        for (user, role) in team.members.sorted(by: { $0.key < $1.key }) {
            text += "    - email: \(Self.email(user))\n      role: \(role.rawValue)\n"
            if let ends = team.expires[user] { text += "      expires: \(Expiry.text(ends))\n" }
        }
        return text
    }

    mutating func write() throws {
        let root = repository.path
        try? FileManager.default.removeItem(atPath: root + "/teams")
        var config = "apiVersion: roster/v1\nkind: Config\nspec:\n  paths: [teams]\n  safety:\n"
        config += "    maxRemovals: \(maxRemovals)\n    minAdmins: 1\n    allowTeamDeletion: \(allowTeamDeletion)\n"
        config += "  reconcile:\n    selfHeal: \(selfHeal)\n"
        if let expireAfter { config += "  invitations:\n    expireAfter: \(expireAfter)\n    renew: \(renew)\n" }
        try repository.write("roster.yaml", config)
        // The folder stays in git when no manifest is left in it.
        try repository.write("teams/README", "team manifests\n")
        for (path, teams) in files {
            let comment = String(repeating: "# touched\n", count: comments[path] ?? 0)
            guard let teams else {
                try repository.write(path, comment + "not: [valid\n")
                continue
            }
            try repository.write(path, comment + teams.map(yaml).joined(separator: "---\n"))
        }
        if !folderSource { commits.append(try repository.commitAll("step \(step)")) }
    }

    /// `roster diff` between an earlier commit and the last, decoding only what differs,
    /// against the same diff of whole trees: the same plan, the same errors.
    mutating func compareDiff() async throws {
        guard commits.count > 1 else { return }
        let base = commits[commits.count - 1 - Int.random(in: 0..<min(commits.count - 1, 4), using: &random) - 1]
        let loader = ManifestLoader()
        let path = repository.path
        let sources = { (ref: String) in try GitSource(repository: path, ref: ref) }
        let quick = try await loader.loadChange(base: try sources(base), head: try sources("HEAD"))
        let full = try await loader.loadChange(base: try sources(base), head: try sources("HEAD"), everything: true)
        guard full.base.isValid else { return }
        #expect(quick.base.isValid, "step \(step): diff base")
        let errors = { (load: LoadResult) in load.diagnostics.filter { $0.severity == .error } }
        #expect(errors(quick.head) == errors(full.head), "step \(step): diff errors differ")
        guard full.head.isValid else { return }
        let now = clock
        let plan = { (loads: (base: LoadResult, head: LoadResult)) in
            Planner.plan(
                desired: loads.head.teams, current: CurrentState(declaredBy: loads.base.teams, now: now),
                rules: PlanRules(loads.head.config, now: now), source: nil)
        }
        let (quickPlan, quickErrors) = plan(quick)
        let (fullPlan, fullErrors) = plan(full)
        #expect(quickPlan == fullPlan && quickErrors == fullErrors, "step \(step): diff plans differ")
        diffs += 1
    }

    func source() throws -> any ManifestSource {
        folderSource ? try DirectorySource(path: repository.path) : try GitSource(repository: repository.path)
    }

    func request() -> Reconciler.RunRequest {
        let path = repository.path
        let now = clock
        if folderSource {
            return Reconciler.RunRequest(
                trigger: "property", lockTimeout: .seconds(10), openSource: { try DirectorySource(path: path) }, now: { now })
        }
        return Reconciler.RunRequest(
            trigger: "property", lockTimeout: .seconds(10), openSource: { try GitSource(repository: path) },
            openCommit: { commit in try GitSource(repository: path, ref: commit, fetch: false) }, now: { now })
    }

    mutating func compare() async throws {
        let incremental = try await Reconciler.plan(
            source: try source(), loader: ManifestLoader(), store: fixture.store, overrides: .init(), now: clock)
        let cold = try await Reconciler.plan(
            source: try source(), loader: ManifestLoader(), store: fixture.store, overrides: .init(useCache: false), now: clock)
        let where_ = "step \(step)"
        compared += 1
        if !incremental.load.complete { self.incremental += 1 }
        #expect(cold.load.complete)
        #expect(incremental.plan == cold.plan, "\(where_): plans differ")
        #expect(incremental.errors == cold.errors, "\(where_): errors differ")
        #expect(incremental.load.diagnostics == cold.load.diagnostics, "\(where_): diagnostics differ")
        #expect(incremental.load.fileCount == cold.load.fileCount && incremental.load.byteCount == cold.load.byteCount)
        let order: (TeamDeclaration, TeamDeclaration) -> Bool = { ($0.slug, $0.file, $0.position) < ($1.slug, $1.file, $1.position) }
        #expect(
            incremental.load.declarations.sorted(by: order) == cold.load.declarations.sorted(by: order),
            "\(where_): declarations differ")
        if incremental.plan != cold.plan {
            Issue.record("\(where_): incremental \(incremental.plan?.changes ?? []) cold \(cold.plan?.changes ?? [])")
            throw FixtureError(description: "stopped at the first difference")
        }

        // As `roster plan` and `apply` make it: declarations only of the teams compared. Only a
        // plan of the cache's own tree can read it in part; any other is the plan above.
        guard let tree = incremental.basis?.cache?.tree, tree == incremental.load.revision?.tree else { return }
        let printed = try await Reconciler.plan(
            source: try source(), loader: ManifestLoader(), store: fixture.store, overrides: .init(), now: clock,
            allDeclarations: false)
        if printed.basis?.cache?.partial == true { partial += 1 }
        #expect(printed.plan == cold.plan, "\(where_): plans differ (partial cache)")
        #expect(printed.errors == cold.errors, "\(where_): errors differ (partial cache)")
        #expect(printed.load.diagnostics == cold.load.diagnostics, "\(where_): diagnostics differ (partial cache)")
        #expect(printed.load.fileCount == cold.load.fileCount && printed.load.byteCount == cold.load.byteCount)
        #expect(printed.load.cacheUpdate?.undeclared == cold.load.cacheUpdate?.undeclared, "\(where_): undeclared teams differ")
        let coldDeclarations = Set(cold.load.declarations.map { "\($0.slug) \($0.file) \($0.position)" })
        let printedDeclarations = Set(printed.load.declarations.map { "\($0.slug) \($0.file) \($0.position)" })
        #expect(
            printed.load.declarationsComplete ? printedDeclarations == coldDeclarations : printedDeclarations.isSubset(of: coldDeclarations),
            "\(where_): declarations differ (partial cache)")
        if printed.plan != cold.plan {
            Issue.record("\(where_): partial \(printed.plan?.changes ?? []) cold \(cold.plan?.changes ?? [])")
            throw FixtureError(description: "stopped at the first difference")
        }
    }
}
