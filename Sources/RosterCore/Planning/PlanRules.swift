public import Foundation

/// The safety rules a plan is made and applied under: `roster.yaml`'s, tightened (never
/// loosened) by command-line flags for one run.
public struct PlanRules: Sendable, Equatable {
    public var maxRemovals: Int
    public var minAdmins: Int
    public var allowTeamDeletion: Bool
    /// `--allow-mass-removal`: lifts `maxRemovals` for one run.
    public var allowMassRemoval: Bool
    /// The time the plan is made at: members whose `expires` is at or before it are removed.
    /// Passed in (never read from the clock by the planner) so a plan is a pure function of
    /// its inputs; `.distantPast`, the plain initialiser's default, expires no one.
    public var now: Date
    /// `spec.invitations.expireAfter`: how long a new (or renewed) invitation's link works.
    public var invitationExpireAfter: TimeInterval?
    /// `spec.invitations.renew`: whether an expired invitation is re-issued.
    public var renewInvitations: Bool

    public init(
        maxRemovals: Int = 25, minAdmins: Int = 1, allowTeamDeletion: Bool = false, allowMassRemoval: Bool = false,
        now: Date = .distantPast, invitationExpireAfter: TimeInterval? = nil, renewInvitations: Bool = false
    ) {
        self.invitationExpireAfter = invitationExpireAfter
        self.renewInvitations = renewInvitations
        self.maxRemovals = maxRemovals
        self.minAdmins = minAdmins
        self.allowTeamDeletion = allowTeamDeletion
        self.allowMassRemoval = allowMassRemoval
        self.now = now
    }

    /// The rules `config` sets, for a plan made at `now`.
    public init(_ config: RosterConfig, now: Date) {
        self.init(
            maxRemovals: config.safety.maxRemovals, minAdmins: config.safety.minAdmins,
            allowTeamDeletion: config.safety.allowTeamDeletion, now: now,
            invitationExpireAfter: config.invitations.expireAfter, renewInvitations: config.invitations.renew)
    }

    /// Whether `plan` removes more than the rules allow.
    public func exceedsRemovals(_ plan: Plan) -> Bool {
        !allowMassRemoval && plan.removalCount > maxRemovals
    }
}
