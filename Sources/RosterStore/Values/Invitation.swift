public import Foundation
public import RosterCore

/// An invitation as the store holds it. Its link is derived from `id` and `nonce` with
/// the secret key (see `InvitationTokens`); the store alone cannot make one.
public struct Invitation: Sendable, Equatable {
    public enum Status: String, Sendable { case pending, accepted, revoked }

    public var id: Int64
    public var team: String
    public var email: Email
    public var role: Role
    public var status: Status
    public var createdBy: String
    public var createdAt: Date
    public var nonce: String
    /// When the link stops working (`spec.invitations.expireAfter`); nil: until used or revoked.
    public var expiresAt: Date?

    public init(
        id: Int64, team: String, email: Email, role: Role, status: Status, createdBy: String, createdAt: Date, nonce: String,
        expiresAt: Date? = nil
    ) {
        self.expiresAt = expiresAt
        self.id = id
        self.team = team
        self.email = email
        self.role = role
        self.status = status
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.nonce = nonce
    }

    /// Whether the link has stopped working by `now`: an expired invitation answers as a
    /// revoked one does, until the next reconcile renews or revokes it.
    public func hasExpired(at now: Date) -> Bool { Expiry.hasPassed(expiresAt, at: now) }

    /// Whether `id`'s link may be used at `now`: pending and not expired.
    public func isUsable(at now: Date) -> Bool { status == .pending && !hasExpired(at: now) }
}

