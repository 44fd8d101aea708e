import Foundation
import GRDB
public import RosterStore

extension SQLiteStore {
    public func pendingInvitations(teams: [String]?) async throws -> [Invitation] {
        try await read { db in
            guard let teams else {
                return try Row.fetchAll(
                    db,
                    sql: """
                        SELECT \(Self.invitationColumns) FROM \(Self.invitationsWithOrigin)
                        WHERE i.status = 'pending' ORDER BY i.team, i.email
                        """
                ).map(Self.invitation)
            }
            var invitations: [Invitation] = []
            // One indexed lookup per team (invitations_pending), in team order: an admin of a
            // few teams never reads a large organisation's every invitation.
            for team in teams.sorted() {
                invitations += try Row.fetchAll(
                    db,
                    sql: """
                        SELECT \(Self.invitationColumns) FROM \(Self.invitationsWithOrigin)
                        WHERE i.team = ? AND i.status = 'pending' ORDER BY i.email
                        """,
                    arguments: [team]
                ).map(Self.invitation)
            }
            return invitations
        }
    }

    public func pendingInvitations(teams: [String], after: InvitationCursor?, limit: Int) async throws -> [Invitation] {
        try await read { db in
            var page: [Invitation] = []
            // One indexed lookup per team from the cursor's on, until the page is full.
            for team in teams.sorted() where after.map({ team >= $0.team }) ?? true {
                let from = after.flatMap { $0.team == team ? $0.email : nil } ?? ""
                page += try Row.fetchAll(
                    db,
                    sql: """
                        SELECT \(Self.invitationColumns) FROM \(Self.invitationsWithOrigin)
                        WHERE i.team = ? AND i.status = 'pending' AND i.email > ? ORDER BY i.email LIMIT ?
                        """, arguments: [team, from, limit - page.count]
                ).map(Self.invitation)
                if page.count >= limit { break }
            }
            return page
        }
    }

    public func allPendingInvitations(after: InvitationCursor?, limit: Int) async throws -> [Invitation] {
        try await read { db in
            // Through the pending index, from the cursor on.
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.invitationColumns) FROM \(Self.invitationsWithOrigin)
                    WHERE i.status = 'pending' AND (i.team, i.email) > (?, ?) ORDER BY i.team, i.email LIMIT ?
                    """, arguments: [after?.team ?? "", after?.email ?? "", limit]
            ).map(Self.invitation)
        }
    }

    public func pendingInvitationCount() async throws -> Int {
        try await read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM invitations WHERE status = 'pending'") ?? 0 }
    }

    public func pendingInvitationCount(teams: [String], upTo limit: Int) async throws -> Int {
        // One statement over the pending index, the teams as one JSON array: an admin of ten
        // thousand teams costs one query, not ten thousand.
        let list = String(decoding: try JSONEncoder().encode(teams), as: UTF8.self)
        return try await read { db in
            try Int.fetchOne(
                db,
                sql: """
                    SELECT count(*) FROM (SELECT 1 FROM invitations
                        WHERE status = 'pending' AND team IN (SELECT value FROM json_each(?)) LIMIT ?)
                    """,
                arguments: [list, limit]) ?? 0
        }
    }

    public func invitation(id: Int64) async throws -> Invitation? {
        try await read { db in
            try Row.fetchOne(
                db, sql: "SELECT \(Self.invitationColumns) FROM \(Self.invitationsWithOrigin) WHERE i.id = ?", arguments: [id]
            )
                .map(Self.invitation)
        }
    }
}
