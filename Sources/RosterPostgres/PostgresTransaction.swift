public import Foundation
import Logging
import NIOCore
import PostgresNIO
public import RosterCore
public import RosterStore

extension PostgresStore {
    /// One write transaction on a pooled connection: `BEGIN`, the body, `COMMIT` (or
    /// `ROLLBACK` when it throws). Writers queue on the state version's row lock, which the
    /// neutral algorithms take first, for at most `purpose.lockTimeout`.
    public func withTransaction<Result: Sendable>(
        _ purpose: WritePurpose, _ body: (PostgresTransaction) async throws -> Result
    ) async throws -> Result {
        let logger = logger
        let shown = location.description
        return try await withConnection { connection in
            let milliseconds = max(1, purpose.lockTimeout.components.seconds * 1000
                + purpose.lockTimeout.components.attoseconds / 1_000_000_000_000_000)
            try await Self.execute("BEGIN", on: connection, logger)
            let transaction = PostgresTransaction(connection: connection, logger: logger, location: shown)
            do {
                try await Self.execute(
                    PostgresQuery(unsafeSQL: "SET LOCAL lock_timeout = \(milliseconds)"), on: connection, logger)
                let result = try await body(transaction)
                try await transaction.flush()
                try await Self.execute("COMMIT", on: connection, logger)
                return result
            } catch {
                try? await Self.execute("ROLLBACK", on: connection, logger)
                if let error = error as? PSQLError { throw Self.storeError(error, location: shown) }
                throw error
            }
        }
    }
}

/// A write transaction on the PostgreSQL store (see `StoreTransaction`). New teams and
/// invitations are held back and written many at a time (an apply to an empty store makes a
/// million invitations); any other change writes them first, so the order of the plan holds.
public final class PostgresTransaction: StoreTransaction {
    let connection: PostgresConnection
    let logger: Logger
    private let location: String
    private var teams: [Change] = []
    private var invitations: [Change] = []
    private var inviter = ""
    private var time = ""
    private var invitationsExpireAt: String?
    /// Invitation nonces: a random prefix per apply and a counter (see the SQLite store).
    private let noncePrefix = InvitationTokens.nonce() + "."
    private var nonceCounter = 0

    init(connection: PostgresConnection, logger: Logger, location: String) {
        self.connection = connection
        self.logger = logger
        self.location = location
    }

    /// Blocks of 16,384: each is a COPY of invitations and one of audit rows, and a round
    /// trip costs more here than a turn of SQLite's writer does.
    public static let rowsPerBlock = 16_384

    public func lockedStateVersion() async throws -> Int64 {
        try await PostgresStore.first(
            Int64.self, "SELECT value FROM meta WHERE key = 'state_version' FOR UPDATE", on: connection, logger) ?? 0
    }

    public func setStateVersion(_ version: Int64) async throws {
        try await execute("UPDATE meta SET value = \(version) WHERE key = 'state_version'")
    }

    public func holdsLease(_ fence: Fence, at now: Date) async throws -> Bool {
        // FOR SHARE: a replica taking the lease over waits until this transaction ends, so a
        // write under the lease and the takeover are one after the other, never overlapping.
        try await count(
            """
            SELECT 1 FROM leases WHERE name = \(fence.name) AND holder = \(fence.holder)
            AND expires_at_ms > \(PostgresStore.milliseconds(now)) FOR SHARE
            """) == 1
    }

    public func perform(
        _ changes: ArraySlice<Change>, inviter: String, at time: String, invitationsExpireAt: String?
    ) async throws {
        self.inviter = inviter
        self.time = time
        self.invitationsExpireAt = invitationsExpireAt
        for change in changes {
            switch change.action {
            case .teamCreate: teams.append(change)
            case .inviteCreate: invitations.append(change)
            default:
                try await flush()
                try await performOne(change)
            }
        }
        try await flush()
    }

    /// Writes the teams and invitations held back.
    func flush() async throws {
        if !teams.isEmpty { try await createTeams() }
        if !invitations.isEmpty { try await createInvitations() }
    }

