import Foundation
import GRDB
import RosterCore
public import RosterStore

extension SQLiteStore: CopyableStore {
    /// Pages read from one WAL snapshot, so a copy sees one state however long it takes.
    public func export(_ sink: (StoreRecords) async throws -> Void) async throws {
        let snapshot: DatabaseSnapshot
        do {
            snapshot = try pool.makeSnapshot()
        } catch let error as DatabaseError {
            throw StoreError(.io, "store \(path): \(error.message ?? error.description)")
        }
        /// Keyset paging, so that every page is an index range: `sql` selects `key`'s columns
        /// first, has `AFTER` where the condition on them goes, and ends with `LIMIT ?`.
        func pages<Row: Sendable>(
            _ sql: String, key: String, _ make: @escaping @Sendable (GRDB.Row) -> Row, _ wrap: ([Row]) -> StoreRecords
        ) async throws {
            let keys = key.split(separator: ",").count
            let first = sql.replacingOccurrences(of: "AFTER", with: "1")
            let next = sql.replacingOccurrences(
                of: "AFTER", with: "(\(key)) > (" + Array(repeating: "?", count: keys).joined(separator: ", ") + ")")
            var after: [DatabaseValue]?
            while true {
                let last = after
                let page: ([Row], [DatabaseValue]?) = try await snapshot.read { db in
                    let arguments = (last ?? []) + [Self.copyPage.databaseValue]
                    let rows = try GRDB.Row.fetchAll(
                        db, sql: last == nil ? first : next, arguments: StatementArguments(arguments))
                    return (rows.map(make), rows.last.map { row in (0..<keys).map { row[$0] as DatabaseValue } })
                }
                if page.0.isEmpty { return }
                try await sink(wrap(page.0))
                after = page.1
                if page.0.count < Self.copyPage { return }
            }
        }
        try await pages("SELECT email, created_at FROM users WHERE AFTER ORDER BY email LIMIT ?", key: "email") {
            StoreRecords.User(email: $0[0], createdAt: $0[1])
        } _: { .users($0) }
        try await pages(
            "SELECT slug, display_name, owner, spend_limit_cents, created_at FROM teams WHERE AFTER ORDER BY slug LIMIT ?",
            key: "slug"
        ) {
            StoreRecords.Team(slug: $0[0], displayName: $0[1], owner: $0[2], spendLimitCents: $0[3], createdAt: $0[4])
        } _: { .teams($0) }
        try await pages(
            "SELECT team, cents, updated_by, updated_at FROM ceilings WHERE AFTER ORDER BY team LIMIT ?", key: "team"
        ) {
            StoreRecords.Ceiling(team: $0[0], cents: $0[1], updatedBy: $0[2], updatedAt: $0[3])
        } _: { .ceilings($0) }
        try await pages(
            "SELECT team, email, role, created_at FROM memberships WHERE AFTER ORDER BY team, email LIMIT ?",
            key: "team, email"
        ) {
            StoreRecords.Membership(team: $0[0], email: $0[1], role: $0[2], createdAt: $0[3])
        } _: { .memberships($0) }
        try await pages(
            """
            SELECT i.id, i.team, i.email, i.role, i.status, i.nonce, o.created_by, o.created_at, i.updated_at, i.expires_at
            FROM \(Self.invitationsWithOrigin) WHERE AFTER ORDER BY i.id LIMIT ?
            """, key: "i.id"
        ) {
            StoreRecords.InvitationRow(
                id: $0[0], team: $0[1], email: $0[2], role: $0[3], status: $0[4], nonce: $0[5], createdBy: $0[6],
                createdAt: $0[7], updatedAt: $0[8], expiresAt: $0[9])
        } _: { .invitations($0) }
        try await pages("SELECT \(Self.runColumns) FROM runs WHERE AFTER ORDER BY id LIMIT ?", key: "id", Self.run) {
            .runs($0)
        }
        try await pages(
            "SELECT id, email, secret_hash, created_at, created_by, revoked_at FROM api_keys WHERE AFTER ORDER BY id LIMIT ?",
            key: "id"
        ) {
            APIKey(
                id: $0[0], email: Email(normalized: $0[1]), secretHash: $0[2],
                createdAt: Timestamp.date($0[3]) ?? .distantPast, createdBy: $0[4],
                revokedAt: ($0[5] as String?).flatMap(Timestamp.date))
        } _: { .apiKeys($0) }
        var lastSeq: Int64 = 0
        while true {
            let after = lastSeq
            let page = try await snapshot.read { db in try Self.auditEntries(db, after: after, limit: Self.copyPage) }
            if page.isEmpty { break }
            try await sink(.audit(page))
            if page.count < Self.copyPage { break }
            lastSeq = page[page.count - 1].seq
        }
        let version = try await snapshot.read { db in try Self.stateVersion(db) }
        try await sink(.stateVersion(version))
    }

    static let copyPage = 10_000

    public func importing(_ body: (any StoreLoader) async throws -> Void) async throws {
        try await withTransaction(WritePurpose(trigger: "store copy", actor: "roster", lockTimeout: .seconds(30), isBulk: true)) {
            transaction in
            try await writerTurn { db in
                let counts = try Int.fetchOne(
                    db,
                    sql: """
                        SELECT (SELECT count(*) FROM teams) + (SELECT count(*) FROM audit) + (SELECT count(*) FROM runs)
                            + (SELECT count(*) FROM api_keys) + (SELECT count(*) FROM users) + (SELECT count(*) FROM ceilings)
                            + (SELECT value FROM meta WHERE key = 'state_version')
                        """) ?? 0
                guard counts == 0 else {
                    throw StoreError(.notEmpty, "the target store \(self.path) is not empty; store copy only fills an empty store")
                }
            }
            // A copied store has no plan cache: its first plan is cold, and its rows need no marks.
            try await transaction.suspendChangeMarks()
            try await body(SQLiteLoader(store: self))
            try await transaction.resumeChangeMarks()
        }
    }
}

