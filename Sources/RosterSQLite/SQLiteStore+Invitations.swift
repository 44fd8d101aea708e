import GRDB
public import RosterStore

extension SQLiteStore {
    public func pendingInvitations(teams: [String]?) async throws -> [Invitation] {
        try await read { db in
            guard let teams else {
                return try Row.fetchAll(
                    db, sql: "SELECT \(Self.invitationColumns) FROM invitations WHERE status = 'pending' ORDER BY team, email"
                ).map(Self.invitation)
            }
            var invitations: [Invitation] = []
            // One indexed lookup per team (invitations_pending), in team order: an admin of a
            // few teams never reads a large organisation's every invitation.
            for team in teams.sorted() {
                invitations += try Row.fetchAll(
                    db,
                    sql: "SELECT \(Self.invitationColumns) FROM invitations WHERE team = ? AND status = 'pending' ORDER BY email",
                    arguments: [team]
                ).map(Self.invitation)
            }
            return invitations
        }
    }

    public func invitation(id: Int64) async throws -> Invitation? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.invitationColumns) FROM invitations WHERE id = ?", arguments: [id])
                .map(Self.invitation)
        }
    }
}
