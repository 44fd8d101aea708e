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
        public var current: CurrentState?

        /// Whether the plan may be applied as far as its content goes (no errors).
        public var isPlannable: Bool { plan != nil && errors.isEmpty }
    }

    /// Command-line tightening of `roster.yaml`'s safety rules for one run.
    public struct Overrides: Sendable {
        public var maxRemovals: Int?
        public var minAdmins: Int?
        public var allowMassRemoval = false
        public init(maxRemovals: Int? = nil, minAdmins: Int? = nil, allowMassRemoval: Bool = false) {
            self.maxRemovals = maxRemovals
            self.minAdmins = minAdmins
            self.allowMassRemoval = allowMassRemoval
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
    /// access ended by then are removed).
    public static func plan(
        source: some ManifestSource, loader: ManifestLoader, store: any Store, overrides: Overrides, now: Date = Date()
    ) async throws -> Outcome {
        // The store's state loads while the manifests are read and decoded: they do not
        // depend on each other, and each is about half of a large plan's time.
        async let state = store.currentState()
        let load = try await loader.load(from: source)
        let rules = overrides.rules(load.config, now: now)
        let current = try await state
        guard load.isValid else {
            return Outcome(load: load, plan: nil, errors: load.diagnostics, rules: rules, current: nil)
        }
        return plan(load, current: current, rules: rules, source: planSource(source))
    }

    /// Plans a loaded desired state against `current`.
    public static func plan(_ load: LoadResult, current: CurrentState, rules: PlanRules, source: Plan.Source?) -> Outcome {
        var (plan, errors) = Planner.plan(desired: load.teams, current: current, rules: rules, source: source)
        plan.maxRemovals = rules.maxRemovals
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
