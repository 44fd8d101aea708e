import Foundation
import Logging
import PostgresNIO
import RosterCore
public import RosterStore

extension PostgresStore {
    public func pendingInvitations(teams: [String]?) async throws -> [Invitation] {
        let logger = logger
        return try await withConnection { connection in
            let query: PostgresQuery =
                if let teams {
                    "SELECT \(unescaped: Self.invitationColumns) FROM invitations WHERE status = 'pending' AND team = ANY(\(teams)) ORDER BY team, email"
                } else {
                    "SELECT \(unescaped: Self.invitationColumns) FROM invitations WHERE status = 'pending' ORDER BY team, email"
                }
            return try await Self.invitations(query, connection, logger)
        }
    }

    public func pendingInvitations(teams: [String], after: InvitationCursor?, limit: Int) async throws -> [Invitation] {
        let logger = logger
        return try await withConnection { connection in
            try await Self.invitations(
                """
                SELECT \(unescaped: Self.invitationColumns) FROM invitations
                WHERE status = 'pending' AND team = ANY(\(teams))
                  AND (team, email) > (\(after?.team ?? ""), \(after?.email ?? ""))
                ORDER BY team, email LIMIT \(Int64(limit))
                """, connection, logger)
        }
    }

    public func allPendingInvitations(after: InvitationCursor?, limit: Int) async throws -> [Invitation] {
        let logger = logger
        return try await withConnection { connection in
            try await Self.invitations(
                """
                SELECT \(unescaped: Self.invitationColumns) FROM invitations
                WHERE status = 'pending' AND (team, email) > (\(after?.team ?? ""), \(after?.email ?? ""))
                ORDER BY team, email LIMIT \(Int64(limit))
                """, connection, logger)
        }
    }

    public func pendingInvitationCount() async throws -> Int {
        let logger = logger
        return try await withConnection { connection in
            var count: Int64 = 0
            for try await value in try await connection.query(
                "SELECT count(*) FROM invitations WHERE status = 'pending'", logger: logger
            ).decode(Int64.self) {
                count = value
            }
            return Int(count)
        }
    }

    public func pendingInvitationCount(teams: [String], upTo limit: Int) async throws -> Int {
        let logger = logger
        return try await withConnection { connection in
            var count: Int64 = 0
            for try await value in try await connection.query(
                """
                SELECT count(*) FROM (SELECT 1 FROM invitations WHERE status = 'pending' AND team = ANY(\(teams))
                    LIMIT \(Int64(limit))) counted
                """, logger: logger
            ).decode(Int64.self) {
                count = value
            }
            return Int(count)
        }
    }

    public func invitation(id: Int64) async throws -> Invitation? {
        let logger = logger
        return try await withConnection { connection in
            try await Self.invitations(
                "SELECT \(unescaped: Self.invitationColumns) FROM invitations WHERE id = \(id)", connection, logger
            ).first
        }
    }

    static let invitationColumns = "id, team, email, role, status, created_by, created_at, nonce, expires_at"

    static func invitations(_ query: PostgresQuery, _ connection: PostgresConnection, _ logger: Logger) async throws
        -> [Invitation]
    {
        var invitations: [Invitation] = []
        for try await (id, team, email, role, status, createdBy, createdAt, nonce, expiresAt) in try await connection.query(
            query, logger: logger
        ).decode((Int64, String, String, String, String, String, String, String, String?).self) {
            invitations.append(
                Invitation(
                    id: id, team: team, email: Email(normalized: email), role: Role(rawValue: role) ?? .basic,
                    status: Invitation.Status(rawValue: status) ?? .revoked, createdBy: createdBy,
                    createdAt: Timestamp.date(createdAt) ?? .distantPast, nonce: nonce,
                    expiresAt: expiresAt.flatMap(Timestamp.date)))
        }
        return invitations
    }
}
