public import Foundation
import GRDB
public import RosterCore
public import RosterStore

extension SQLiteStore {
    /// One write transaction: the cross-process lock file, this process's writer gate, then
    /// `BEGIN IMMEDIATE` on the writer connection, held across the body's turns of it and
    /// committed or rolled back at the end.
    public func withTransaction<Result: Sendable>(
        _ purpose: WritePurpose, _ body: (SQLiteTransaction) async throws -> Result
    ) async throws -> Result {
        let holder =
            "pid \(getpid()) on \(ProcessInfo.processInfo.hostName), \(purpose.trigger) by \(purpose.actor) since \(Timestamp.string(Date()))"
        let lock = try await FileLock.acquire(path: lockPath, timeout: purpose.lockTimeout, holder: holder)
        defer { lock.release() }
        return try await writers.withTurn {
            let bulk = purpose.isBulk ? try await beginBulkWrite() : nil
            try await writerTurn { db in try db.beginTransaction(.immediate) }
            let transaction = SQLiteTransaction(store: self)
            do {
                let result = try await body(transaction)
                try await writerTurn { db in
                    try transaction.end(db)
                    try db.commit()
                }
                if let bulk { await endBulkWrite(bulk) }
                return result
            } catch {
                try? await writerTurn { db in
                    try? transaction.end(db)
                    try db.rollback()
                }
                if let bulk { await endBulkWrite(bulk) }
                throw error
            }
        }
    }

    /// How a bulk write (`WritePurpose.isBulk`) set the writer connection up, to be undone.
    struct BulkWrite {
        var usualCacheSize: Int
        var rollbackJournal: Bool
    }

    /// Sets the writer connection up for a bulk write, before its transaction.
    ///
    /// A larger page cache, for the whole transaction: a large write grows five b-trees at
    /// once, and in SQLite's default 2 MB (32 pages of 64 KiB) the pages it still needs are
    /// written out and read back; a page written to the WAL and changed again also makes the
    /// commit read the WAL back from there to recompute its checksums. On the reference
    /// corpus the first apply read 578 MB of a 292 MB WAL with the default cache at first.
    ///
    /// A rollback journal instead of the WAL when the store holds no team and nothing else
    /// has it open: the WAL writes every page of the transaction, then its checkpoint reads
    /// them back and writes them into the database file. On the reference corpus that is
    /// 289 MB copied twice more into the page cache by the writer's thread, which bounds the
    /// apply, where a rollback journal writes each page once and journals only the few pages
    /// the empty store had (with the cache, the reference apply × 0.77 wall: docs/performance.md,
    /// ninth pass). SQLite refuses to leave WAL mode, at once and without waiting, while another
    /// connection has the file open (one of another process, or one of this pool's readers that
    /// is reading): the write then goes through the WAL as any other. `synchronous = FULL`
    /// keeps the journal's guarantee on a power loss; a crash leaves a hot journal that the
    /// next opener rolls back.
    ///
    /// While it lasts, readers that open the store wait for the write (`SQLiteStore.init`),
    /// as a rollback journal has readers do, instead of reading the empty store.
    func beginBulkWrite() async throws -> BulkWrite {
        // The pool's idle readers hold the file open; they are opened again when needed.
        pool.invalidateReadOnlyConnections()
        return try await writerTurn { db in
            let holdsTeams = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM teams)") ?? true
            let usualCacheSize = try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? -2000
            try db.execute(sql: "PRAGMA cache_size = -32768")
            var rollbackJournal = false
            if !holdsTeams {
                // "database is locked" when another connection has the file open.
                rollbackJournal = (try? String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE")) == "delete"
                if rollbackJournal { try? db.execute(sql: "PRAGMA synchronous = FULL") }
            }
            return BulkWrite(usualCacheSize: usualCacheSize, rollbackJournal: rollbackJournal)
        }
    }

