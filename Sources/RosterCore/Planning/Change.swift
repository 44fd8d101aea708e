public import Foundation

/// One change a plan makes.
public struct Change: Sendable, Hashable, Codable {
    /// What a change does, as its audit action is named.
    public enum Action: String, Sendable, Hashable, Codable, CaseIterable {
        case teamCreate = "team.create"
        case teamDisplayNameUpdate = "team.display_name.update"
        case teamSpendLimitUpdate = "team.spend_limit.update"
        case memberRoleUpdate = "member.role.update"
        case teamOwnerUpdate = "team.owner.update"
        case inviteCreate = "invite.create"
        case inviteUpdate = "invite.update"
        case inviteRevoke = "invite.revoke"
        /// An expired invitation re-issued: a new link, the old one dead; before and after
        /// are the old and new expiry.
        case inviteRenew = "invite.renew"
        case memberRemove = "member.remove"
        case teamDelete = "team.delete"

        /// Whether the change takes someone out of a team (counted against maxRemovals).
        public var isRemoval: Bool { self == .memberRemove || self == .inviteRevoke }

        /// The resource type the audit log files it under.
        public var resourceType: String {
            switch self {
            case .teamCreate, .teamDisplayNameUpdate, .teamSpendLimitUpdate, .teamOwnerUpdate, .teamDelete: "team"
            case .memberRoleUpdate, .memberRemove: "member"
            case .inviteCreate, .inviteUpdate, .inviteRevoke, .inviteRenew: "invite"
            }
        }

        /// `+` invite or create, `~` change, `-` remove or revoke.
        public var symbol: Character {
            switch self {
            case .teamCreate, .inviteCreate: "+"
            case .memberRemove, .inviteRevoke, .teamDelete: "-"
            default: "~"
            }
        }
    }

    public var action: Action
    public var team: String
    /// The email for member and invitation changes, the team slug for team changes.
    public var subject: String
    public var before: ChangeValue?
    public var after: ChangeValue?
    /// Why the change is made when it is not because a manifest says so directly: time passed.
    public var reason: Reason?
    /// For an invitation or role change of a temporary member: when their access ends.
    public var expires: Date?

    /// Why a change is made by time alone; written into the plan, the audit entry and the run.
    public enum Reason: String, Sendable, Hashable, Codable {
        /// The member's `expires` has passed.
        case expired
    }

    public init(
        _ action: Action, team: String, subject: String, before: ChangeValue? = nil, after: ChangeValue? = nil,
        reason: Reason? = nil, expires: Date? = nil
    ) {
        self.action = action
        self.team = team
        self.subject = subject
        self.before = before
        self.after = after
        self.reason = reason
        self.expires = expires
    }

    private enum CodingKeys: String, CodingKey { case action, team, subject, before, after, reason, expires }

    /// Reads a saved change; `before`/`after` are read as the action says they are (a display
    /// name that reads "dev" is a name, not a role).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        action = try container.decode(Action.self, forKey: .action)
        team = try container.decode(String.self, forKey: .team)
        subject = try container.decode(String.self, forKey: .subject)
        before = try Self.value(container, .before, for: action)
        after = try Self.value(container, .after, for: action)
        reason = try container.decodeIfPresent(Reason.self, forKey: .reason)
        if let text = try container.decodeIfPresent(String.self, forKey: .expires) {
            guard let date = Expiry.parse(text) else {
                throw DecodingError.dataCorruptedError(forKey: .expires, in: container, debugDescription: "\(text) is not a time")
            }
            expires = date
        }
    }

    private static func value(
        _ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys, for action: Action
    ) throws -> ChangeValue? {
        guard try container.decodeNil(forKey: key) == false else { return nil }
        switch action {
        case .teamCreate, .teamDelete:
            return .team(try container.decode(ChangeValue.TeamValue.self, forKey: key))
        case .teamSpendLimitUpdate:
            return .spendLimit(SpendLimit(dollars: try container.decode(Double.self, forKey: key)))
        case .teamDisplayNameUpdate:
            return .text(try container.decode(String.self, forKey: key))
        case .inviteRenew:
            let text = try container.decode(String.self, forKey: key)
            guard let date = Expiry.parse(text) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "\(text) is not a time")
            }
            return .time(date)
        case .teamOwnerUpdate:
            let text = try container.decode(String.self, forKey: key)
            guard let email = Email(text) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "\(text) is not an email")
            }
            return .email(email)
        case .memberRoleUpdate, .memberRemove, .inviteCreate, .inviteUpdate, .inviteRevoke:
            let text = try container.decode(String.self, forKey: key)
            guard let role = Role(rawValue: text) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "\(text) is not a role")
            }
            return .role(role)
        }
    }

    /// Writes `before` and `after` even when null, so every change has the same shape.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(action, forKey: .action)
        try container.encode(team, forKey: .team)
        try container.encode(subject, forKey: .subject)
        try container.encode(before, forKey: .before)
        try container.encode(after, forKey: .after)
        // Only when set: plans without temporary members keep the shape SPEC shows.
        try container.encodeIfPresent(reason, forKey: .reason)
        try container.encodeIfPresent(expires.map(Expiry.text), forKey: .expires)
    }

    /// The audit log's resource id: `<team>/<email>` for members and invitations, the slug for teams.
    public var resourceID: String { action.resourceType == "team" ? team : "\(team)/\(subject)" }
}

/// A value before or after a change: a role, a spend limit, an email, a name, or a whole team.
public enum ChangeValue: Sendable, Hashable, Codable, CustomStringConvertible {
    case role(Role)
    case spendLimit(SpendLimit)
    case email(Email)
    case text(String)
    case team(TeamValue)
    /// An instant: an invitation's expiry.
    case time(Date)

    /// A team as `team.create` and `team.delete` carry it.
    public struct TeamValue: Sendable, Hashable, Codable {
        public var displayName: String
        public var owner: String
        public var spendLimit: Double

        public init(displayName: String, owner: Email, spendLimit: SpendLimit) {
            self.displayName = displayName
            self.owner = owner.value
            self.spendLimit = spendLimit.dollars
        }
    }

    public var description: String {
        switch self {
        case .role(let role): role.rawValue
        case .spendLimit(let limit): "$\(limit)/h"
        case .email(let email): email.value
        case .text(let text): "\"\(text)\""
        case .team(let team): "\(team.displayName) (owner \(team.owner), $\(SpendLimit(dollars: team.spendLimit))/h)"
        case .time(let date): Expiry.text(date)
        }
    }

    // JSON: a role or an email or a name is a string, a spend limit a number, a team an object.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .role(let role): try container.encode(role.rawValue)
        case .spendLimit(let limit): try container.encode(limit.dollars)
        case .email(let email): try container.encode(email.value)
        case .text(let text): try container.encode(text)
        case .team(let team): try container.encode(team)
        case .time(let date): try container.encode(Expiry.text(date))
        }
    }

    /// Reads a value without knowing its change's action (`Change` reads by action instead):
    /// numbers are spend limits, objects teams, strings roles, emails or names.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self) {
            self = .spendLimit(SpendLimit(dollars: number))
        } else if let team = try? container.decode(TeamValue.self) {
            self = .team(team)
        } else {
            let text = try container.decode(String.self)
            if let role = Role(rawValue: text) {
                self = .role(role)
            } else if text.contains("@"), let email = Email(text) {
                self = .email(email)
            } else {
                self = .text(text)
            }
        }
    }
}

extension SpendLimit {
    /// The limit nearest to `dollars`, in whole cents.
    public init(dollars: Double) { self.init(cents: Int64((dollars * 100).rounded())) }
}