    private func createTeams() async throws {
        let changes = teams
        teams.removeAll(keepingCapacity: true)
        var slugs: [String] = [], names: [String] = [], owners: [String] = [], cents: [Int64] = []
        for change in changes {
            guard case .team(let value)? = change.after else { throw ApplyRejection.malformed.error(change) }
            slugs.append(change.team)
            names.append(value.displayName)
            owners.append(value.owner)
            cents.append(SpendLimit(dollars: value.spendLimit).cents)
        }
        if let index = try await firstIndex(
            "SELECT ord FROM unnest(\(slugs)::text[]) WITH ORDINALITY AS t(slug, ord) WHERE EXISTS (SELECT 1 FROM teams WHERE teams.slug = t.slug)")
        {
            throw ApplyRejection.teamExists.error(changes[index])
        }
        if let index = try await firstIndex(
            """
            SELECT ord FROM unnest(\(slugs)::text[], \(cents)::bigint[]) WITH ORDINALITY AS t(slug, cents, ord)
            LEFT JOIN ceilings c ON c.team = t.slug WHERE t.cents > coalesce(c.cents, \(SpendLimit.default.cents))
            """)
        {
            throw ApplyRejection.aboveCeiling.error(changes[index])
        }
        try await execute(
            "INSERT INTO users (email, created_at) SELECT DISTINCT o, \(time) FROM unnest(\(owners)::text[]) AS o ON CONFLICT DO NOTHING")
        try await execute(
            """
            INSERT INTO teams (slug, display_name, owner, spend_limit_cents, created_at)
            SELECT slug, name, owner, cents, \(time) FROM unnest(\(slugs)::text[], \(names)::text[], \(owners)::text[], \(cents)::bigint[])
                AS t(slug, name, owner, cents)
            """)
        try await execute(
            """
            INSERT INTO memberships (team, email, role, created_at)
            SELECT slug, owner, 'admin', \(time) FROM unnest(\(slugs)::text[], \(owners)::text[]) AS t(slug, owner)
            """)
    }

    private func createInvitations() async throws {
        let changes = invitations
        invitations.removeAll(keepingCapacity: true)
        var teams: [String] = [], emails: [String] = []
        teams.reserveCapacity(changes.count)
        emails.reserveCapacity(changes.count)
        for change in changes {
            teams.append(change.team)
            emails.append(change.subject)
        }
        // One query finds the first invitation whose team is missing or whose invitee is
        // already a member.
        var first: (index: Int, teamExists: Bool)?
        for try await (ord, teamExists) in try await connection.query(
            """
            SELECT ord, EXISTS (SELECT 1 FROM teams WHERE teams.slug = i.team)
            FROM unnest(\(teams)::text[], \(emails)::text[]) WITH ORDINALITY AS i(team, email, ord)
            WHERE NOT EXISTS (SELECT 1 FROM teams WHERE teams.slug = i.team)
                OR EXISTS (SELECT 1 FROM memberships m WHERE m.team = i.team AND m.email = i.email)
            ORDER BY ord LIMIT 1
            """, logger: logger
        ).decode((Int64, Bool).self) {
            first = (Int(ord) - 1, teamExists)
        }
        if let first {
            throw (first.teamExists ? ApplyRejection.alreadyMember : .teamMissing).error(changes[first.index])
        }
        var rows = CopyText(capacity: changes.count * 96)
        for change in changes {
            guard case .role(let role)? = change.after else { throw ApplyRejection.malformed.error(change) }
            nonceCounter += 1
            rows.field(change.team)
            rows.field(change.subject)
            rows.field(plain: role.rawValue.utf8)
            rows.field(plain: "pending".utf8)
            rows.field(noncePrefix + String(nonceCounter))
            rows.field(inviter)
            rows.field(time)
            if let invitationsExpireAt { rows.field(invitationsExpireAt) }
            rows.endRow()
        }
        try await copy(
            rows, into: "invitations",
            ["team", "email", "role", "status", "nonce", "created_by", "created_at"] + (invitationsExpireAt == nil ? [] : ["expires_at"]))
    }