    /// Undoes `beginBulkWrite`, after the transaction's commit or rollback: back to WAL mode,
    /// as GRDB's pool sets it up (with a WAL file that is not empty, which the pool's
    /// read-only connections need to open the store). A reader of this pool that opened
    /// meanwhile and is reading keeps it from leaving the rollback journal: retried for a
    /// while; else the store stays in that mode until the next process opens it, which is
    /// safe, only slower for readers.
    func endBulkWrite(_ bulk: BulkWrite) async {
        _ = try? await writerTurn { db in try db.execute(sql: "PRAGMA cache_size = \(bulk.usualCacheSize)") }
        guard bulk.rollbackJournal else { return }
        for _ in 0..<100 {
            pool.invalidateReadOnlyConnections()
            let done = (try? await writerTurn { db -> Bool in
                guard try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") == "wal" else { return false }
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
                try db.inSavepoint {
                    try db.execute(sql: "CREATE TABLE roster_wal (id INTEGER PRIMARY KEY); DROP TABLE roster_wal;")
                    return .commit
                }
                return true
            }) ?? false
            if done { return }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}

/// A write transaction on the SQLite store (see `StoreTransaction`).
public final class SQLiteTransaction: StoreTransaction, @unchecked Sendable {
    // Why `@unchecked Sendable` is sound: the mutable state below is touched only inside
    // turns of the writer connection (`writerTurn`), which GRDB runs one at a time, and
    // `withTransaction` gives the transaction to one body, which awaits each call.
    let store: SQLiteStore
    private var applier: SQLiteChangeApplier?
    private var audit: BulkInsert?
    private var batchID: Int64 = 0

    init(store: SQLiteStore) { self.store = store }

    /// Blocks of 4,096: a turn of the writer connection costs a hop to its queue, and the
    /// rows are inserted 64 a statement within it.
    public static let rowsPerBlock = 4096

    public func lockedStateVersion() async throws -> Int64 {
        // BEGIN IMMEDIATE took the database's write lock: nothing else writes until commit.
        try await store.writerTurn { db in try SQLiteStore.stateVersion(db) }
    }

    public func setStateVersion(_ version: Int64) async throws {
        try await store.writerTurn { db in
            try db.execute(sql: "UPDATE meta SET value = ? WHERE key = 'state_version'", arguments: [version])
        }
    }

    public func holdsLease(_ fence: Fence, at now: Date) async throws -> Bool {
        try await store.writerTurn { db in
            try Bool.fetchOne(
                db, sql: "SELECT 1 FROM leases WHERE name = ? AND holder = ? AND expires_at_ms > ?",
                arguments: [fence.name, fence.holder, SQLiteStore.milliseconds(now)]) ?? false
        }
    }

    public func perform(
        _ changes: ArraySlice<Change>, inviter: String, at time: String, invitationsExpireAt: String?
    ) async throws {
        try await store.writerTurn { db in
            try self.perform(changes, db, inviter: inviter, at: time, invitationsExpireAt: invitationsExpireAt)
        }
    }

    /// `perform`, on the writer connection's turn.
    private func perform(
        _ changes: ArraySlice<Change>, _ db: Database, inviter: String, at time: String, invitationsExpireAt: String?
    ) throws {
        if applier == nil {
            applier = try SQLiteChangeApplier(db: db, inviter: inviter, time: time, invitationsExpireAt: invitationsExpireAt)
        }
        for index in changes.indices { try applier!.apply(changes[index]) }
    }

    /// The whole stream in one turn of the writer connection, whose thread waits for each
    /// block itself. A turn per call went back to the concurrency pool twice a block, and on
    /// a first apply the pool's threads are busy decoding: the reference apply's writer
    /// waited about 0.35 s in all for its next turn.
    public func write(
        _ feed: ChangeFeed, sealedBy sealer: BackgroundSealer<SQLiteAuditRows>, inviter: String, write: AuditWrite,
        invitationsExpireAt: @escaping @Sendable () -> String?
    ) async throws -> (written: Int, last: BackgroundSealer<SQLiteAuditRows>.Block?) {
        try await store.writerTurn { db in
            var expireAt: String?
            var index = 0
            var written = 0
            var last: BackgroundSealer<SQLiteAuditRows>.Block?
            while let changes = feed.block(index) {
                if index == 0 { expireAt = invitationsExpireAt() }
                try self.perform(changes, db, inviter: inviter, at: write.time, invitationsExpireAt: expireAt)
                guard let block = sealer.blockWaiting(index) else { throw CancellationError() }
                try self.appendAudit(block.rows, of: write, db)
                last = block
                written += changes.count
                index += 1
            }
            return (written, last)
        }
    }

    public func auditHead() async throws -> AuditHead? {
        try await store.writerTurn { db in try SQLiteStore.lastAudit(db) }
    }

    public func appendAudit(_ rows: SQLiteAuditRows, of write: AuditWrite) async throws {
        try await store.writerTurn { db in try self.appendAudit(rows, of: write, db) }
    }

    /// `appendAudit`, on the writer connection's turn.
    private func appendAudit(_ rows: SQLiteAuditRows, of write: AuditWrite, _ db: Database) throws {
        if audit == nil {
            // The batch row is written by `finishAudit`, once its last entry is known; its
            // id is taken now for the entries to name it.
            batchID = try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) + 1 FROM audit_batches") ?? 1
            let audit = try BulkInsert(db, table: "audit", columns: SQLiteAuditRows.columns, shared: ["batch": 1, "actor": 2])
            audit.bindShared(1, batchID)
            audit.bindShared(2, write.actor)
            self.audit = audit
        }
        try audit!.insert(rows.rows)
    }

    public func finishAudit(_ write: AuditWrite, firstSeq: Int64, lastSeq: Int64) async throws {
        try await store.writerTurn { db in
            try db.execute(
                sql: """
                    INSERT INTO audit_batches (id, first_seq, last_seq, time, on_behalf_of, commit_id, run_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [self.batchID, firstSeq, lastSeq, write.time, write.onBehalfOf, write.commit, write.runID])
        }
    }

    public func record(_ run: ReconcileRun) async throws -> String {
        try await store.writerTurn { db in try SQLiteStore.record(run, db) }
    }

    public func invitation(id: Int64) async throws -> Invitation? {
        try await store.writerTurn { db in
            try Row.fetchOne(
                db, sql: "SELECT \(SQLiteStore.invitationColumns) FROM \(SQLiteStore.invitationsWithOrigin) WHERE i.id = ?",
                arguments: [id]
            )
                .map(SQLiteStore.invitation)
        }
    }

    public func accept(_ invitation: Invitation, at time: String) async throws {
        try await store.writerTurn { db in
            try db.execute(
                sql: "INSERT INTO users (email, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
                arguments: [invitation.email.value, time])
            try db.execute(
                sql: """
                    INSERT INTO memberships (team, email, role, created_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (team, email) DO UPDATE SET role = CASE
                        WHEN email = (SELECT owner FROM teams WHERE slug = excluded.team) THEN 'admin' ELSE excluded.role END
                    """, arguments: [invitation.team, invitation.email.value, invitation.role.rawValue, time])
            try db.execute(
                sql: "UPDATE invitations SET status = 'accepted', updated_at = ? WHERE id = ?",
                arguments: [time, invitation.id])
        }
    }

    public func ceiling(team: String) async throws -> SpendLimit {
        try await store.writerTurn { db in try Self.ceiling(db, team) }
    }

    public func setCeiling(team: String, to ceiling: SpendLimit, by actor: String, at time: String) async throws {
        try await store.writerTurn { db in
            try db.execute(
                sql: """
                    INSERT INTO ceilings (team, cents, updated_by, updated_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (team) DO UPDATE SET cents = excluded.cents, updated_by = excluded.updated_by,
                    updated_at = excluded.updated_at
                    """, arguments: [team, ceiling.cents, actor, time])
        }
    }

    public func insert(_ key: APIKey) async throws {
        try await store.writerTurn { db in
            try db.execute(
                sql: "INSERT INTO api_keys (id, email, secret_hash, created_at, created_by) VALUES (?, ?, ?, ?, ?)",
                arguments: [key.id, key.email.value, key.secretHash, Timestamp.string(key.createdAt), key.createdBy])
        }
    }

    public func revokeAPIKey(id: String, at time: String) async throws -> APIKey? {
        try await store.writerTurn { db in
            guard
                let key = try Row.fetchOne(
                    db, sql: "SELECT \(SQLiteStore.apiKeyColumns) FROM api_keys WHERE id = ? AND revoked_at IS NULL", arguments: [id]
                ).map(SQLiteStore.apiKey)
            else { return nil }
            try db.execute(sql: "UPDATE api_keys SET revoked_at = ? WHERE id = ?", arguments: [time, id])
            return key
        }
    }

    /// Before commit or rollback: what is held back goes in, statements are let go, the
    /// cache is its usual size again.
    /// Writes the rows the change applier still buffers (on the writer connection's turn).
    func flushChanges() throws { try applier?.finish() }

    func end(_ db: Database) throws {
        defer {
            applier = nil
            audit = nil
        }
        try applier?.finish()
    }

    static func ceiling(_ db: Database, _ team: String) throws -> SpendLimit {
        SpendLimit(
            cents: try Int64.fetchOne(db.cachedStatement(sql: "SELECT cents FROM ceilings WHERE team = ?"), arguments: [team])
                ?? SpendLimit.default.cents)
    }
}

/// Audit rows as the SQLite store inserts them (`BulkInsert`), laid out on the sealing
/// thread. The batch and actor are shared parameters, bound once per write.
public struct SQLiteAuditRows: AuditRowLayout {
    static let columns = ["seq", "batch", "actor", "action", "resource_type", "resource_id", "team", "before", "after", "hash"]
    var rows: BulkInsert.Rows
    public private(set) var count = 0

    public init(capacity: Int, write: AuditWrite) {
        rows = BulkInsert.Rows(rows: capacity, columns: Self.columns.count - 2)
    }

    public mutating func add(_ entry: SealedAuditEntry) {
        rows.add(entry.seq)
        rows.add(entry.actionName)
        rows.add(entry.resourceType)
        rows.add(entry.resourceTeam, joinedBy: UInt8(ascii: "/"), entry.subject)
        rows.add(entry.team)
        rows.add(entry.before)
        rows.add(entry.after)
        rows.add(blob: entry.digest)
        count += 1
    }
}
