public import Foundation
public import RosterCore

/// Invitations and their links' one use: accepting.
public protocol InvitationStore: Sendable {
    /// Pending invitations of `teams` (all teams when nil), by team then email.
    func pendingInvitations(teams: [String]?) async throws -> [Invitation]
    /// One page of `teams`' pending invitations, by team then email: at most `limit`, after
    /// `after` (the previous page's last team and email) when given.
    func pendingInvitations(teams: [String], after: InvitationCursor?, limit: Int) async throws -> [Invitation]
    /// One page of every team's pending invitations, by team then email: at most `limit`,
    /// after `after` when given. What an operator's listing reads, a page at a time, so a
    /// million invitations are never in memory at once.
    func allPendingInvitations(after: InvitationCursor?, limit: Int) async throws -> [Invitation]
    /// How many invitations of `teams` are pending, counted up to `limit` (a summary that
    /// says "10,000 or more" need not count a million).
    func pendingInvitationCount(teams: [String], upTo limit: Int) async throws -> Int
    /// How many invitations are pending in all.
    func pendingInvitationCount() async throws -> Int
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

    /// Every pending invitation, by team then email, handed to `body` a page at a time.
    public func forEachPendingInvitationPage(size: Int = 1_000, _ body: ([Invitation]) async throws -> Void) async throws {
        var after: InvitationCursor?
        while true {
            let page = try await allPendingInvitations(after: after, limit: size)
            if !page.isEmpty { try await body(page) }
            guard page.count == size, let last = page.last else { return }
            after = InvitationCursor(team: last.team, email: last.email.value)
        }
    }

    /// The pending invitation for `email` in `team`, if any.
    public func pendingInvitation(team: String, email: Email) async throws -> Invitation? {
        try await pendingInvitations(teams: [team]).first { $0.email == email }
    }
}

/// Where a page of pending invitations ends: its last team and email.
public struct InvitationCursor: Sendable, Equatable {
    public var team: String
    public var email: String

    public init(team: String, email: String) {
        self.team = team
        self.email = email
    }

    /// `team/email`, as a page's link carries it.
    public init?(_ text: String) {
        guard let slash = text.firstIndex(of: "/"), slash != text.startIndex else { return nil }
        team = String(text[..<slash])
        email = String(text[text.index(after: slash)...])
    }

    public var text: String { team + "/" + email }
}
