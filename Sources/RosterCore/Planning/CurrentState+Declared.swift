public import Foundation

extension CurrentState {
    /// The state `teams` declare, as if the store held exactly them: what `roster diff`
    /// plans a pull request's head against. Members are members (not invitations), and each
    /// team's ceiling is its declared limit or the default, whichever is higher, since the
    /// base was allowed to declare it. Members whose access ended by `now` are left out, so
    /// an expiry the base and the head both declare is not the head's change.
    public init(declaredBy teams: [TeamManifest], now: Date = .distantPast) {
        self.init(version: 0)
        for team in teams {
            var members: [Email: Role] = [:]
            for member in team.members where !member.hasExpired(at: now) { members[member.email] = member.role }
            let ceiling = max(team.spendLimit, .default)
            self.teams[team.slug] = TeamState(
                slug: team.slug, displayName: team.displayName, owner: team.owner, spendLimit: team.spendLimit,
                ceiling: ceiling, members: members)
            ceilings[team.slug] = ceiling
        }
    }
}
