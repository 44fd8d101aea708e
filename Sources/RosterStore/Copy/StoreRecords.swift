public import RosterCore

/// Everything a store holds, as the rows `roster store copy` moves between backends, a
/// page at a time. Times stay the text they are stored as, so a copy is exact.
public enum StoreRecords: Sendable {
    case users([User])
    case teams([Team])
    case ceilings([Ceiling])
    case memberships([Membership])
    case invitations([InvitationRow])
    case runs([ReconcileRun])
    case apiKeys([APIKey])
    /// Entries in order, with their hashes (their `prevHash` is not used).
    case audit([AuditEntry])
    /// Last, once every other record is in.
    case stateVersion(Int64)

    public struct User: Sendable, Equatable {
        public var email: String
        public var createdAt: String
        public init(email: String, createdAt: String) {
            self.email = email
            self.createdAt = createdAt
        }
    }

    public struct Team: Sendable, Equatable {
        public var slug: String
        public var displayName: String
        public var owner: String
        public var spendLimitCents: Int64
        public var createdAt: String
        public init(slug: String, displayName: String, owner: String, spendLimitCents: Int64, createdAt: String) {
            self.slug = slug
            self.displayName = displayName
            self.owner = owner
            self.spendLimitCents = spendLimitCents
            self.createdAt = createdAt
        }
    }

    public struct Ceiling: Sendable, Equatable {
        public var team: String
        public var cents: Int64
        public var updatedBy: String
        public var updatedAt: String
        public init(team: String, cents: Int64, updatedBy: String, updatedAt: String) {
            self.team = team
            self.cents = cents
            self.updatedBy = updatedBy
            self.updatedAt = updatedAt
        }
    }

    public struct Membership: Sendable, Equatable {
        public var team: String
        public var email: String
        public var role: String
        public var createdAt: String
        public init(team: String, email: String, role: String, createdAt: String) {
            self.team = team
            self.email = email
            self.role = role
            self.createdAt = createdAt
        }
    }

    /// An invitation with its id and nonce, so that its link stays the same under the same key.
    public struct InvitationRow: Sendable, Equatable {
        public var id: Int64
        public var team: String
        public var email: String
        public var role: String
        public var status: String
        public var nonce: String
        public var createdBy: String
        public var createdAt: String
        public var updatedAt: String?
        /// When its link stops working; nil: until used or revoked.
        public var expiresAt: String?
        public init(
            id: Int64, team: String, email: String, role: String, status: String, nonce: String, createdBy: String,
            createdAt: String, updatedAt: String?, expiresAt: String? = nil
        ) {
            self.expiresAt = expiresAt
            self.id = id
            self.team = team
            self.email = email
            self.role = role
            self.status = status
            self.nonce = nonce
            self.createdBy = createdBy
            self.createdAt = createdAt
            self.updatedAt = updatedAt
        }
    }

    /// How many rows the page holds.
    public var count: Int {
        switch self {
        case .users(let rows): rows.count
        case .teams(let rows): rows.count
        case .ceilings(let rows): rows.count
        case .memberships(let rows): rows.count
        case .invitations(let rows): rows.count
        case .runs(let rows): rows.count
        case .apiKeys(let rows): rows.count
        case .audit(let rows): rows.count
        case .stateVersion: 1
        }
    }
}
