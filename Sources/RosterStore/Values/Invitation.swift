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

    public init(
        id: Int64, team: String, email: Email, role: Role, status: Status, createdBy: String, createdAt: Date, nonce: String
    ) {
        self.id = id
        self.team = team
        self.email = email
        self.role = role
        self.status = status
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.nonce = nonce
    }
}

