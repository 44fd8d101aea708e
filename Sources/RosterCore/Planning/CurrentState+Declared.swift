extension CurrentState {
    /// The state `teams` declare, as if the store held exactly them: what `roster diff`
    /// plans a pull request's head against. Members are members (not invitations), and each
    /// team's ceiling is its declared limit or the default, whichever is higher, since the
    /// base was allowed to declare it.
    public init(declaredBy teams: [TeamManifest]) {
        self.init(version: 0)
        for team in teams {
            var members: [Email: Role] = [:]
            for member in team.members { members[member.email] = member.role }
            let ceiling = max(team.spendLimit, .default)
            self.teams[team.slug] = TeamState(
                slug: team.slug, displayName: team.displayName, owner: team.owner, spendLimit: team.spendLimit,
                ceiling: ceiling, members: members)
            ceilings[team.slug] = ceiling
        }
    }
}
