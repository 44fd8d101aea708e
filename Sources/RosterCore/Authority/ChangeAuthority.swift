/// Whether a plan's author may make its changes, team by team, under the permission matrix of
/// each team as it stood before (a pull request's base, or the store), and whose approval
/// covers what the author may not. A pure function of the plan and that state, like planning.
public struct ChangeAuthority: Sendable, Codable, Equatable {
    /// The email whose permissions were checked (the commit's author or `--author`); nil when
    /// the commit names none, in which case nothing is covered.
    public var author: String?
    /// Whether the author may make every change.
    public var authorized: Bool
    /// Every team the plan changes, in the plan's order.
    public var teams: [Team]

    /// One team's verdict.
    public struct Team: Sendable, Codable, Equatable {
        public var team: String
        public var authorized: Bool
        /// The author's role in the team before the change; nil when not a member (or a new team).
        public var authorRole: Role?
        /// How many of the plan's changes are in this team.
        public var changes: Int
        /// What the changes need, and the part of it the author lacks.
        public var needs: [AuthorityRequirement]
        public var missing: [AuthorityRequirement]
        /// Whose approval covers the changes: the team's admins before the change; for a new
        /// team its declared owner and the team creators; for a deletion the owner. Sorted.
        public var approvers: [String]
    }

    /// Teams whose changes the author may not make.
    public var unauthorizedTeams: [Team] { teams.filter { !$0.authorized } }

    /// Changes the author may not make (what reconcile's metric counts).
    public var uncoveredChanges: Int { teams.lazy.filter { !$0.authorized }.map(\.changes).reduce(0, +) }

    /// Checks `changes` (in plan order) by `author` against `before`, the state each team is
    /// in before the change. `teamCreators` may create any team. One pass over the changes,
    /// none of them copied (a first apply has a million), plus the admins of the teams touched.
    public static func check(
        _ changes: some Sequence<Change>, before: CurrentState, teamCreators: [Email], author: Email?
    ) -> ChangeAuthority {
        var order: [String] = []
        var found: [String: Found] = [:]
        for change in changes {
            if found[change.team] == nil { order.append(change.team) }
            found[change.team, default: Found()].add(change)
        }
        let teams = order.map { slug in
            team(slug, found[slug]!, state: before.teams[slug], teamCreators: teamCreators, author: author)
        }
        return ChangeAuthority(author: author?.value, authorized: teams.allSatisfy(\.authorized), teams: teams)
    }

    /// What one team's changes add up to.
    private struct Found {
        var changes = 0
        var needs: Set<AuthorityRequirement> = []
        /// The owners `team.create` declares.
        var owners: [Email] = []

        mutating func add(_ change: Change) {
            changes += 1
            needs.insert(AuthorityRequirement(for: change.action))
            if change.action == .teamCreate, case .team(let team)? = change.after, let owner = Email(team.owner) {
                owners.append(owner)
            }
        }
    }

    private static func team(
        _ slug: String, _ found: Found, state: TeamState?, teamCreators: [Email], author: Email?
    ) -> Team {
        // A team the state does not hold is being created: its creator's say covers the whole
        // team as declared, members and limit included; there are no admins yet to ask.
        guard let state else {
            let approvers = Set(found.owners + teamCreators)
            let allowed = author.map(approvers.contains) ?? false
            return Team(
                team: slug, authorized: allowed, authorRole: nil, changes: found.changes, needs: [.createTeam],
                missing: allowed ? [] : [.createTeam], approvers: approvers.map(\.value).sorted())
        }
        let needs = found.needs.sorted()
        let role = author.flatMap { state.members[$0] }
        let missing = needs.filter { requirement in
            if let permission = requirement.permission { return !(role?.allows(permission) ?? false) }
            return author != state.owner  // deleting (creating does not reach here) is the owner's
        }
        let approvers =
            needs.contains(.deleteTeam)
            ? [state.owner.value]
            : state.members.compactMap { member in
                needs.allSatisfy { $0.permission.map(member.value.allows) ?? false } ? member.key.value : nil
            }.sorted()
        return Team(
            team: slug, authorized: missing.isEmpty, authorRole: role, changes: found.changes, needs: needs,
            missing: missing, approvers: approvers)
    }
}

/// What a change needs of its author: one of the matrix's permissions, or one of the rules
/// the matrix leaves to the team's owner and the configuration.
public enum AuthorityRequirement: String, Sendable, Codable, CaseIterable, Comparable {
    case inviteMembers
    case manageTeamPermissions
    case modifyTeamSettings
    /// The author is the new team's declared owner or in `spec.policy.teamCreators`.
    case createTeam
    /// The author owns the team.
    case deleteTeam

    /// The requirement of `action`: invitations (made, re-roled, revoked) need "Invite team
    /// members"; a member's role or removal "Manage team permissions"; the spend limit,
    /// display name and owner "Modify team account settings".
    public init(for action: Change.Action) {
        switch action {
        // A renewal is time's, not an author's (reconcile leaves it out), but would need the same.
        case .inviteCreate, .inviteUpdate, .inviteRevoke, .inviteRenew: self = .inviteMembers
        case .memberRoleUpdate, .memberRemove: self = .manageTeamPermissions
        case .teamSpendLimitUpdate, .teamDisplayNameUpdate, .teamOwnerUpdate: self = .modifyTeamSettings
        case .teamCreate: self = .createTeam
        case .teamDelete: self = .deleteTeam
        }
    }

    /// The matrix's permission, for the three that are one.
    public var permission: Permission? {
        switch self {
        case .inviteMembers: .inviteMembers
        case .manageTeamPermissions: .manageTeamPermissions
        case .modifyTeamSettings: .modifyTeamSettings
        case .createTeam, .deleteTeam: nil
        }
    }

    /// For people: the matrix's name of the permission, or the rule.
    public var title: String {
        switch self {
        case .createTeam: "Create the team (its owner or a team creator)"
        case .deleteTeam: "Delete the team (its owner)"
        default: permission!.title
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
