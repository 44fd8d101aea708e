/// The safety rules a plan is made and applied under: `roster.yaml`'s, tightened (never
/// loosened) by command-line flags for one run.
public struct PlanRules: Sendable, Equatable {
    public var maxRemovals: Int
    public var minAdmins: Int
    public var allowTeamDeletion: Bool
    /// `--allow-mass-removal`: lifts `maxRemovals` for one run.
    public var allowMassRemoval: Bool

    public init(maxRemovals: Int = 25, minAdmins: Int = 1, allowTeamDeletion: Bool = false, allowMassRemoval: Bool = false) {
        self.maxRemovals = maxRemovals
        self.minAdmins = minAdmins
        self.allowTeamDeletion = allowTeamDeletion
        self.allowMassRemoval = allowMassRemoval
    }

    /// The rules `config` sets.
    public init(_ config: RosterConfig) {
        self.init(
            maxRemovals: config.safety.maxRemovals, minAdmins: config.safety.minAdmins,
            allowTeamDeletion: config.safety.allowTeamDeletion)
    }

    /// Whether `plan` removes more than the rules allow.
    public func exceedsRemovals(_ plan: Plan) -> Bool {
        !allowMassRemoval && plan.removalCount > maxRemovals
    }
}
