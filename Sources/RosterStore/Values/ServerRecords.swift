public import Foundation
import Crypto
public import RosterCore

/// Who holds a named lease in the store: one reconciler per store across processes and
/// machines. The holder renews it well before `expiresAt`; another may take it once it
/// has expired (its holder died) or was released (its holder stopped).
public struct Lease: Sendable, Equatable {
    public var name: String
    public var holder: String
    public var acquiredAt: Date
    public var expiresAt: Date

    public init(name: String, holder: String, acquiredAt: Date, expiresAt: Date) {
        self.name = name
        self.holder = holder
        self.acquiredAt = acquiredAt
        self.expiresAt = expiresAt
    }
}

/// An API key as the store holds it: who it signs in, and the SHA-256 of its secret part
/// (never the secret itself; see `APIKeySecret`).
public struct APIKey: Sendable, Equatable {
    public var id: String
    public var email: Email
    public var secretHash: Data
    public var createdAt: Date
    public var createdBy: String
    public var revokedAt: Date?

    public init(id: String, email: Email, secretHash: Data, createdAt: Date, createdBy: String, revokedAt: Date? = nil) {
        self.id = id
        self.email = email
        self.secretHash = secretHash
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.revokedAt = revokedAt
    }

    /// Whether the key may still sign in.
    public var isActive: Bool { revokedAt == nil }
}

/// A browser session: signed in with the API key `keyID` until `expiresAt`, unless ended
/// (signed out) before. The store keeps the SHA-256 of the cookie's secret as its id, never
/// the secret, so a copy of the database does not sign anyone in.
public struct Session: Sendable, Equatable {
    public var id: String
    public var keyID: String
    public var createdAt: Date
    public var expiresAt: Date
    public var endedAt: Date?

    public init(id: String, keyID: String, createdAt: Date, expiresAt: Date, endedAt: Date? = nil) {
        self.id = id
        self.keyID = keyID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.endedAt = endedAt
    }

    /// Whether the session still signs its person in at `now`.
    public func isLive(at now: Date) -> Bool { endedAt == nil && expiresAt > now }

    /// The id a cookie's secret is stored under: its SHA-256 in hex.
    public static func id(forSecret secret: String) -> String {
        AuditChain.hex(SHA256.hash(data: Data(secret.utf8)))
    }
}

/// A team without its members, for listings.
public struct TeamSummary: Sendable, Equatable, Codable {
    public var slug: String
    public var displayName: String
    public var owner: String
    /// Dollars per hour, two decimals.
    public var spendLimit: String
    public var members: Int
    public var pendingInvitations: Int
    /// The approved spend-limit ceiling, dollars per hour (the default unless an operator raised it).
    public var ceiling: String

    public init(
        slug: String, displayName: String, owner: String, spendLimit: String, members: Int, pendingInvitations: Int,
        ceiling: String = SpendLimit.default.description
    ) {
        self.ceiling = ceiling
        self.slug = slug
        self.displayName = displayName
        self.owner = owner
        self.spendLimit = spendLimit
        self.members = members
        self.pendingInvitations = pendingInvitations
    }
}