    private func performOne(_ change: Change) async throws {
        let team = change.team
        let subject = change.subject
        let time = time
        switch (change.action, change.after) {
        case (.teamDelete, _):
            // Invitations have no foreign key to cascade through (see the schema).
            try await execute("DELETE FROM invitations WHERE team = \(team)")
            try await require(count("DELETE FROM teams WHERE slug = \(team) RETURNING 1") == 1, change, .teamMissing)
        case (.teamDisplayNameUpdate, .text(let name)?):
            try await require(
                count("UPDATE teams SET display_name = \(name) WHERE slug = \(team) RETURNING 1") == 1, change, .teamMissing)
        case (.teamSpendLimitUpdate, .spendLimit(let limit)?):
            try await require(limit <= ceiling(team: team), change, .aboveCeiling)
            try await require(
                count("UPDATE teams SET spend_limit_cents = \(limit.cents) WHERE slug = \(team) RETURNING 1") == 1, change,
                .teamMissing)
        case (.teamOwnerUpdate, .email(let owner)?):
            try await require(
                count(
                    """
                    UPDATE teams SET owner = \(owner.value) WHERE slug = \(team)
                    AND EXISTS (SELECT 1 FROM memberships WHERE team = \(team) AND email = \(owner.value) AND role = 'admin')
                    RETURNING 1
                    """) == 1, change, .ownerNotAdmin)
        case (.memberRoleUpdate, .role(let role)?):
            try await require(
                count(
                    """
                    UPDATE memberships SET role = \(role.rawValue) WHERE team = \(team) AND email = \(subject)
                    AND (\(role.rawValue) = 'admin' OR email <> (SELECT owner FROM teams WHERE slug = \(team)))
                    RETURNING 1
                    """) == 1, change, .noSuchMemberOrOwner)
        case (.memberRemove, _):
            try await require(
                count(
                    """
                    DELETE FROM memberships WHERE team = \(team) AND email = \(subject)
                    AND email <> (SELECT owner FROM teams WHERE slug = \(team)) RETURNING 1
                    """) == 1, change, .noSuchMemberOrOwner)
        case (.inviteUpdate, .role(let role)?):
            try await require(
                count(
                    """
                    UPDATE invitations SET role = \(role.rawValue), updated_at = \(time)
                    WHERE team = \(team) AND email = \(subject) AND status = 'pending' RETURNING 1
                    """) == 1, change, .noPendingInvitation)
        case (.inviteRenew, let until):
            // A new nonce is a new link; the old one no longer matches.
            var expires: String?
            if case .time(let date)? = until { expires = Timestamp.string(date) } else if until != nil {
                throw ApplyRejection.malformed.error(change)
            }
            try await require(
                count(
                    """
                    UPDATE invitations SET nonce = \(InvitationTokens.nonce()), expires_at = \(expires), updated_at = \(time)
                    WHERE team = \(team) AND email = \(subject) AND status = 'pending' RETURNING 1
                    """) == 1, change, .noPendingInvitation)
        case (.inviteRevoke, _):
            try await require(
                count(
                    """
                    UPDATE invitations SET status = 'revoked', updated_at = \(time)
                    WHERE team = \(team) AND email = \(subject) AND status = 'pending' RETURNING 1
                    """) == 1, change, .noPendingInvitation)
        default:
            throw ApplyRejection.malformed.error(change)
        }
    }

    public func auditHead() async throws -> AuditHead? {
        for try await (seq, hash) in try await connection.query(
            "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", logger: logger
        ).decode((Int64, ByteBuffer).self) {
            return AuditHead(seq: seq, hash: PostgresStore.hex(hash))
        }
        return nil
    }

    public func appendAudit(_ rows: PostgresAuditRows, of write: AuditWrite) async throws {
        try await copy(rows.text, into: "audit", PostgresAuditRows.columns)
    }

    public func finishAudit(_ write: AuditWrite, firstSeq: Int64, lastSeq: Int64) async throws {
        // Each row carries what the write shares: nothing more to record.
    }

    public func record(_ run: ReconcileRun) async throws -> String {
        try await PostgresStore.record(run, connection, logger)
    }

    public func invitation(id: Int64) async throws -> Invitation? {
        try await PostgresStore.invitations(
            "SELECT \(unescaped: PostgresStore.invitationColumns) FROM invitations WHERE id = \(id)", connection, logger
        ).first
    }

    public func accept(_ invitation: Invitation, at time: String) async throws {
        let email = invitation.email.value
        try await execute("INSERT INTO users (email, created_at) VALUES (\(email), \(time)) ON CONFLICT DO NOTHING")
        try await execute(
            """
            INSERT INTO memberships AS m (team, email, role, created_at)
            VALUES (\(invitation.team), \(email), \(invitation.role.rawValue), \(time))
            ON CONFLICT (team, email) DO UPDATE SET role = CASE
                WHEN m.email = (SELECT owner FROM teams WHERE slug = excluded.team) THEN 'admin' ELSE excluded.role END
            """)
        try await execute("UPDATE invitations SET status = 'accepted', updated_at = \(time) WHERE id = \(invitation.id)")
    }

