import Foundation
import GRDB
import GRDBSQLite
import RosterCore
public import RosterStore

/// The embedded store: one SQLite file in WAL mode, foreign keys on, versioned migrations,
/// one writer at a time across processes (a lock file beside the database).
public final class SQLiteStore: Store, TransactionalStore {
    public typealias Transaction = SQLiteTransaction

    /// The database file.
    public let path: String
    let pool: DatabasePool
    /// Writes in this process, one at a time: a transaction spans several turns of the
    /// writer connection, and no other write may run on it in between.
    let writers = AsyncGate()
    var lockPath: String { path + ".lock" }

    public var displayName: String { "sqlite:" + path }

    /// Opens (creating and migrating as needed) the database at `path`.
    public init(path: String) throws {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        configuration.foreignKeysEnabled = true
        configuration.label = "roster"
        // An apply is one transaction over several turns of the writer connection (see
        // `withTransaction`), which GRDB allows only when asked.
        configuration.allowsUnsafeTransactions = true
        configuration.prepareDatabase { db in
            // 64 KiB pages for a new file (this does nothing to an existing one): a large apply
            // then handles a sixteenth of the pages and WAL frames that 4 KiB pages make, and
            // splits its b-trees less often (the reference apply ~20% faster; 16 KiB was in
            // between). A small write puts a few 64 KiB frames in the WAL instead of 4 KiB ones.
            try db.execute(sql: "PRAGMA page_size = 65536")
            // After a large apply, keep at most 64 MB of WAL file rather than its whole size.
            try db.execute(sql: "PRAGMA journal_size_limit = 67108864")
        }
        do {
            // Two processes creating a store at once would both switch it to WAL and try the
            // first migration (GRDB checks what has run outside the transaction that runs
            // it): a new or unmigrated store is set up under the writers' lock. An existing
            // one is opened without it, so opening never waits for a writer.
            var info = stat()
            let isNew = stat(path, &info) != 0 || info.st_size == 0
            try Self.restrictAccess(path)
            if isNew {
                pool = try FileLock.whileHolding(path: path + ".lock") {
                    let pool = try DatabasePool(path: path, configuration: configuration)
                    try Self.migrator.migrate(pool)
                    return pool
                }
            } else {
                pool = try Self.openPool(path: path, configuration: configuration)
                // A newer Roster's store has tables this one does not know how to keep (v7 moved
                // the invitations' origins): refused, rather than failing half-way through a write.
                if try pool.read({ try Self.migrator.hasBeenSuperseded($0) }) {
                    throw StoreError(
                        .invalid, "the store \(path) was migrated by a newer version of Roster; use that version or newer")
                }
                if try !pool.read({ try Self.migrator.hasCompletedMigrations($0) }) {
                    try FileLock.whileHolding(path: path + ".lock") { try Self.migrator.migrate(pool) }
                }
            }
        } catch let error as DatabaseError {
            throw StoreError(.io, "cannot open the store \(path): \(error.message ?? error.description)")
        }
    }

    /// Opens the pool on an existing store, waiting up to 30 s while another process writes
    /// it through a rollback journal (`beginBulkWrite`): GRDB's pool sets WAL mode as it
    /// opens, which SQLite refuses at once ("database is locked") until that write ends.
    static func openPool(path: String, configuration: Configuration) throws -> DatabasePool {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            do {
                return try DatabasePool(path: path, configuration: configuration)
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY && ContinuousClock.now < deadline {
                usleep(50_000)
            }
        }
    }

    /// The store holds every team and the whole audit log, which the server shows to admins
    /// only: the file is its owner's alone (0600) whatever the umask, created so before SQLite
    /// opens it (SQLite gives its `-wal` and `-shm` files the database file's mode). An
    /// existing file that others may read is tightened.
    static func restrictAccess(_ path: String) throws {
        let descriptor = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw StoreError(.io, "cannot open the store \(path): \(String(cString: strerror(errno)))")
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        defer { withExtendedLifetime(handle) {} }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & 0o077 != 0 else { return }
        guard fchmod(descriptor, 0o600) == 0 else {
            throw StoreError(
                .io, "the store \(path) may be read by other users, and its mode cannot be set to 0600: "
                    + String(cString: strerror(errno)))
        }
        for suffix in ["-wal", "-shm"] { chmod(path + suffix, 0o600) }
    }

