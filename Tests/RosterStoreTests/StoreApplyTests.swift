import Foundation
import RosterTestSupport
import RosterCore
import RosterStoreTestSupport
import Testing

@testable import RosterSQLite
@testable import RosterStore

@Suite("Store: applying plans")
struct StoreApplyTests {
    static let mlResearch = team(
        "ml-research", displayName: "ML Research", spendLimit: SpendLimit(cents: 6_050),
        members: [("alice@example.com", .admin), ("bob@example.com", .dev), ("Carol@Example.com", .billing)])

    @Test("team.create with invitations lands whole, with one chained audit entry per change and the run recorded", arguments: StoreBackend.allCases)
    func createTeam(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            let plan = try await fixture.plan([Self.mlResearch])
            #expect(plan.stateVersion == 0)
            #expect(plan.changes.map(\.action) == [.teamCreate, .inviteCreate, .inviteCreate])

            let runID = "run-create-1"
            let report = try await fixture.store.apply(plan, context: context(runID: runID))
            #expect(report.applied == 3)
            #expect(report.runID == runID)
            #expect(report.stateVersion == 1)

            let state = try await fixture.store.currentState()
            #expect(state.version == 1)
            #expect(
                state.teams == [
                    "ml-research": TeamState(
                        slug: "ml-research", displayName: "ML Research", owner: email("alice@example.com"),
                        spendLimit: SpendLimit(cents: 6_050), ceiling: .default,
                        members: [email("alice@example.com"): .admin],
                        invitations: [email("bob@example.com"): .dev, email("carol@example.com"): .billing])
                ])
            let pending = try await fixture.store.pendingInvitations()
            #expect(pending.map(\.email.value) == ["bob@example.com", "carol@example.com"])
            #expect(pending.map(\.role) == [.dev, .billing])
            #expect(pending.allSatisfy { $0.status == .pending && $0.team == "ml-research" && $0.createdBy == "dev@example.com" })

