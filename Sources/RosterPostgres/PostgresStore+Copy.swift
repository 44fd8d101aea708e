import Foundation
import Logging
import NIOCore
import PostgresNIO
public import RosterCore
public import RosterStore

extension PostgresStore: CopyableStore {
    /// Pages from one REPEATABLE READ transaction, so a copy sees one state however long it takes.
    public func export(_ sink: (StoreRecords) async throws -> Void) async throws {
        let logger = logger
        try await withConnection { connection in
            try await Self.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", on: connection, logger)
            do {
                try await Self.export(connection, logger, sink)
                try await Self.execute("COMMIT", on: connection, logger)
            } catch {
                try? await Self.execute("ROLLBACK", on: connection, logger)
                throw error
            }
        }
    }

    private static func export(
        _ connection: PostgresConnection, _ logger: Logger, _ sink: (StoreRecords) async throws -> Void
    ) async throws {
        // Small tables whole; the ones a large organisation has millions of rows in, by key ranges.
        var users: [StoreRecords.User] = []
        for try await (email, created) in try await connection.query(
            "SELECT email, created_at FROM users ORDER BY email", logger: logger
        ).decode((String, String).self) {
            users.append(StoreRecords.User(email: email, createdAt: created))
            if users.count == copyPage { try await sink(.users(users)); users.removeAll() }
        }
        if !users.isEmpty { try await sink(.users(users)) }

        var teams: [StoreRecords.Team] = []
        for try await (slug, name, owner, cents, created) in try await connection.query(
            "SELECT slug, display_name, owner, spend_limit_cents, created_at FROM teams ORDER BY slug", logger: logger
        ).decode((String, String, String, Int64, String).self) {
            teams.append(StoreRecords.Team(slug: slug, displayName: name, owner: owner, spendLimitCents: cents, createdAt: created))
            if teams.count == copyPage { try await sink(.teams(teams)); teams.removeAll() }
        }
        if !teams.isEmpty { try await sink(.teams(teams)) }

        var ceilings: [StoreRecords.Ceiling] = []
        for try await (team, cents, by, at) in try await connection.query(
            "SELECT team, cents, updated_by, updated_at FROM ceilings ORDER BY team", logger: logger
        ).decode((String, Int64, String, String).self) {
            ceilings.append(StoreRecords.Ceiling(team: team, cents: cents, updatedBy: by, updatedAt: at))
        }
        if !ceilings.isEmpty { try await sink(.ceilings(ceilings)) }

        var memberships: [StoreRecords.Membership] = []
        for try await (team, email, role, created) in try await connection.query(
            "SELECT team, email, role, created_at FROM memberships ORDER BY team, email", logger: logger
        ).decode((String, String, String, String).self) {
            memberships.append(StoreRecords.Membership(team: team, email: email, role: role, createdAt: created))
            if memberships.count == copyPage { try await sink(.memberships(memberships)); memberships.removeAll() }
        }
        if !memberships.isEmpty { try await sink(.memberships(memberships)) }

        var invitations: [StoreRecords.InvitationRow] = []
        for try await (id, team, email, role, status, nonce, by, created, updated) in try await connection.query(
            "SELECT id, team, email, role, status, nonce, created_by, created_at, updated_at FROM invitations ORDER BY id",
            logger: logger
        ).decode((Int64, String, String, String, String, String, String, String, String?).self) {
            invitations.append(
                StoreRecords.InvitationRow(
                    id: id, team: team, email: email, role: role, status: status, nonce: nonce, createdBy: by,
                    createdAt: created, updatedAt: updated))
            if invitations.count == copyPage { try await sink(.invitations(invitations)); invitations.removeAll() }
        }
        if !invitations.isEmpty { try await sink(.invitations(invitations)) }

        var runs: [ReconcileRun] = []
        for try await (id, trigger, started, finished, repository, ref, commit, author, result, changes, message)
            in try await connection.query(
                """
                SELECT id, trigger, started_at, finished_at, repository, ref, commit_id, author, result, changes, message
                FROM runs ORDER BY id
                """, logger: logger
            ).decode((String, String, String, String, String?, String?, String?, String?, String, Int64, String?).self)
        {
            runs.append(
                ReconcileRun(
                    id: id, trigger: trigger, startedAt: Timestamp.date(started) ?? .distantPast,
                    finishedAt: Timestamp.date(finished) ?? .distantPast, repository: repository, ref: ref, commit: commit,
                    author: author, result: ReconcileRun.Result(rawValue: result) ?? .failed, changes: Int(changes),
                    message: message))
            if runs.count == copyPage { try await sink(.runs(runs)); runs.removeAll() }
        }
        if !runs.isEmpty { try await sink(.runs(runs)) }

        var keys: [APIKey] = []
        for try await (id, email, hash, created, by, revoked) in try await connection.query(
            "SELECT id, email, secret_hash, created_at, created_by, revoked_at FROM api_keys ORDER BY id", logger: logger
        ).decode((String, String, Data, String, String, String?).self) {
            keys.append(
                APIKey(
                    id: id, email: Email(normalized: email), secretHash: hash, createdAt: Timestamp.date(created) ?? .distantPast,
                    createdBy: by, revokedAt: revoked.flatMap(Timestamp.date)))
        }
        if !keys.isEmpty { try await sink(.apiKeys(keys)) }

        var last: Int64 = 0
        while true {
            let page = try await auditPage(after: last, connection, logger)
            if page.isEmpty { break }
            try await sink(.audit(page))
            last = page.last!.seq
        }
        try await sink(.stateVersion(try await stateVersion(connection, logger)))
    }

    static let copyPage = 10_000

