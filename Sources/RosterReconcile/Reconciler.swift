public import Foundation
public import RosterCore
public import RosterStore

/// The steps every command and the server share: manifests → validated desired state →
/// plan against the store, under the safety rules. Planning stays pure (`Planner`); this
/// only gathers its inputs.
public enum Reconciler {
    /// What planning found.
    public struct Outcome: Sendable {
        public var load: LoadResult
        /// Nil when the manifests are invalid.
        public var plan: Plan?
        /// Manifest diagnostics when invalid, else the plan's errors (owner, ceiling, admins).
        public var errors: [Diagnostic]
        public var rules: PlanRules
        /// The store's state the plan was made against; nil when the manifests are invalid.
        /// For an incremental plan, only the teams it compared.
        public var current: CurrentState?
        /// What an incremental plan started from; nil for a cold one.
        public var basis: PlanBasis?

        /// Whether the plan may be applied as far as its content goes (no errors).
        public var isPlannable: Bool { plan != nil && errors.isEmpty }
    }

    /// Command-line tightening of `roster.yaml`'s safety rules for one run.
    public struct Overrides: Sendable {
        public var maxRemovals: Int?
        public var minAdmins: Int?
        public var allowMassRemoval = false
        /// Plan from the store's plan cache; false (`--no-cache`) plans cold.
        public var useCache = true
        public init(maxRemovals: Int? = nil, minAdmins: Int? = nil, allowMassRemoval: Bool = false, useCache: Bool = true) {
            self.maxRemovals = maxRemovals
            self.minAdmins = minAdmins
            self.allowMassRemoval = allowMassRemoval
            self.useCache = useCache
        }

        /// The removal limit for applying a plan saved earlier: the one it was planned under
        /// (the default when it names none), tightened by the flags, lifted by
        /// `allowMassRemoval`.
        public func maxRemovals(forSaved plan: Plan) -> Int {
            if allowMassRemoval { return .max }
            return min(plan.maxRemovals ?? RosterConfig.Safety().maxRemovals, maxRemovals ?? .max)
        }

        /// `config`'s rules at `now`, tightened: flags may lower `maxRemovals` and raise
        /// `minAdmins`, never the reverse.
        public func rules(_ config: RosterConfig, now: Date) -> PlanRules {
            var rules = PlanRules(config, now: now)
            if let maxRemovals { rules.maxRemovals = min(rules.maxRemovals, maxRemovals) }
            if let minAdmins { rules.minAdmins = max(rules.minAdmins, minAdmins) }
            rules.allowMassRemoval = allowMassRemoval
            return rules
        }
    }

    /// Loads `source`, and plans it against `store` when it is valid, at `now` (members whose
    /// access ended by then are removed). With `overrides.useCache` (the default) only the
    /// files whose content changed since the store's last apply are decoded, and only the
    /// teams they declare, the teams changed in the store since and those whose invitations
    /// expired meanwhile are compared: the same plan as a cold one, at the cost of what
    /// changed. Without a cache that fits, or with `overrides.useCache` false (`--no-cache`),
    /// everything is read.
    ///
    /// With `allDeclarations` false (a plan that is printed or applied, not a run that keeps
    /// where each team is declared), a plan of the tree the cache was written for reads only
    /// the cache's files of the teams it compares: with nothing changed, nothing that grows with
    /// the organisation. Its `load.declarations` are then those teams' only
    /// (`declarationsComplete` false); the plan is the same.
    public static func plan(
        source: some ManifestSource, loader: ManifestLoader, store: any Store, overrides: Overrides, now: Date = Date(),
        allDeclarations: Bool = true
    ) async throws -> Outcome {
        if overrides.useCache {
            var reading = PlanBasis.Reading.all
            if !allDeclarations, let tree = source.revision?.tree { reading = .declaring(tree: tree) }
            // A write between reading the basis and the teams' state moves the state version;
            // then the basis is read again.
            for _ in 0..<3 {
                let basis = try await store.planBasis(at: now, reading: reading)
                guard let cache = basis.cache else { break }
                let load = try await loader.load(from: source, reusing: cache, replanning: basis.changed.union(basis.expired))
                if load.complete {
                    return try await plan(load, current: try await store.currentState(), overrides: overrides, source: source, now: now)
                }
                let rules = overrides.rules(load.config, now: now)
                guard load.isValid else {
                    return Outcome(load: load, plan: nil, errors: load.diagnostics, rules: rules, current: nil)
                }
                let current = try await store.currentState(teams: comparedTeams(load, basis: basis))
                guard current.version == basis.version else { continue }
                var outcome = plan(load, current: current, rules: rules, source: planSource(source))
                outcome.basis = basis
                return outcome
            }
        }
        // The store's state loads while the manifests are read and decoded: they do not
        // depend on each other, and each is about half of a large plan's time.
        async let state = store.currentState()
        let load = try await loader.load(from: source)
        return try await plan(load, current: state, overrides: overrides, source: source, now: now)
    }

