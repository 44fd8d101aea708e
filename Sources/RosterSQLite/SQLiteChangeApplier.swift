import GRDB
import RosterCore
import RosterStore

/// Carries out plan changes with prepared statements, checking that each one finds the
/// store as the plan expected (a hand-edited or mismatched plan rolls back whole).
/// Invitations are inserted many at a time (`BulkInsert`): call `finish()` at the end.
struct SQLiteChangeApplier {
    private let db: Database
    private var invitations: BulkInsert
    private let isMember: BulkStatement
    /// Teams created by this apply, with their owner: until the apply ends the owner is
    /// their only member (invitations are accepted later, by people), so checking whether
    /// an invitee is already a member needs no query.
    private var newTeams: [String: String] = [:]
    /// The team of the last invitation and, when this apply created it, its owner.
    private var lastTeam: (slug: String, newTeamOwner: String?) = ("", nil)
    /// Invitation nonces: a random prefix per apply and a counter, unique across applies
    /// (ids can be reused after a team is deleted; nonces cannot), without a random-number
    /// call per invitation.
    private let noncePrefix = Array((InvitationTokens.nonce() + ".").utf8)
    private var nonceCounter = 0
    private var nonce: [UInt8] = []
    private let time: String
    private let inviter: String
    /// Whether the origin (`inviter` at `time`) is stored and bound: an apply that makes no
    /// invitation leaves none.
    private var hasOrigin = false

    init(db: Database, inviter: String, time: String, invitationsExpireAt: String? = nil) throws {
        self.db = db
        self.time = time
        isMember = try BulkStatement(db, sql: "SELECT 1 FROM memberships WHERE team = ? AND email = ?")
        self.inviter = inviter
        // The expiry is the same for every invitation of an apply: a shared column, present
        // only when invitations expire (NULL otherwise, the column's default). So is the
        // origin, bound when the first invitation is made.
        var shared: [String: Int32] = ["status": 1, "origin": 2]
        if invitationsExpireAt != nil { shared["expires_at"] = 3 }
        invitations = try BulkInsert(
            db, table: "invitations",
            columns: ["team", "email", "role", "status", "nonce", "origin"] + (invitationsExpireAt == nil ? [] : ["expires_at"]),
            shared: shared)
        invitations.bindShared(1, Invitation.Status.pending.rawValue)
        if let invitationsExpireAt { invitations.bindShared(3, invitationsExpireAt) }
    }

