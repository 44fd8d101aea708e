public import Foundation
public import RosterCore
public import RosterStore

extension Reconciler {
    /// One reconcile run as `roster reconcile` and `roster serve` make it: open (fetch) the
    /// source, plan, tell drift apart, apply within the safety rules, record the run.
    public struct RunRequest: Sendable {
        /// What started the run, for `roster status` ("reconcile", "interval", "webhook").
        public var trigger: String
        /// The audit log's actor.
        public var identity: String
        public var lockTimeout: Duration
        public var overrides: Overrides
        public var loader: ManifestLoader
        /// Opens the tracked source, fetching it first when it is a remote repository.
        public var openSource: @Sendable () throws -> any ManifestSource
        /// Opens the same repository at an earlier commit, to tell drift from new changes;
        /// nil for a source without history (a folder).
        public var openCommit: (@Sendable (String) throws -> any ManifestSource)?
        /// Leave the run out (not even recorded) when the source is at this commit and the
        /// store at this version: the serve loop's way of not retrying a refused or failed
        /// run on every tick, nor planning again what a successful run left in sync (every
        /// change to the store moves the version, a break-glass edit's too).
        public var skipIfUnchanged: Checkpoint?
        public var now: @Sendable () -> Date
        /// The lease the run's apply must still hold when it commits (`roster serve`'s).
        public var fence: Fence?

        public init(
            trigger: String, identity: String = "roster", lockTimeout: Duration = .seconds(30),
            overrides: Overrides = Overrides(), loader: ManifestLoader = ManifestLoader(),
            openSource: @escaping @Sendable () throws -> any ManifestSource,
            openCommit: (@Sendable (String) throws -> any ManifestSource)? = nil, skipIfUnchanged: Checkpoint? = nil,
            now: @escaping @Sendable () -> Date = Date.init
        ) {
            self.trigger = trigger
            self.identity = identity
            self.lockTimeout = lockTimeout
            self.overrides = overrides
            self.loader = loader
            self.openSource = openSource
            self.openCommit = openCommit
            self.skipIfUnchanged = skipIfUnchanged
            self.now = now
        }
    }

    /// Where a run found the source and the store.
    public struct Checkpoint: Sendable, Equatable {
        public var commit: String?
        public var stateVersion: Int64
        public init(commit: String?, stateVersion: Int64) {
            self.commit = commit
            self.stateVersion = stateVersion
        }
    }

    /// What a run did.
    public struct RunOutcome: Sendable {
        /// The run as recorded; nil when skipped (`skipIfUnchanged`).
        public var run: ReconcileRun?
        /// The plan that was applied or refused, after leaving out drift healing when
        /// selfHeal is off.
        public var plan: Plan?
        /// Why the manifests could not be planned (failed runs).
        public var errors: [Diagnostic]
        /// Changes in the plan that only undo drift (changes made outside git); nil when
        /// there is no earlier applied commit to judge by.
        public var drift: Int?
        public var report: ApplyReport?
        /// Where the source and store were before applying.
        public var checkpoint: Checkpoint
        /// The rules the run used.
        public var rules: PlanRules?
        /// Where the run's commit declares each team (nil when the manifests could not be read).
        public var declarations: Declarations?
        /// The earliest instant after this run at which time alone changes the plan (a
        /// member's expiry): `roster serve` runs again then. Nil when nothing is due, when
        /// the manifests could not be planned, or when the run was skipped.
        public var nextTimeDependentChange: Date?
    }

    /// Where a commit declares each team: the manifest file and the line of its name, for
    /// the team pages' links into the repository. Small (a path and a line a team), so a
    /// server keeps the last one in memory instead of the manifests.
    public struct Declarations: Sendable {
        public struct Place: Sendable, Equatable {
            public var file: String
            public var line: Int

            public init(file: String, line: Int) {
                self.file = file
                self.line = line
            }
        }
        public var commit: String?
        public var places: [String: Place]
        /// When each temporary member's access ends, by team slug then email; only teams with
        /// such members appear, so it stays as small as the places.
        public var expiries: [String: [Email: Date]]

        public init(commit: String?, places: [String: Place], expiries: [String: [Email: Date]] = [:]) {
            self.commit = commit
            self.places = places
            self.expiries = expiries
        }