            let entries = try await fixture.audit()
            #expect(entries.count == plan.changes.count)
            #expect(entries.map(\.seq) == [1, 2, 3])
            #expect(entries.map(\.action) == ["team.create", "invite.create", "invite.create"])
            #expect(entries.map(\.resourceType) == ["team", "invite", "invite"])
            #expect(entries.map(\.resourceID) == ["ml-research", "ml-research/bob@example.com", "ml-research/carol@example.com"])
            #expect(entries.map(\.before) == [nil, nil, nil])
            #expect(
                entries.map(\.after) == [
                    #"{"displayName":"ML Research","owner":"alice@example.com","spendLimit":60.5}"#, #""dev""#, #""billing""#,
                ])
            for entry in entries {
                #expect(entry.team == "ml-research")
                #expect(entry.actor == "roster")
                #expect(entry.onBehalfOf == "dev@example.com")
                #expect(entry.commit == fixedCommit)
                #expect(entry.runID == runID)
                #expect(entry.time == fixedTime)
                #expect(entry.time.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil)
                #expect(entry.hash == AuditChain.hash(entry))
                #expect(entry.hash.wholeMatch(of: /[0-9a-f]{64}/) != nil)
            }
            #expect(entries[0].prevHash == String(repeating: "0", count: 64))
            #expect(entries[1].prevHash == entries[0].hash)
            #expect(entries[2].prevHash == entries[1].hash)

            let head = AuditHead(seq: 3, hash: entries[2].hash)
            #expect(report.auditHead == head)
            #expect(try await fixture.store.auditHead() == head)
            #expect(try await fixture.store.verifyAudit(expectedHead: head) == .intact(count: 3, head: head))

            let runs = try await fixture.store.runs(limit: 10)
            #expect(
                runs == [
                    ReconcileRun(
                        id: runID, trigger: "apply", startedAt: fixedDate, finishedAt: fixedDate, repository: "test",
                        commit: fixedCommit, author: "dev@example.com", result: .applied, changes: 3, stateVersion: 1)
                ])
        }
    }

    @Test("a cache refreshed without an apply is written only while the store is at the plan's version", arguments: StoreBackend.allCases)
    func refreshPlanCache(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            try await fixture.converge([Self.mlResearch])
            let version = try await fixture.store.stateVersion()
            let file = PlanCache.File(
                path: "teams/ml.yaml", content: "blob-1", size: 10,
                teams: [PlanCache.Declared(slug: "ml-research", position: .start)])
            let update = PlanCacheUpdate(
                basedOn: nil, config: "", tree: "tree-1", complete: true, replaceAll: true, upserts: [file], removals: [])
            #expect(try await fixture.store.refreshPlanCache(update, asOf: version, lockTimeout: .seconds(5)))
            let basis = try await fixture.store.planBasis(at: fixedDate)
            #expect(basis.cache?.tree == "tree-1" && basis.cache?.files == [file] && basis.changed.isEmpty)

            // An edit by hand since: the version moved, its mark stays, nothing is written.
            _ = try fixture.sql(
                sqlite: "UPDATE teams SET display_name = 'By hand' WHERE slug = 'ml-research';",
                postgres: "UPDATE teams SET display_name = 'By hand' WHERE slug = 'ml-research';")
            var later = update
            later.tree = "tree-2"
            #expect(try await !fixture.store.refreshPlanCache(later, asOf: version, lockTimeout: .seconds(5)))
            let after = try await fixture.store.planBasis(at: fixedDate)
            #expect(after.cache?.tree == "tree-1" && after.changed == ["ml-research"])
        }
    }

    @Test("a basis for the cache's own tree reads only the files of the teams marked since, and no store team", arguments: StoreBackend.allCases)
    func partialBasis(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            try await fixture.converge([Self.mlResearch])
            let version = try await fixture.store.stateVersion()
            // Two files, one of them declaring two teams; "ml" is a prefix of "ml-research"
            // and must not match it.
            let files = [
                PlanCache.File(
                    path: "teams/a.yaml", content: "blob-a", size: 10,
                    teams: [PlanCache.Declared(slug: "ml", position: .start), PlanCache.Declared(slug: "web", position: .start)]),
                PlanCache.File(
                    path: "teams/ml.yaml", content: "blob-1", size: 32,
                    teams: [PlanCache.Declared(slug: "ml-research", position: .start)]),
            ]
            var update = PlanCacheUpdate(
                basedOn: nil, config: "", tree: "tree-1", complete: true, replaceAll: true, upserts: files, removals: [])
            update.undeclared = ["left-alone"]
            #expect(try await fixture.store.refreshPlanCache(update, asOf: version, lockTimeout: .seconds(5)))

            let quiet = try await fixture.store.planBasis(at: fixedDate, reading: .declaring(tree: "tree-1"))
            #expect(quiet.cache?.partial == true && quiet.cache?.files == [] && quiet.teams.isEmpty)
            #expect(quiet.cache?.undeclared == ["left-alone"] && quiet.cache?.totals == PlanCache.Totals(files: 2, bytes: 42))
            // Another tree, or every declaration asked for: the whole cache and every team.
            for reading in [PlanBasis.Reading.declaring(tree: "tree-2"), .all] {
                let whole = try await fixture.store.planBasis(at: fixedDate, reading: reading)
                #expect(whole.cache?.partial == false && whole.cache?.files == files && whole.teams == ["ml-research"])
            }

            // An edit by hand marks ml-research: its file alone is read.
            _ = try fixture.sql(
                sqlite: "UPDATE teams SET display_name = 'By hand' WHERE slug = 'ml-research';",
                postgres: "UPDATE teams SET display_name = 'By hand' WHERE slug = 'ml-research';")
            let marked = try await fixture.store.planBasis(at: fixedDate, reading: .declaring(tree: "tree-1"))
            #expect(marked.cache?.partial == true && marked.cache?.files == [files[1]] && marked.changed == ["ml-research"])

            // An update written without knowing the undeclared teams: never partial.
            update.undeclared = nil
            #expect(try await fixture.store.refreshPlanCache(update, asOf: try await fixture.store.stateVersion(), lockTimeout: .seconds(5)))
            let unknown = try await fixture.store.planBasis(at: fixedDate, reading: .declaring(tree: "tree-1"))
            #expect(unknown.cache?.partial == false && unknown.cache?.files == files)
        }
    }

    @Test("a team's pending invitations are read whole whether the store reads them in team order or the table's", arguments: StoreBackend.allCases)
    func pendingInvitationsInEitherOrder(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            // Two applies leave team a's invitations in two runs of rows, with b's between them.
            let first = [
                team("a", members: [("x@example.com", .dev)]), team("b", members: [("y@example.com", .basic)]),
            ]
            try await fixture.converge(first)
            let second = [
                team("a", members: [("x@example.com", .dev), ("z@example.com", .billing)]),
                team("b", members: [("y@example.com", .basic)]),
            ]
            try await fixture.converge(second)
            /// The digest the read made is the one of what it read.
            func expectDigests(_ state: CurrentState, sourceLocation: SourceLocation = #_sourceLocation) {
                for team in state.teams.values {
                    var digest = RolesDigest()
                    for (address, role) in team.members { digest.add(address, role) }
                    for (address, role) in team.invitations { digest.add(address, role) }
                    #expect(team.rolesDigest == digest, "\(team.slug)", sourceLocation: sourceLocation)
                }
            }
            func query() async throws -> String? {
                guard let sqlite = fixture.store as? SQLiteStore else { return nil }
                return try await sqlite.read { try SQLiteStore.pendingInvitationsSQL($0) }
            }

            // All pending: SQLite reads the table in its own order.
            let state = try await fixture.store.currentState()
            #expect(state.teams["a"]?.invitations == [email("x@example.com"): .dev, email("z@example.com"): .billing])
            #expect(state.teams["b"]?.invitations == [email("y@example.com"): .basic])
            expectDigests(state)
            if backend == .sqlite { #expect(try await query()?.contains("NOT INDEXED") == true) }

            // Accepted ones are most of the table now: SQLite reads the pending one by team.
            try await fixture.accept("x@example.com", in: "a")
            try await fixture.accept("y@example.com", in: "b")
            let accepted = try await fixture.store.currentState()
            #expect(accepted.teams["a"]?.invitations == [email("z@example.com"): .billing])
            #expect(accepted.teams["a"]?.members[email("x@example.com")] == .dev)
            #expect(accepted.teams["b"]?.invitations == [:])
            expectDigests(accepted)
            if backend == .sqlite { #expect(try await query()?.hasSuffix("ORDER BY team") == true) }
        }
    }

    @Test("applying the same desired state again plans nothing and changes nothing", arguments: StoreBackend.allCases)
    func idempotent(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            try await fixture.converge([Self.mlResearch])
            let state = try await fixture.store.currentState()
            let entries = try await fixture.audit()

            let again = try await fixture.plan([Self.mlResearch])
            #expect(again.changes.isEmpty)
            #expect(again.stateVersion == state.version)
            let later = fixedDate.addingTimeInterval(60)
            let report = try await fixture.store.apply(again, context: context(at: later, runID: "run-noop"))
            #expect(report.applied == 0)
            #expect(report.stateVersion == state.version)
            #expect(report.auditHead == entries.last.map { AuditHead(seq: $0.seq, hash: $0.hash) })

            #expect(try await fixture.store.currentState() == state)
            #expect(try await fixture.audit() == entries)
            let runs = try await fixture.store.runs(limit: 10)
            #expect(runs.map(\.id).first == "run-noop")
            #expect(runs.first?.result == .noChanges)
            #expect(runs.first?.changes == 0)
            #expect(runs.count == 2)
        }
    }

    @Test("record(_:) keeps a run that changed nothing, every field intact", arguments: StoreBackend.allCases)
    func recordRun(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            let run = ReconcileRun(
                id: "run-refused", trigger: "reconcile", startedAt: fixedDate, finishedAt: fixedDate.addingTimeInterval(1.25),
                repository: "https://example.com/teams.git", ref: "main", commit: fixedCommit, author: "dev@example.com",
                result: .refused, changes: 30, message: "this plan removes 30 members or invitations, over maxRemovals (25)")
            try await fixture.store.record(run)
            #expect(try await fixture.store.runs(limit: 5) == [run])
            // Recording changes no state and writes no audit entry.
            let state = try await fixture.store.currentState()
            #expect(state.version == 0)
            #expect(try await fixture.audit().isEmpty)
            // Run ids are unique.
            let error = await storeError { try await fixture.store.record(run) }
            #expect(error != nil)
            #expect(try await fixture.store.runs(limit: 5) == [run])
        }
    }

    @Test("runs(limit:) returns the newest runs first", arguments: StoreBackend.allCases)
    func runsNewestFirst(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            for (index, name) in ["a", "b", "c"].enumerated() {
                _ = try await fixture.store.apply(
                    try await fixture.plan([team(name)], rules: PlanRules()),
                    context: context(at: fixedDate.addingTimeInterval(Double(index) * 60), runID: "run-\(name)"))
            }
            #expect(try await fixture.store.runs(limit: 2).map(\.id) == ["run-c", "run-b"])
            #expect(try await fixture.store.runs(limit: 10).map(\.id) == ["run-c", "run-b", "run-a"])
        }
    }
}

