public import Foundation
public import RosterCore

/// Invitations and their links' one use: accepting.
public protocol InvitationStore: Sendable {
    /// Pending invitations of `teams` (all teams when nil), by team then email.
    func pendingInvitations(teams: [String]?) async throws -> [Invitation]
    /// The invitation with `id`, whatever its status.
    func invitation(id: Int64) async throws -> Invitation?
    /// Makes the invitee a member with the invitation's role, if `id` is pending and `email`
    /// is the invitee's; audited as `invite.accept` by `email`. Waits up to `lockTimeout`
    /// for another writer.
    func acceptInvitation(id: Int64, email: Email, at time: Date, lockTimeout: Duration) async throws
}

extension InvitationStore {
    /// Accepts, waiting up to 30 s for another writer.
    public func acceptInvitation(id: Int64, email: Email, at time: Date) async throws {
        try await acceptInvitation(id: id, email: email, at: time, lockTimeout: .seconds(30))
    }

    /// Every pending invitation, by team then email.
    public func pendingInvitations() async throws -> [Invitation] { try await pendingInvitations(teams: nil) }

    /// The pending invitation for `email` in `team`, if any.
    public func pendingInvitation(team: String, email: Email) async throws -> Invitation? {
        try await pendingInvitations(teams: [team]).first { $0.email == email }
    }
}