        /// From every declaration of a load, and the members' expiries of the teams it decoded
        /// (a file with a temporary member is decoded on every plan, never taken from the cache).
        init(_ load: LoadResult, commit: String?) {
            self.commit = commit
            places = Dictionary(
                load.declarations.map { ($0.slug, Place(file: $0.file, line: Int($0.position.line))) },
                uniquingKeysWith: { first, _ in first })
            expiries = [:]
            for team in load.teams {
                for member in team.members {
                    if let expires = member.expires { expiries[team.slug, default: [:]][member.email] = expires }
                }
            }
        }
    }

    /// Runs `request` against `store`. Invalid manifests and refusals are recorded and
    /// returned; a source that cannot be read and a store that fails are recorded and thrown.
    public static func run(_ request: RunRequest, store: any Store) async throws -> RunOutcome {
        let started = request.now()
        let runID = UUID().uuidString.lowercased()
        var revision: SourceRevision?
        var stateVersion: Int64?
        var foundDrift: RunDrift?
        func record(_ result: ReconcileRun.Result, _ message: String, _ reason: RunReason) async throws -> ReconcileRun {
            let run = ReconcileRun(
                id: runID, trigger: request.trigger, startedAt: started, finishedAt: request.now(),
                repository: revision?.repository, ref: revision?.ref, commit: revision?.commit, author: revision?.author,
                result: result, message: message, reason: reason, stateVersion: stateVersion, drift: foundDrift)
            try await store.record(run)
            return run
        }

        let source: any ManifestSource
        do {
            source = try request.openSource()
        } catch let error as SourceError {
            _ = try await record(.failed, error.message, RunReason(.sourceUnreadable, [.everyone(error.message)]))
            throw error
        }
        revision = source.revision
        let checkpoint = Checkpoint(commit: revision?.commit, stateVersion: try await store.stateVersion())
        stateVersion = checkpoint.stateVersion
        if let skip = request.skipIfUnchanged, skip == checkpoint {
            return RunOutcome(run: nil, plan: nil, errors: [], drift: nil, report: nil, checkpoint: checkpoint)
        }

        let outcome = try await plan(
            source: source, loader: request.loader, store: store, overrides: request.overrides, now: request.now())
        let declarations = outcome.load.isValid ? Declarations(outcome.load, commit: revision?.commit) : nil
        // From what the run already holds (the manifests and the state it planned against),
        // so the serve loop learns when to wake without reading anything again. An
        // incremental plan holds every temporary member (their files are always decoded), and
        // its basis says when the next invitation expires among the teams it did not compare.
        var due = outcome.current.flatMap { current in
            outcome.load.isValid
                ? Planner.nextTimeDependentChange(desired: outcome.load.teams, current: current, after: outcome.rules.now)
                : nil
        }
        if let next = outcome.basis?.nextInvitationExpiry { due = min(due ?? next, next) }
        guard var plan = outcome.plan, outcome.errors.isEmpty else {
            let errors = outcome.errors.filter { $0.severity == .error }
            // A plan the rules refuse may be refused for undoing drift (a role changed in the
            // store by hand): told apart, the drift is counted and the reason says so in the
            // store's terms rather than blaming a manifest line git never changed.
            var healing: Set<Change>?
            if let refused = outcome.plan { healing = try? await driftHealing(refused, request: request, store: store, outcome: outcome) }
            if let healing, let refused = outcome.plan { foundDrift = RunDrift(refused.changes, healing: healing) }
            let reason = reason(for: errors, load: outcome.load, drift: healing.map { Array($0) } ?? [])
            let run = try await record(
                .failed, "\(errors.count) error\(errors.count == 1 ? "" : "s"): \(reason.items.first?.detail ?? "")", reason)
            return RunOutcome(
                run: run, plan: outcome.plan, errors: outcome.errors,
                drift: healing.flatMap { set in outcome.plan?.changes.count(where: set.contains) }, report: nil,
                checkpoint: checkpoint, rules: outcome.rules, declarations: declarations, nextTimeDependentChange: due)
        }

        let selfHeal = outcome.load.config.reconcile.selfHeal
        let healing: Set<Change>?
        do {
            healing = try await driftHealing(plan, request: request, store: store, outcome: outcome)
        } catch let error as SourceError where !selfHeal {
            let commit = try await store.lastAppliedCommitRun()?.commit ?? ""
            let detail =
                "the last applied commit \(commit.prefix(12)) cannot be read (\(error.message)); "
                + "apply once with `roster apply` to set a new baseline"
            let run = try await record(.refused, "selfHeal is off, and " + detail, RunReason(.noBaseline, [.everyone(detail)]))
            return RunOutcome(
                run: run, plan: plan, errors: [], drift: nil, report: nil, checkpoint: checkpoint, rules: outcome.rules,
                declarations: declarations, nextTimeDependentChange: due)
        } catch is SourceError {
            healing = nil
        }
        let drift = healing.map { set in plan.changes.count(where: set.contains) }
        foundDrift = healing.map { RunDrift(plan.changes, healing: $0) }
        if !selfHeal {
            if let healing {
                plan = leavingOut(healing, from: plan)
            } else if request.openCommit == nil {
                plan.warnings.append(
                    "selfHeal is off, but drift can only be told apart from changes with a --repo source: the whole plan applies")
            }
        }
        checkAuthority(&plan, outcome: outcome, drift: healing)
        if outcome.rules.exceedsRemovals(plan) {
            let detail = "\(plan.removalCount) members or invitations, over maxRemovals (\(outcome.rules.maxRemovals))"
            let run = try await record(.refused, "the plan removes " + detail, RunReason(.removalLimit, [.everyone(detail)]))
            return RunOutcome(
                run: run, plan: plan, errors: [], drift: drift, report: nil, checkpoint: checkpoint, rules: outcome.rules,
                declarations: declarations, nextTimeDependentChange: due)
        }
        // Teams whose drift stays (selfHeal off) are compared again by the next plan.
        var cacheUpdate = outcome.load.cacheUpdate
        if let healing, !selfHeal { cacheUpdate?.unsettled = Set(healing.map(\.team)) }
        let context = ApplyContext(
            actor: request.identity, onBehalfOf: plan.source?.author, runID: runID, now: request.now,
            lockTimeout: request.lockTimeout, trigger: request.trigger, fence: request.fence, drift: foundDrift,
            cacheUpdate: cacheUpdate)
        let report: ApplyReport
        do {
            report = try await store.apply(plan, context: context)
        } catch let error as StoreError {
            // A writer that lost its lease writes nothing more, not even the record of this run:
            // the replica that holds the lease now runs and records.
            if error.kind != .fenced { _ = try? await record(.failed, error.message, reason(for: error)) }
            throw error
        }
        // Invitations this run made or renewed expire after the state `due` was computed from:
        // their links end no later than now plus their lifetime.
        if let lifetime = plan.invitationExpireAfter,
            plan.changes.contains(where: { $0.action == .inviteCreate || $0.action == .inviteRenew })
        {
            let ends = request.now().addingTimeInterval(lifetime)
            due = min(due ?? ends, ends)
        }
        let run = ReconcileRun(
            id: report.runID, trigger: request.trigger, startedAt: started, finishedAt: request.now(),
            repository: revision?.repository, ref: revision?.ref, commit: revision?.commit, author: revision?.author,
            result: report.applied > 0 ? .applied : .noChanges, changes: report.applied, stateVersion: report.stateVersion,
            drift: foundDrift)
        return RunOutcome(
            run: run, plan: plan, errors: [], drift: drift, report: report, checkpoint: checkpoint, rules: outcome.rules,
                declarations: declarations, nextTimeDependentChange: due)
    }

