public import Foundation

/// What the store holds now: the "current" side of a plan.
public struct CurrentState: Sendable, Equatable {
    /// Moves with every change to the store, whoever makes it; a saved plan applies only
    /// while it is unchanged.
    public var version: Int64
    public var teams: [String: TeamState]
    /// Approved spend-limit ceilings by team slug, including teams not created yet; a team
    /// without one may spend `SpendLimit.default`.
    public var ceilings: [String: SpendLimit]

    public init(version: Int64 = 0, teams: [String: TeamState] = [:], ceilings: [String: SpendLimit] = [:]) {
        self.version = version
        self.teams = teams
        self.ceilings = ceilings
    }

    /// The ceiling of `team`.
    public func ceiling(of team: String) -> SpendLimit { ceilings[team] ?? .default }
}

/// One team as the store holds it.
public struct TeamState: Sendable, Equatable {
    public var slug: String
    public var displayName: String
    public var owner: Email
    public var spendLimit: SpendLimit
    /// The highest spend limit a manifest may set, raised only by an operator.
    public var ceiling: SpendLimit
    public var members: [Email: Role] { didSet { rolesDigest = nil } }
    /// Pending invitations only.
    public var invitations: [Email: Role] { didSet { rolesDigest = nil } }
    /// The digest of `members` and `invitations` together, when the store made one; changing
    /// either forgets it.
    public var rolesDigest: RolesDigest?
    /// When each pending invitation's link stops working, for those that expire (kept apart
    /// from `invitations` so the role maps stay as they are; usually empty).
    public var invitationExpiries: [Email: Date]

    public init(
        slug: String, displayName: String, owner: Email, spendLimit: SpendLimit = .default,
        ceiling: SpendLimit = .default, members: [Email: Role] = [:], invitations: [Email: Role] = [:],
        invitationExpiries: [Email: Date] = [:]
    ) {
        self.invitationExpiries = invitationExpiries
        self.slug = slug
        self.displayName = displayName
        self.owner = owner
        self.spendLimit = spendLimit
        self.ceiling = ceiling
        self.members = members
        self.invitations = invitations
    }

    /// Equal when what the store holds is: the digest is a shortcut of this process, not a
    /// part of the state.
    public static func == (lhs: TeamState, rhs: TeamState) -> Bool {
        lhs.slug == rhs.slug && lhs.displayName == rhs.displayName && lhs.owner == rhs.owner
            && lhs.spendLimit == rhs.spendLimit && lhs.ceiling == rhs.ceiling && lhs.members == rhs.members
            && lhs.invitations == rhs.invitations && lhs.invitationExpiries == rhs.invitationExpiries
    }
}