    mutating func apply(_ change: Change) throws {
        let team = change.team
        switch change.action {
        case .inviteUpdate, .inviteRevoke, .inviteRenew, .teamDelete:
            // They read or delete invitations: those held back must be in the table first.
            try invitations.flush()
        default: break
        }
        switch (change.action, change.after) {
        case (.inviteCreate, .role(let role)?):
            // First, as an apply to an empty store makes a million of these.
            if team != lastTeam.slug {
                // Plans group a team's changes: one lookup per team, not per invitation.
                lastTeam = (team, newTeams[team])
                if lastTeam.newTeamOwner == nil {
                    try require(try teamExists(team), change, .teamMissing)
                }
            }
            let member: Bool
            if let owner = lastTeam.newTeamOwner {
                member = change.subject == owner
            } else {
                isMember.bind(1, team)
                isMember.bind(2, change.subject)
                member = try isMember.stepReturnsRow()
            }
            try require(!member, change, .alreadyMember)
            if !hasOrigin {
                invitations.bindShared(2, try SQLiteStore.origin(by: inviter, at: time, db))
                hasOrigin = true
            }
            nonceCounter += 1
            nonce.removeAll(keepingCapacity: true)
            nonce.append(contentsOf: noncePrefix)
            appendDecimal(nonceCounter, to: &nonce)
            invitations.add(team)
            invitations.add(change.subject)
            invitations.add(role.rawValue)
            invitations.add(text: nonce)
            try invitations.endRow()
        case (.teamCreate, .team(let value)?):
            try run("INSERT INTO users (email, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING", [value.owner, time])
            try run(
                """
                INSERT INTO teams (slug, display_name, owner, spend_limit_cents, created_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT DO NOTHING
                """, [team, value.displayName, value.owner, SpendLimit(dollars: value.spendLimit).cents, time])
            try require(db.changesCount == 1, change, .teamExists)
            try require(SpendLimit(dollars: value.spendLimit).cents <= ceiling(team), change, .aboveCeiling)
            try run("INSERT INTO memberships (team, email, role, created_at) VALUES (?, ?, 'admin', ?)", [team, value.owner, time])
            newTeams[team] = value.owner
            lastTeam = ("", nil)
        case (.teamDelete, _):
            try run("DELETE FROM teams WHERE slug = ?", [team])
            try require(db.changesCount == 1, change, .teamMissing)
            newTeams[team] = nil
            lastTeam = ("", nil)
        case (.teamDisplayNameUpdate, .text(let name)?):
            try run("UPDATE teams SET display_name = ? WHERE slug = ?", [name, team])
            try require(db.changesCount == 1, change, .teamMissing)
        case (.teamSpendLimitUpdate, .spendLimit(let limit)?):
            try require(limit.cents <= ceiling(team), change, .aboveCeiling)
            try run("UPDATE teams SET spend_limit_cents = ? WHERE slug = ?", [limit.cents, team])
            try require(db.changesCount == 1, change, .teamMissing)
        case (.teamOwnerUpdate, .email(let owner)?):
            try run(
                """
                UPDATE teams SET owner = ? WHERE slug = ?
                AND EXISTS (SELECT 1 FROM memberships WHERE team = ? AND email = ? AND role = 'admin')
                """, [owner.value, team, team, owner.value])
            try require(db.changesCount == 1, change, .ownerNotAdmin)
        case (.memberRoleUpdate, .role(let role)?):
            try run(
                """
                UPDATE memberships SET role = ? WHERE team = ? AND email = ?
                AND (? = 'admin' OR email <> (SELECT owner FROM teams WHERE slug = ?))
                """, [role.rawValue, team, change.subject, role.rawValue, team])
            try require(db.changesCount == 1, change, .noSuchMemberOrOwner)
        case (.memberRemove, _):
            try run(
                "DELETE FROM memberships WHERE team = ? AND email = ? AND email <> (SELECT owner FROM teams WHERE slug = ?)",
                [team, change.subject, team])
            try require(db.changesCount == 1, change, .noSuchMemberOrOwner)
        case (.inviteUpdate, .role(let role)?):
            try run(
                "UPDATE invitations SET role = ?, updated_at = ? WHERE team = ? AND email = ? AND status = 'pending'",
                [role.rawValue, time, team, change.subject])
            try require(db.changesCount == 1, change, .noPendingInvitation)
        case (.inviteRenew, let until):
            // A new nonce is a new link; the old one no longer matches.
            let expires: String?
            switch until {
            case .time(let date)?: expires = Timestamp.string(date)
            case nil: expires = nil
            default: throw ApplyRejection.malformed.error(change)
            }
            try run(
                "UPDATE invitations SET nonce = ?, expires_at = ?, updated_at = ? WHERE team = ? AND email = ? AND status = 'pending'",
                [InvitationTokens.nonce(), expires, time, team, change.subject])
            try require(db.changesCount == 1, change, .noPendingInvitation)
        case (.inviteRevoke, _):
            try run(
                "UPDATE invitations SET status = 'revoked', updated_at = ? WHERE team = ? AND email = ? AND status = 'pending'",
                [time, team, change.subject])
            try require(db.changesCount == 1, change, .noPendingInvitation)
        default:
            throw ApplyRejection.malformed.error(change)
        }
    }

    /// Inserts the invitations still held back.
    mutating func finish() throws {
        try invitations.flush()
    }

    /// Appends `number` (not negative) in decimal, as `String(number)` would, without a `String`.
    private func appendDecimal(_ number: Int, to bytes: inout [UInt8]) {
        var divisor = 1
        while number / divisor >= 10 { divisor *= 10 }
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(number / divisor % 10))
            divisor /= 10
        }
    }

    /// Runs `sql` through the connection's statement cache: a plan repeats each kind of change.
    private func run(_ sql: String, _ arguments: StatementArguments) throws {
        try db.cachedStatement(sql: sql).execute(arguments: arguments)
    }

    private func teamExists(_ team: String) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM teams WHERE slug = ?"), arguments: [team]) ?? false
    }

    private func ceiling(_ team: String) throws -> Int64 {
        try SQLiteTransaction.ceiling(db, team).cents
    }

    private func require(_ condition: Bool, _ change: Change, _ rejection: ApplyRejection) throws {
        guard condition else { throw rejection.error(change) }
    }
}
