public import RosterCore

/// Every action the audit log records: a plan's changes (`Change.Action`) and the changes
/// people make outside plans. The one place action names are spelled.
public enum AuditAction: Sendable, Hashable, CaseIterable, RawRepresentable {
    case change(Change.Action)
    /// An invitee joined from the invitation's link.
    case inviteAccept
    /// An operator raised or lowered a team's approved spend-limit ceiling.
    case spendLimitCeilingUpdate
    /// An operator made an API key (the entry names its id and person, never its secret).
    case apiKeyCreate
    /// An operator revoked an API key.
    case apiKeyRevoke

    public static var allCases: [AuditAction] {
        Change.Action.allCases.map(AuditAction.change) + [.inviteAccept, .spendLimitCeilingUpdate, .apiKeyCreate, .apiKeyRevoke]
    }

    public init?(rawValue: String) {
        switch rawValue {
        case "invite.accept": self = .inviteAccept
        case "team.spend_limit_ceiling.update": self = .spendLimitCeilingUpdate
        case "apikey.create": self = .apiKeyCreate
        case "apikey.revoke": self = .apiKeyRevoke
        default:
            guard let action = Change.Action(rawValue: rawValue) else { return nil }
            self = .change(action)
        }
    }

    public var rawValue: String {
        switch self {
        case .change(let action): action.rawValue
        case .inviteAccept: "invite.accept"
        case .spendLimitCeilingUpdate: "team.spend_limit_ceiling.update"
        case .apiKeyCreate: "apikey.create"
        case .apiKeyRevoke: "apikey.revoke"
        }
    }

    /// The resource type the log files it under.
    public var resourceType: AuditResourceType {
        switch self {
        // By case, not through `action.resourceType`'s text: an apply asks once per entry.
        case .change(let action):
            switch action {
            case .teamCreate, .teamDisplayNameUpdate, .teamSpendLimitUpdate, .teamOwnerUpdate, .teamDelete: .team
            case .memberRoleUpdate, .memberRemove: .member
            case .inviteCreate, .inviteUpdate, .inviteRevoke, .inviteRenew: .invite
            }
        case .inviteAccept: .invite
        case .spendLimitCeilingUpdate: .team
        case .apiKeyCreate, .apiKeyRevoke: .apikey
        }
    }
}

/// What an audit entry is about; a member's or invitation's resource id is `<team>/<email>`,
/// a team's its slug, an API key's its id.
public enum AuditResourceType: String, Sendable, Hashable, CaseIterable {
    case team, member, invite, apikey
}