    public func ceiling(team: String) async throws -> SpendLimit {
        let cents = try await PostgresStore.first(
            Int64.self, "SELECT cents FROM ceilings WHERE team = \(team)", on: connection, logger)
        return cents.map(SpendLimit.init(cents:)) ?? .default
    }

    public func setCeiling(team: String, to ceiling: SpendLimit, by actor: String, at time: String) async throws {
        try await execute(
            """
            INSERT INTO ceilings (team, cents, updated_by, updated_at) VALUES (\(team), \(ceiling.cents), \(actor), \(time))
            ON CONFLICT (team) DO UPDATE SET cents = excluded.cents, updated_by = excluded.updated_by,
                updated_at = excluded.updated_at
            """)
    }

    public func insert(_ key: APIKey) async throws {
        try await execute(
            """
            INSERT INTO api_keys (id, email, secret_hash, created_at, created_by)
            VALUES (\(key.id), \(key.email.value), \(key.secretHash), \(Timestamp.string(key.createdAt)), \(key.createdBy))
            """)
    }

    public func revokeAPIKey(id: String, at time: String) async throws -> APIKey? {
        // The row lock keeps two revocations from both finding the key active.
        let keys = try await PostgresStore.apiKeys(
            "SELECT \(unescaped: PostgresStore.apiKeyColumns) FROM api_keys WHERE id = \(id) AND revoked_at IS NULL FOR UPDATE",
            connection, logger)
        guard let key = keys.first else { return nil }
        try await execute("UPDATE api_keys SET revoked_at = \(time) WHERE id = \(id)")
        return key
    }

    // MARK: Helpers

    private func execute(_ query: PostgresQuery) async throws {
        try await PostgresStore.execute(query, on: connection, logger)
    }

    private func count(_ query: PostgresQuery) async throws -> Int {
        try await PostgresStore.count(query, on: connection, logger)
    }

    /// The first `ord` (1-based) `query` returns, as an index from 0.
    private func firstIndex(_ query: PostgresQuery) async throws -> Int? {
        var first: Int64?
        for try await ord in try await connection.query(query, logger: logger).decode(Int64.self) {
            first = min(first ?? ord, ord)
        }
        return first.map { Int($0) - 1 }
    }

    /// Runs `query` (for `store copy`).
    func run(_ query: PostgresQuery) async throws { try await execute(query) }

    /// The rows `query` returns (for `store copy`).
    func countRows(_ query: PostgresQuery) async throws -> Int { try await count(query) }

    /// Streams `rows` into `table` with COPY.
    func copy(_ rows: CopyText, into table: String, _ columns: [String]) async throws {
        guard rows.rows > 0 else { return }
        try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
            try await writer.write(rows.buffer)
        }
    }

    private func require(_ condition: Bool, _ change: Change, _ rejection: ApplyRejection) throws {
        guard condition else { throw rejection.error(change) }
    }
}

/// Audit rows as COPY text, laid out on the sealing thread with the write's shared fields.
public struct PostgresAuditRows: AuditRowLayout {
    static let columns = [
        "seq", "time", "actor", "on_behalf_of", "action", "resource_type", "resource_id", "team", "before", "after",
        "commit_id", "run_id", "hash",
    ]
    var text: CopyText
    private let write: AuditWrite
    public var count: Int { text.rows }

    public init(capacity: Int, write: AuditWrite) {
        text = CopyText(capacity: capacity * 256)
        self.write = write
    }

    public mutating func add(_ entry: SealedAuditEntry) {
        text.field(entry.seq)
        text.field(write.time)
        text.field(write.actor)
        text.field(write.onBehalfOf)
        text.field(entry.actionName)
        text.field(entry.resourceType)
        text.field(entry.resourceTeam, joinedBy: "/", entry.subject)
        text.field(entry.team)
        text.field(entry.before)
        text.field(entry.after)
        text.field(write.commit)
        text.field(write.runID)
        text.field(bytea: entry.digest)
        text.endRow()
    }
}
