import Foundation
import Logging
import NIOCore
import PostgresNIO
import RosterCore
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
        /// Streams `query`'s rows to `sink`, `copyPage` records at a time.
        func pages<Record>(
            _ query: PostgresQuery, _ make: (PostgresRow) throws -> Record, _ wrap: ([Record]) -> StoreRecords
        ) async throws {
            var page: [Record] = []
            for try await row in try await connection.query(query, logger: logger) {
                page.append(try make(row))
                if page.count == copyPage {
                    try await sink(wrap(page))
                    page.removeAll(keepingCapacity: true)
                }
            }
            if !page.isEmpty { try await sink(wrap(page)) }
        }
        try await pages("SELECT email, created_at FROM users ORDER BY email") { row in
            let (email, created) = try row.decode((String, String).self)
            return StoreRecords.User(email: email, createdAt: created)
        } _: { .users($0) }
        try await pages("SELECT slug, display_name, owner, spend_limit_cents, created_at FROM teams ORDER BY slug") { row in
            let (slug, name, owner, cents, created) = try row.decode((String, String, String, Int64, String).self)
            return StoreRecords.Team(slug: slug, displayName: name, owner: owner, spendLimitCents: cents, createdAt: created)
        } _: { .teams($0) }
        try await pages("SELECT team, cents, updated_by, updated_at FROM ceilings ORDER BY team") { row in
            let (team, cents, by, at) = try row.decode((String, Int64, String, String).self)
            return StoreRecords.Ceiling(team: team, cents: cents, updatedBy: by, updatedAt: at)
        } _: { .ceilings($0) }
        try await pages("SELECT team, email, role, created_at FROM memberships ORDER BY team, email") { row in
            let (team, email, role, created) = try row.decode((String, String, String, String).self)
            return StoreRecords.Membership(team: team, email: email, role: role, createdAt: created)
        } _: { .memberships($0) }
        try await pages(
            "SELECT id, team, email, role, status, nonce, created_by, created_at, updated_at, expires_at FROM invitations ORDER BY id"
        ) { row in
            let (id, team, email, role, status, nonce, by, created, updated, expires) = try row.decode(
                (Int64, String, String, String, String, String, String, String, String?, String?).self)
            return StoreRecords.InvitationRow(
                id: id, team: team, email: email, role: role, status: status, nonce: nonce, createdBy: by,
                createdAt: created, updatedAt: updated, expiresAt: expires)
        } _: { .invitations($0) }
        try await pages("SELECT \(unescaped: Self.runColumns) FROM runs ORDER BY id", Self.run) { .runs($0) }
        try await pages("SELECT id, email, secret_hash, created_at, created_by, revoked_at FROM api_keys ORDER BY id") { row in
            let (id, email, hash, created, by, revoked) = try row.decode((String, String, Data, String, String, String?).self)
            return APIKey(
                id: id, email: Email(normalized: email), secretHash: hash, createdAt: Timestamp.date(created) ?? .distantPast,
                createdBy: by, revokedAt: revoked.flatMap(Timestamp.date))
        } _: { .apiKeys($0) }
        try await pages("SELECT \(unescaped: auditColumns) FROM audit a ORDER BY a.seq") { row in
            let (seq, time, actor, onBehalfOf, action, type, id, team, before, after, commit, run, hash) = try row.decode(
                (Int64, String, String, String?, String, String, String, String?, String?, String?, String?, String?,
                    ByteBuffer).self)
            return AuditEntry(
                seq: seq, time: time, actor: actor, onBehalfOf: onBehalfOf, action: action, resourceType: type,
                resourceID: id, team: team, before: before, after: after, commit: commit, runID: run, prevHash: "",
                hash: hex(hash))
        } _: { .audit($0) }
        try await sink(.stateVersion(try await stateVersion(connection, logger)))
    }

    static let copyPage = 10_000

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
            // A copied store has no plan cache: its first plan is cold, and its rows need no marks.
            try await transaction.suspendChangeMarks()
            try await body(PostgresLoader(transaction))
            try await transaction.resumeChangeMarks()
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
                text.row(
                    row.team, row.email, row.role, row.status, row.nonce, row.createdBy, row.createdAt, row.updatedAt,
                    row.expiresAt)
            }
            try await transaction.copy(
                text, into: "invitations",
                ["id", "team", "email", "role", "status", "nonce", "created_by", "created_at", "updated_at", "expires_at"])
        case .runs(let rows):
            for run in rows {
                text.fields(
                    run.id, run.trigger, Timestamp.string(run.startedAt), Timestamp.string(run.finishedAt), run.repository,
                    run.ref, run.commit, run.author, run.result.rawValue)
                text.field(Int64(run.changes))
                text.field(run.message)
                text.field(run.reason?.storedText)
                if let version = run.stateVersion { text.field(version) } else { text.field(nil as String?) }
                text.field(Int64(run.repeats))
                text.field(run.lastSeenAt.map(Timestamp.string))
                text.field(run.drift?.storedText)
                text.endRow()
            }
            try await transaction.copy(
                text, into: "runs",
                ["id", "trigger", "started_at", "finished_at", "repository", "ref", "commit_id", "author", "result", "changes",
                    "message", "reason", "state_version", "repeats", "last_seen_at", "drift"])
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