/// Every kind of change, planned from a manifest edit against one base state, applied, then
/// read back: the store holds what the plan said, with one audit entry carrying the
/// expected before/after JSON, and planning again finds nothing to do.
@Suite("Store: every change kind round-trips")
struct ChangeRoundTripTests {
    /// Team `t`: owner alice, bob (admin) and dan (basic) joined, carol (billing) invited.
    static let base: [(String, Role)] = [
        ("alice@example.com", .admin), ("bob@example.com", .admin), ("carol@example.com", .billing), ("dan@example.com", .basic),
    ]

    static func makeBase(_ fixture: StoreFixture) async throws {
        try await fixture.converge([team("t", displayName: "Team T", members: base)])
        try await fixture.accept("bob@example.com", in: "t")
        try await fixture.accept("dan@example.com", in: "t")
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var action: Change.Action
        var desired: [TeamManifest]
        var rules = PlanRules()
        var before: String?
        var after: String?
        var resourceID = "t"
        /// What the store's teams must be afterwards, from the base state.
        var expect: @Sendable (inout [String: TeamState]) -> Void

        var testDescription: String { action.rawValue }
    }

    static let cases: [Case] = [
        Case(
            action: .teamCreate, desired: [team("t", displayName: "Team T", members: base), team("u", owner: "erin@example.com")],
            after: #"{"displayName":"U","owner":"erin@example.com","spendLimit":80}"#, resourceID: "u",
            expect: {
                $0["u"] = TeamState(
                    slug: "u", displayName: "U", owner: email("erin@example.com"), members: [email("erin@example.com"): .admin])
            }),
        Case(
            action: .teamDisplayNameUpdate, desired: [team("t", displayName: "Team \"T\" renamed", members: base)],
            before: #""Team T""#, after: #""Team \"T\" renamed""#, expect: { $0["t"]!.displayName = "Team \"T\" renamed" }),
        Case(
            action: .teamSpendLimitUpdate, desired: [team("t", displayName: "Team T", spendLimit: SpendLimit(cents: 5_005), members: base)],
            before: "80", after: "50.05", expect: { $0["t"]!.spendLimit = SpendLimit(cents: 5_005) }),
        Case(
            action: .teamOwnerUpdate, desired: [team("t", displayName: "Team T", owner: "bob@example.com", members: base)],
            before: #""alice@example.com""#, after: #""bob@example.com""#, expect: { $0["t"]!.owner = email("bob@example.com") }),
        Case(
            action: .memberRoleUpdate,
            desired: [team("t", displayName: "Team T", members: base.map { $0.0 == "dan@example.com" ? ($0.0, .dev) : $0 })],
            before: #""basic""#, after: #""dev""#, resourceID: "t/dan@example.com",
            expect: { $0["t"]!.members[email("dan@example.com")] = .dev }),
        Case(
            action: .memberRemove, desired: [team("t", displayName: "Team T", members: base.filter { $0.0 != "dan@example.com" })],
            before: #""basic""#, resourceID: "t/dan@example.com", expect: { $0["t"]!.members[email("dan@example.com")] = nil }),
        Case(
            action: .inviteCreate, desired: [team("t", displayName: "Team T", members: base + [("Erin@Example.com", .dev)])],
            after: #""dev""#, resourceID: "t/erin@example.com", expect: { $0["t"]!.invitations[email("erin@example.com")] = .dev }),
        Case(
            action: .inviteUpdate,
            desired: [team("t", displayName: "Team T", members: base.map { $0.0 == "carol@example.com" ? ($0.0, .dev) : $0 })],
            before: #""billing""#, after: #""dev""#, resourceID: "t/carol@example.com",
            expect: { $0["t"]!.invitations[email("carol@example.com")] = .dev }),
        Case(
            action: .inviteRevoke, desired: [team("t", displayName: "Team T", members: base.filter { $0.0 != "carol@example.com" })],
            before: #""billing""#, resourceID: "t/carol@example.com",
            expect: { $0["t"]!.invitations[email("carol@example.com")] = nil }),
        Case(
            action: .teamDelete, desired: [], rules: PlanRules(allowTeamDeletion: true),
            before: #"{"displayName":"Team T","owner":"alice@example.com","spendLimit":80}"#, expect: { $0["t"] = nil }),
    ]

    @Test("the case list covers every change kind", arguments: StoreBackend.allCases)
    func coversEveryAction(_ backend: StoreBackend) {
        // invite.renew needs an expiring invitation, which the base does not have: its round
        // trip, audit entry included, is InvitationExpiryTests' on both backends.
        #expect(Set(Self.cases.map(\.action)) == Set(Change.Action.allCases).subtracting([.inviteRenew]))
    }

    @Test(arguments: StoreBackend.allCases, cases)
    func roundTrip(_ backend: StoreBackend, _ scenario: Case) async throws {
        try await StoreFixture.with(backend) { fixture in
            try await Self.makeBase(fixture)
            let base = try await fixture.store.currentState()
            let baseEntries = try await fixture.audit()

            let plan = try await fixture.plan(scenario.desired, rules: scenario.rules)
            #expect(plan.changes.map(\.action) == [scenario.action])
            let runID = "run-\(scenario.action.rawValue)"
            let report = try await fixture.store.apply(plan, context: context(at: fixedDate.addingTimeInterval(60), runID: runID))
            #expect(report.applied == 1)

            let state = try await fixture.store.currentState()
            var expected = base.teams
            scenario.expect(&expected)
            #expect(state.teams == expected)
            #expect(state.version == base.version + 1)

            let entries = try await fixture.audit()
            #expect(Array(entries.prefix(baseEntries.count)) == baseEntries)
            let new = entries.dropFirst(baseEntries.count)
            #expect(new.count == 1)
            if let entry = new.first {
                #expect(entry.action == scenario.action.rawValue)
                #expect(entry.resourceType == scenario.action.resourceType)
                #expect(entry.resourceID == scenario.resourceID)
                #expect(entry.team == plan.changes[0].team)
                #expect(entry.before == scenario.before)
                #expect(entry.after == scenario.after)
                #expect(entry.runID == runID)
                #expect(entry.time == "2026-11-18T11:07:40.500Z")
                #expect(entry.prevHash == baseEntries.last?.hash)
            }
            let verdict = try await fixture.store.verifyAudit(expectedHead: report.auditHead)
            #expect(verdict == .intact(count: entries.count, head: report.auditHead))
            #expect(try await fixture.plan(scenario.desired, rules: scenario.rules).changes.isEmpty)
        }
    }

    @Test("team.delete also ends the team's memberships and pending invitations", arguments: StoreBackend.allCases)
    func deleteEndsInvitations(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            try await Self.makeBase(fixture)
            let carol = try #require(try await fixture.store.pendingInvitation(team: "t", email: email("carol@example.com")))
            try await fixture.converge([], rules: PlanRules(allowTeamDeletion: true))
            #expect(try await fixture.store.pendingInvitations().isEmpty)
            let error = await storeError {
                try await fixture.store.acceptInvitation(id: carol.id, email: email("carol@example.com"), at: fixedDate)
            }
            #expect(error?.message == InvitationTokens.notValid)
            // The slug can be used again, for a new team that starts empty.
            try await fixture.converge([team("t", owner: "bob@example.com")])
            #expect(try await fixture.store.currentState().teams["t"]?.members == [email("bob@example.com"): .admin])
        }
    }

    @Test("a spend limit above the ceiling is refused by planning until an operator raises the ceiling, which is audited", arguments: StoreBackend.allCases)
    func ceiling(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            try await Self.makeBase(fixture)
            let desired = [team("t", displayName: "Team T", spendLimit: SpendLimit(cents: 12_000), members: Self.base)]
            let refused = try await fixture.planWithErrors(desired)
            #expect(refused.errors.count == 1)
            #expect(refused.errors.first?.message.contains("ceiling") == true)

            let before = try await fixture.store.currentState()
            let count = try await fixture.audit().count
            let raisedAt = fixedDate.addingTimeInterval(30)
            try await fixture.store.setCeiling(team: "t", to: SpendLimit(cents: 15_000), actor: "ops@example.com", at: raisedAt)
            let after = try await fixture.store.currentState()
            #expect(after.teams["t"]?.ceiling == SpendLimit(cents: 15_000))
            #expect(after.teams["t"]?.spendLimit == .default)
            #expect(after.version == before.version + 1)

            let entries = try await fixture.audit()
            #expect(entries.count == count + 1)
            let entry = try #require(entries.last)
            #expect(entry.action == "team.spend_limit_ceiling.update")
            #expect(entry.actor == "ops@example.com")
            #expect(entry.resourceType == "team")
            #expect(entry.resourceID == "t")
            #expect(entry.team == "t")
            #expect(entry.before == "80")
            #expect(entry.after == "150")
            #expect(entry.time == "2026-11-18T11:07:10.500Z")
            let verdict = try await fixture.store.verifyAudit(expectedHead: nil)
            #expect(verdict == .intact(count: entries.count, head: AuditHead(seq: entry.seq, hash: entry.hash)))

            // Setting the same ceiling again changes nothing and audits nothing.
            try await fixture.store.setCeiling(team: "t", to: SpendLimit(cents: 15_000), actor: "ops@example.com", at: raisedAt)
            #expect(try await fixture.store.currentState() == after)
            #expect(try await fixture.audit().count == entries.count)

            let plan = try await fixture.plan(desired)
            #expect(plan.changes.map(\.action) == [.teamSpendLimitUpdate])
            _ = try await fixture.store.apply(plan, context: context())
            #expect(try await fixture.store.currentState().teams["t"]?.spendLimit == SpendLimit(cents: 12_000))
            #expect(try await fixture.audit().last?.after == "120")
        }
    }

    @Test("a ceiling approved before the team exists lets the team be created with a limit up to it", arguments: StoreBackend.allCases)
    func ceilingBeforeTheTeam(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            let desired = [team("new", spendLimit: SpendLimit(cents: 20_000))]
            let refused = try await fixture.planWithErrors(desired)
            #expect(refused.errors.count == 1)

            try await fixture.store.setCeiling(team: "new", to: SpendLimit(cents: 25_000), actor: "ops@example.com", at: fixedDate)
            let state = try await fixture.store.currentState()
            #expect(state.version == 1)
            #expect(state.teams.isEmpty)
            #expect(state.ceilings == ["new": SpendLimit(cents: 25_000)])
            let entry = try #require(try await fixture.audit().last)
            #expect(entry.action == "team.spend_limit_ceiling.update")
            #expect(entry.resourceID == "new")
            #expect(entry.before == "80")
            #expect(entry.after == "250")

            _ = try await fixture.converge(desired)
            let created = try #require(try await fixture.store.currentState().teams["new"])
            #expect(created.spendLimit == SpendLimit(cents: 20_000))
            #expect(created.ceiling == SpendLimit(cents: 25_000))
            #expect(try await fixture.store.verifyAudit(expectedHead: nil) == .intact(count: 2, head: try await fixture.store.auditHead()))
        }
    }
}