    private static func auditPage(after seq: Int64, _ connection: PostgresConnection, _ logger: Logger) async throws
        -> [AuditEntry]
    {
        var entries: [AuditEntry] = []
        for try await (seq, time, actor, onBehalfOf, action, type, id, team, before, after, commit, run, hash)
            in try await connection.query(
                "SELECT \(unescaped: auditColumns) FROM audit a WHERE a.seq > \(seq) ORDER BY a.seq LIMIT \(Int64(copyPage))",
                logger: logger
            ).decode(
                (Int64, String, String, String?, String, String, String, String?, String?, String?, String?, String?,
                    ByteBuffer).self)
        {
            entries.append(
                AuditEntry(
                    seq: seq, time: time, actor: actor, onBehalfOf: onBehalfOf, action: action, resourceType: type,
                    resourceID: id, team: team, before: before, after: after, commit: commit, runID: run, prevHash: "",
                    hash: hex(hash)))
        }
        return entries
    }

    public func importing(_ body: (any StoreLoader) async throws -> Void) async throws {
        let shown = location.description
        try await withTransaction(WritePurpose(trigger: "store copy", actor: "roster", lockTimeout: .seconds(30))) {
            transaction in
            let version = try await transaction.lockedStateVersion()
            let rows = try await transaction.countRows(
                "SELECT 1 FROM teams UNION ALL SELECT 1 FROM audit UNION ALL SELECT 1 FROM runs UNION ALL SELECT 1 FROM api_keys UNION ALL SELECT 1 FROM users UNION ALL SELECT 1 FROM ceilings LIMIT 1")
            guard version == 0 && rows == 0 else {
                throw StoreError(.notEmpty, "the target store \(shown) is not empty; store copy only fills an empty store")
            }
            try await body(PostgresLoader(transaction))
            // Later invitations get ids after the copied ones.
            try await transaction.run(
                "SELECT setval(pg_get_serial_sequence('invitations', 'id'), greatest(coalesce(max(id), 0), 1), max(id) IS NOT NULL) FROM invitations")
        }
    }
}

/// Loads copied records with COPY inside the transaction `PostgresStore.importing` holds.
final class PostgresLoader: StoreLoader {
    private let transaction: PostgresTransaction

    init(_ transaction: PostgresTransaction) { self.transaction = transaction }

    func load(_ records: StoreRecords) async throws {
        var text = CopyText(capacity: records.count * 128)
        switch records {
        case .users(let rows):
            for row in rows { text.row(row.email, row.createdAt) }
            try await transaction.copy(text, into: "users", ["email", "created_at"])
        case .teams(let rows):
            for row in rows {
                text.field(row.slug)
                text.field(row.displayName)
                text.field(row.owner)
                text.field(row.spendLimitCents)
                text.field(row.createdAt)
                text.endRow()
            }
            try await transaction.copy(text, into: "teams", ["slug", "display_name", "owner", "spend_limit_cents", "created_at"])
        case .ceilings(let rows):
            for row in rows {
                text.field(row.team)
                text.field(row.cents)
                text.field(row.updatedBy)
                text.field(row.updatedAt)
                text.endRow()
            }
            try await transaction.copy(text, into: "ceilings", ["team", "cents", "updated_by", "updated_at"])
        case .memberships(let rows):
            for row in rows { text.row(row.team, row.email, row.role, row.createdAt) }
            try await transaction.copy(text, into: "memberships", ["team", "email", "role", "created_at"])
        case .invitations(let rows):
            for row in rows {
                text.field(row.id)
                text.row(row.team, row.email, row.role, row.status, row.nonce, row.createdBy, row.createdAt, row.updatedAt)
            }
            try await transaction.copy(
                text, into: "invitations",
                ["id", "team", "email", "role", "status", "nonce", "created_by", "created_at", "updated_at"])
        case .runs(let rows):
            for run in rows {
                text.fields(
                    run.id, run.trigger, Timestamp.string(run.startedAt), Timestamp.string(run.finishedAt), run.repository,
                    run.ref, run.commit, run.author, run.result.rawValue)
                text.field(Int64(run.changes))
                text.field(run.message)
                text.endRow()
            }
            try await transaction.copy(
                text, into: "runs",
                ["id", "trigger", "started_at", "finished_at", "repository", "ref", "commit_id", "author", "result", "changes",
                    "message"])
        case .apiKeys(let rows):
            for key in rows {
                text.field(key.id)
                text.field(key.email.value)
                key.secretHash.withUnsafeBytes { text.field(bytea: $0) }
                text.row(Timestamp.string(key.createdAt), key.createdBy, key.revokedAt.map(Timestamp.string))
            }
            try await transaction.copy(
                text, into: "api_keys", ["id", "email", "secret_hash", "created_at", "created_by", "revoked_at"])
        case .audit(let entries):
            for entry in entries {
                guard let hash = Hex.bytes(entry.hash) else {
                    throw StoreError(.corrupt, "audit entry \(entry.seq) has no valid hash; the source's chain is damaged")
                }
                text.field(entry.seq)
                text.fields(
                    entry.time, entry.actor, entry.onBehalfOf, entry.action, entry.resourceType, entry.resourceID, entry.team,
                    entry.before, entry.after, entry.commit, entry.runID)
                hash.withUnsafeBytes { text.field(bytea: $0) }
                text.endRow()
            }
            try await transaction.copy(text, into: "audit", PostgresAuditRows.columns)
        case .stateVersion(let version):
            try await transaction.setStateVersion(version)
        }
    }
}

extension CopyText {
    /// The next fields of the row.
    mutating func fields(_ values: String?...) {
        for value in values { field(value) }
    }

    /// `values` as the rest of a row, ended.
    mutating func row(_ values: String?...) {
        for value in values { field(value) }
        endRow()
    }
}