/// Loads copied records inside the transaction `SQLiteStore.importing` holds.
final class SQLiteLoader: StoreLoader, @unchecked Sendable {
    // Why `@unchecked Sendable` is sound: used by the one body `importing` runs, which
    // awaits each call; the state below is touched only inside writer turns.
    private let store: SQLiteStore
    private var batch: (id: Int64, first: Int64, last: Int64, entry: AuditEntry)?
    private var nextBatchID: Int64 = 1

    init(store: SQLiteStore) { self.store = store }

    func load(_ records: StoreRecords) async throws {
        try await store.writerTurn { db in try self.load(records, db) }
    }

    private func load(_ records: StoreRecords, _ db: Database) throws {
        switch records {
        case .users(let rows):
            for row in rows {
                try db.cachedStatement(sql: "INSERT INTO users (email, created_at) VALUES (?, ?)")
                    .execute(arguments: [row.email, row.createdAt])
            }
        case .teams(let rows):
            for row in rows {
                try db.cachedStatement(
                    sql: "INSERT INTO teams (slug, display_name, owner, spend_limit_cents, created_at) VALUES (?, ?, ?, ?, ?)"
                ).execute(arguments: [row.slug, row.displayName, row.owner, row.spendLimitCents, row.createdAt])
            }
        case .ceilings(let rows):
            for row in rows {
                try db.cachedStatement(sql: "INSERT INTO ceilings (team, cents, updated_by, updated_at) VALUES (?, ?, ?, ?)")
                    .execute(arguments: [row.team, row.cents, row.updatedBy, row.updatedAt])
            }
        case .memberships(let rows):
            for row in rows {
                try db.cachedStatement(sql: "INSERT INTO memberships (team, email, role, created_at) VALUES (?, ?, ?, ?)")
                    .execute(arguments: [row.team, row.email, row.role, row.createdAt])
            }
        case .invitations(let rows):
            // An apply's invitations share one origin: looked up once for consecutive rows.
            var last: (by: String, at: String, id: Int64)?
            for row in rows {
                let origin: Int64
                if let last, last.by == row.createdBy, last.at == row.createdAt {
                    origin = last.id
                } else {
                    origin = try SQLiteStore.origin(by: row.createdBy, at: row.createdAt, db)
                    last = (row.createdBy, row.createdAt, origin)
                }
                try db.cachedStatement(
                    sql: """
                        INSERT INTO invitations (id, team, email, role, status, nonce, origin, updated_at, expires_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """
                ).execute(arguments: [
                    row.id, row.team, row.email, row.role, row.status, row.nonce, origin, row.updatedAt, row.expiresAt,
                ])
            }
        case .runs(let rows):
            for run in rows { try SQLiteStore.insert(run, db) }
        case .apiKeys(let rows):
            for key in rows {
                try db.cachedStatement(
                    sql: "INSERT INTO api_keys (id, email, secret_hash, created_at, created_by, revoked_at) VALUES (?, ?, ?, ?, ?, ?)"
                ).execute(arguments: [
                    key.id, key.email.value, key.secretHash, Timestamp.string(key.createdAt), key.createdBy,
                    key.revokedAt.map(Timestamp.string),
                ])
            }
        case .audit(let entries):
            for entry in entries { try append(entry, db) }
        case .stateVersion(let version):
            try finishBatch(db)
            try db.execute(sql: "UPDATE meta SET value = ? WHERE key = 'state_version'", arguments: [version])
        }
    }

    /// Entries that share their write's fields (time, on whose behalf, commit, run) go into
    /// one batch, as the store writes them.
    private func append(_ entry: AuditEntry, _ db: Database) throws {
        if let batch, !Self.sameWrite(batch.entry, entry) { try finishBatch(db) }
        if batch == nil {
            batch = (nextBatchID, entry.seq, entry.seq, entry)
            nextBatchID += 1
        }
        batch!.last = entry.seq
        guard let hash = Hex.bytes(entry.hash).map({ Data($0) }) else {
            throw StoreError(.corrupt, "audit entry \(entry.seq) has no valid hash; the source's chain is damaged")
        }
        try db.cachedStatement(
            sql: """
                INSERT INTO audit (seq, batch, actor, action, resource_type, resource_id, team, before, after, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            entry.seq, batch!.id, entry.actor, entry.action, entry.resourceType, entry.resourceID, entry.team, entry.before,
            entry.after, hash,
        ])
    }

    private func finishBatch(_ db: Database) throws {
        guard let batch else { return }
        try db.execute(
            sql: """
                INSERT INTO audit_batches (id, first_seq, last_seq, time, on_behalf_of, commit_id, run_id)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                batch.id, batch.first, batch.last, batch.entry.time, batch.entry.onBehalfOf, batch.entry.commit,
                batch.entry.runID,
            ])
        self.batch = nil
    }

    private static func sameWrite(_ a: AuditEntry, _ b: AuditEntry) -> Bool {
        a.time == b.time && a.onBehalfOf == b.onBehalfOf && a.commit == b.commit && a.runID == b.runID
    }
}