    static func plan(
        _ load: LoadResult, current: CurrentState, overrides: Overrides, source: some ManifestSource, now: Date
    ) async throws -> Outcome {
        let rules = overrides.rules(load.config, now: now)
        guard load.isValid else {
            return Outcome(load: load, plan: nil, errors: load.diagnostics, rules: rules, current: nil)
        }
        return plan(load, current: current, rules: rules, source: planSource(source))
    }

    /// The teams an incremental plan compares: those decoded again (their files changed, or
    /// they changed in the store), and the store's teams the source no longer declares.
    /// Every other team is as the last apply left it on both sides.
    ///
    /// From a partial cache (the same tree, only the files of the teams to compare again):
    /// the teams decoded, and the store's teams the tree does not declare, which are those
    /// the cache found undeclared and those marked since (a team inserted or deleted since is
    /// marked). Either may name a team the store no longer has; its state is then empty.
    static func comparedTeams(_ load: LoadResult, basis: PlanBasis) -> Set<String> {
        var teams = Set(load.teams.lazy.map(\.slug))
        if let cache = basis.cache, cache.partial {
            teams.formUnion(cache.undeclared ?? [])
            teams.formUnion(basis.changed)
            teams.formUnion(basis.expired)
            return teams
        }
        let declared = Set(load.declarations.lazy.map(\.slug))
        for slug in basis.teams where !declared.contains(slug) { teams.insert(slug) }
        return teams
    }

    /// Plans a loaded desired state against `current`; with `planned`, its teams' part is
    /// what `Planner.plan(_:current:rules:into:)` already gave for each of them, in order.
    public static func plan(
        _ load: LoadResult, current: CurrentState, rules: PlanRules, source: Plan.Source?, planned: Planner.TeamsPlan? = nil
    ) -> Outcome {
        var (plan, errors) =
            if let planned {
                Planner.plan(planned, desired: load.teams, current: current, rules: rules, source: source)
            } else {
                Planner.plan(desired: load.teams, current: current, rules: rules, source: source)
            }
        plan.maxRemovals = rules.maxRemovals
        var load = load
        // The store's teams no file declares, for the cache an apply of this plan writes: every
        // one is in `current`, whether it is the whole state or the teams an incremental plan
        // compared (comparedTeams). Those the plan deletes go with the apply; naming them
        // costs the next plan a lookup that finds nothing.
        if load.cacheUpdate != nil {
            let declared = Set(load.declarations.lazy.map(\.slug))
            load.cacheUpdate?.undeclared = Set(current.teams.keys.lazy.filter { !declared.contains($0) })
        }
        return Outcome(load: load, plan: plan, errors: errors, rules: rules, current: current)
    }

    /// The plan's `source` for what was read.
    public static func planSource(_ source: some ManifestSource) -> Plan.Source {
        if let revision = source.revision {
            return Plan.Source(
                repository: revision.repository, ref: revision.ref, commit: revision.commit, tree: revision.tree,
                author: revision.author)
        }
        return Plan.Source(repository: source.displayName)
    }
}