    // MARK: Access

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(body)
        } catch let error as DatabaseError {
            throw StoreError(.io, "store \(path): \(error.message ?? error.description)")
        }
    }

    /// One write in its own transaction, outside any apply.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await writers.withTurn {
            do {
                return try await pool.write(body)
            } catch let error as DatabaseError {
                throw StoreError(.io, "store \(path): \(error.message ?? error.description)")
            }
        }
    }

    /// One turn of the writer connection inside a transaction that `withTransaction` holds.
    func writerTurn<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.writeWithoutTransaction(body)
        } catch let error as DatabaseError {
            throw StoreError(.io, "store \(path): \(error.message ?? error.description)")
        }
    }

    // MARK: Shared queries

    static func stateVersion(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'state_version'") ?? 0
    }

    /// Writes `run` as it is (a store copy keeps every record).
    static func insert(_ run: ReconcileRun, _ db: Database) throws {
        try db.execute(
            sql: "INSERT INTO runs (\(runColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            arguments: [
                run.id, run.trigger, Timestamp.string(run.startedAt), Timestamp.string(run.finishedAt), run.repository,
                run.ref, run.commit, run.author, run.result.rawValue, run.changes, run.message, run.reason?.storedText,
                run.stateVersion, run.repeats, run.lastSeenAt.map(Timestamp.string), run.drift?.storedText,
            ])
    }

    /// Records `run`, or counts it on the newest record when it repeats it; returns the id
    /// it is recorded under.
    static func record(_ run: ReconcileRun, _ db: Database) throws -> String {
        if run.result == .noChanges,
            let row = try Row.fetchOne(db, sql: "SELECT \(runColumns) FROM runs ORDER BY started_at DESC, id DESC LIMIT 1"),
            case let newest = Self.run(row), newest.isRepeated(by: run)
        {
            try db.execute(
                sql: "UPDATE runs SET repeats = repeats + 1, last_seen_at = ? WHERE id = ?",
                arguments: [Timestamp.string(run.finishedAt), newest.id])
            return newest.id
        }
        try insert(run, db)
        return run.id
    }

    /// The runs table's columns, in the order `run(_:)` reads them.
    static let runColumns =
        "id, trigger, started_at, finished_at, repository, ref, commit_id, author, result, changes, message, reason, "
        + "state_version, repeats, last_seen_at, drift"

    static func run(_ row: Row) -> ReconcileRun {
        ReconcileRun(
            id: row[0], trigger: row[1], startedAt: Timestamp.date(row[2]) ?? .distantPast,
            finishedAt: Timestamp.date(row[3]) ?? .distantPast, repository: row[4], ref: row[5], commit: row[6],
            author: row[7], result: ReconcileRun.Result(rawValue: row[8]) ?? .failed, changes: row[9], message: row[10],
            reason: RunReason(storedText: row[11]), stateVersion: row[12], repeats: row[13],
            lastSeenAt: (row[14] as String?).flatMap(Timestamp.date), drift: RunDrift(storedText: row[15]))
    }

    /// An invitation's columns (`invitation(_:)` reads them), from `invitationsWithOrigin`.
    static let invitationColumns = "i.id, i.team, i.email, i.role, i.status, o.created_by, o.created_at, i.nonce, i.expires_at"
    /// The invitations (as `i`), each with its origin (`o`): read by the invitations' own
    /// indexes first, then one rowid lookup of the origin each (CROSS JOIN keeps that order).
    static let invitationsWithOrigin = "invitations i CROSS JOIN invitation_origins o ON o.id = i.origin"

    /// The id of the origin `by` at `at`, stored first if it is new.
    static func origin(by inviter: String, at time: String, _ db: Database) throws -> Int64 {
        try db.cachedStatement(
            sql: "INSERT INTO invitation_origins (created_by, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING"
        ).execute(arguments: [inviter, time])
        return try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT id FROM invitation_origins WHERE created_by = ? AND created_at = ?"),
            arguments: [inviter, time])!
    }

    static func invitation(_ row: Row) -> Invitation {
        Invitation(
            id: row[0], team: row[1], email: Email(normalized: row[2]), role: Role(rawValue: row[3]) ?? .basic,
            status: Invitation.Status(rawValue: row[4]) ?? .revoked, createdBy: row[5],
            createdAt: Timestamp.date(row[6]) ?? .distantPast, nonce: row[7],
            expiresAt: (row[8] as String?).flatMap(Timestamp.date))
    }
}