    /// The reason of a run whose manifests have `errors`, each part for those who may see its
    /// team: an error in a team's file (the planner's refusals among them) is that team's
    /// members' to read, and its billing viewers' when it is about the spend limit; an error
    /// in roster.yaml or about the source is everyone's. In a file that declares several
    /// teams, a planner error is its team's (found by the exact position it points at), any
    /// other error the operators' only, as is one in a file that declares no team.
    ///
    /// An error in a team whose plan undoes `drift` names the drift first: "drift in
    /// ml-research: bob@example.com: the store holds admin, git declares dev; healing it: …".
    static func reason(for errors: [Diagnostic], load: LoadResult, drift: [Change] = []) -> RunReason {
        let driftByTeam = Dictionary(grouping: drift, by: \.team)
        // Each file's teams with the places a planner error may point at: the name for every
        // team, the owner and spend limit for the teams decoded (only those can be planned).
        var positions: [String: [SourcePosition]] = [:]
        for team in load.teams { positions[team.slug] = [team.ownerPosition, team.spendLimitPosition] }
        var teamsByFile: [String: [(slug: String, positions: [SourcePosition])]] = [:]
        for team in load.declarations {
            teamsByFile[team.file, default: []].append((team.slug, [team.position] + (positions[team.slug] ?? [])))
        }
        func owner(of error: Diagnostic) -> String? {
            let inFile = teamsByFile[error.file] ?? []
            if inFile.count == 1 { return inFile[0].slug }
            let at = inFile.filter { team in
                team.positions.contains { Int($0.line) == error.line && Int($0.column) == error.column }
            }
            return at.count == 1 ? at[0].slug : nil
        }
        return RunReason(
            .invalidManifests,
            errors.map { error in
                var text = (error.location.isEmpty ? "" : error.location + ": ") + error.message
                if error.file.isEmpty || error.file == RosterConfig.fileName { return .everyone(text) }
                guard let team = owner(of: error) else { return .operators(text) }
                if let changes = driftByTeam[team], !changes.isEmpty {
                    let held = changes.sorted { $0.subject < $1.subject }.prefix(5).map { change in
                        "\(change.subject): the store holds \(change.before.map(\.description) ?? "nothing"), "
                            + "git declares \(change.after.map(\.description) ?? "nothing")"
                    }
                    text = "drift in \(team) (changed outside git): " + held.joined(separator: "; ") + "; healing it: " + error.message
                }
                let billing = error.path?.hasPrefix("spec.spendLimit") == true
                return .team(team, billing ? .viewBilling : .accessTeamAccount, text)
            })
    }

    /// The reason of a run whose apply the store refused or failed: another writer or a stale
    /// plan names no team; a rejected change or a failing store may, so only operators read it.
    static func reason(for error: StoreError) -> RunReason {
        switch error.kind {
        case .locked, .stalePlan: RunReason(.storeRefused, [.everyone(error.message)])
        case .invalid: RunReason(.storeRefused, [.operators(error.message)])
        default: RunReason(.storeFailed, [.operators(error.message)])
        }
    }

    /// The changes of `plan` that only undo drift: those the last applied commit's manifests
    /// would also make now. Nil when there is no such commit or no way to read it. Only the
    /// teams `plan` changes are compared, and with a plan cache only their files are decoded.
    private static func driftHealing(
        _ plan: Plan, request: RunRequest, store: any Store, outcome: Outcome
    ) async throws -> Set<Change>? {
        guard let openCommit = request.openCommit, let last = try await store.lastAppliedCommitRun(),
            let commit = last.commit
        else { return nil }
        // At the commit last applied, every change is drift.
        // Except what time alone makes (an expiry): nobody changed anything outside git for it.
        if commit == plan.source?.commit { return Set(plan.changes.filter { $0.reason == nil }) }
        let changed = Set(plan.changes.lazy.map(\.team))
        let previous = try await request.loader.load(
            from: try openCommit(commit), reusing: outcome.basis?.cache,
            replanning: changed.union(outcome.basis?.changed ?? []))
        guard previous.isValid, var current = outcome.current else { return nil }
        current.teams = current.teams.filter { changed.contains($0.key) }
        var earlier = previous
        earlier.teams = previous.teams.filter { changed.contains($0.slug) }
        return Set(Self.plan(earlier, current: current, rules: outcome.rules, source: nil).plan?.changes ?? [])
            .filter { $0.reason == nil }
    }

    private static func leavingOut(_ healing: Set<Change>, from plan: Plan) -> Plan {
        let changes = plan.changes.filter { !healing.contains($0) }
        var kept = Plan(source: plan.source, stateVersion: plan.stateVersion, changes: changes, warnings: plan.warnings)
        kept.maxRemovals = plan.maxRemovals
        if changes.count < plan.changes.count {
            kept.warnings.append(
                "selfHeal is off: \(plan.changes.count - changes.count) change(s) that would undo drift were left out")
        }
        return kept
    }
}
