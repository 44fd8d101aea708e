public import Foundation
import GRDB
import GRDBSQLite
public import RosterCore

/// The embedded store: one SQLite file in WAL mode, foreign keys on, versioned migrations,
/// one writer at a time across processes (a lock file beside the database).
public final class SQLiteStore: Store {
    /// The database file.
    public let path: String
    private let pool: DatabasePool
    private var lockPath: String { path + ".lock" }

    /// Opens (creating and migrating as needed) the database at `path`.
    public init(path: String) throws {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        configuration.foreignKeysEnabled = true
        configuration.label = "roster"
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
            if isNew {
                pool = try FileLock.whileHolding(path: path + ".lock") {
                    let pool = try DatabasePool(path: path, configuration: configuration)
                    try Self.migrator.migrate(pool)
                    return pool
                }
            } else {
                pool = try DatabasePool(path: path, configuration: configuration)
                if try !pool.read({ try Self.migrator.hasCompletedMigrations($0) }) {
                    try FileLock.whileHolding(path: path + ".lock") { try Self.migrator.migrate(pool) }
                }
            }
        } catch let error as DatabaseError {
            throw StoreError(.io, "cannot open the store \(path): \(error.message ?? error.description)")
        }
    }

    // MARK: Schema

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
                INSERT INTO meta (key, value) VALUES ('state_version', 0);
                CREATE TABLE users (email TEXT PRIMARY KEY, created_at TEXT NOT NULL) WITHOUT ROWID;
                CREATE TABLE teams (
                    slug TEXT PRIMARY KEY,
                    display_name TEXT NOT NULL,
                    owner TEXT NOT NULL REFERENCES users(email),
                    spend_limit_cents INTEGER NOT NULL CHECK (spend_limit_cents >= 0),
                    created_at TEXT NOT NULL
                ) WITHOUT ROWID;
                -- Approved spend-limit ceilings, raised by an operator; kept apart from teams so
                -- a ceiling can be approved before the team it is for is created.
                CREATE TABLE ceilings (
                    team TEXT PRIMARY KEY,
                    cents INTEGER NOT NULL CHECK (cents >= 0),
                    updated_by TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                ) WITHOUT ROWID;
                -- Role and status checks are written with OR, not IN (...): SQLite 3.40 builds a
                -- temporary b-tree for an IN list in a CHECK on every row it checks, which made
                -- inserting a million invitations take seconds longer.
                CREATE TABLE memberships (
                    team TEXT NOT NULL REFERENCES teams(slug) ON DELETE CASCADE,
                    email TEXT NOT NULL REFERENCES users(email),
                    role TEXT NOT NULL CHECK (role = 'basic' OR role = 'billing' OR role = 'dev' OR role = 'admin'),
                    created_at TEXT NOT NULL,
                    PRIMARY KEY (team, email)
                ) WITHOUT ROWID;
                -- No foreign key on team: checking it costs every insert a lookup in teams (a fifth
                -- of the cost of inserting an invitation, which an apply does a million times).
                -- The store checks the team once per team instead (ChangeApplier), and the
                -- trigger below deletes a team's invitations with it, as ON DELETE CASCADE did.
                CREATE TABLE invitations (
                    id INTEGER PRIMARY KEY,
                    team TEXT NOT NULL,
                    email TEXT NOT NULL,
                    role TEXT NOT NULL CHECK (role = 'basic' OR role = 'billing' OR role = 'dev' OR role = 'admin'),
                    status TEXT NOT NULL CHECK (status = 'pending' OR status = 'accepted' OR status = 'revoked'),
                    nonce TEXT NOT NULL,
                    created_by TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    -- NULL until the invitation changes after it was created.
                    updated_at TEXT
                );
                CREATE UNIQUE INDEX invitations_pending ON invitations (team, email) WHERE status = 'pending';
                CREATE TRIGGER teams_delete_invitations AFTER DELETE ON teams
                    BEGIN DELETE FROM invitations WHERE team = old.slug; END;
                -- What the entries of one write share (its time, on whose behalf, the commit and
                -- the run), kept once per write rather than on each of its entries: an apply to
                -- an empty store writes a million entries. A write's entries are consecutive,
                -- first_seq to last_seq, which lets a query by time read just those entries
                -- without an index on the audit table (it would cost every insert).
                CREATE TABLE audit_batches (
                    id INTEGER PRIMARY KEY,
                    first_seq INTEGER NOT NULL,
                    last_seq INTEGER NOT NULL,
                    time TEXT NOT NULL,
                    on_behalf_of TEXT,
                    commit_id TEXT,
                    run_id TEXT
                );
                CREATE INDEX audit_batches_time ON audit_batches (time);
                -- hash: SHA-256 of the entry's canonical content (AuditChain), 32 bytes. The
                -- content includes the predecessor's hash, which is not stored again: it is the
                -- hash of the row before, and storing it would add nothing the chain does not
                -- already check.
                CREATE TABLE audit (
                    seq INTEGER PRIMARY KEY,
                    batch INTEGER NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    resource_type TEXT NOT NULL,
                    resource_id TEXT NOT NULL,
                    team TEXT,
                    before TEXT,
                    after TEXT,
                    hash BLOB NOT NULL
                );
                CREATE INDEX audit_team ON audit (team);
                CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                CREATE TRIGGER audit_batches_append_only_update BEFORE UPDATE ON audit_batches
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                CREATE TRIGGER audit_batches_append_only_delete BEFORE DELETE ON audit_batches
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                CREATE TABLE runs (
                    id TEXT PRIMARY KEY,
                    trigger TEXT NOT NULL,
                    started_at TEXT NOT NULL,
                    finished_at TEXT NOT NULL,
                    repository TEXT,
                    ref TEXT,
                    commit_id TEXT,
                    author TEXT,
                    result TEXT NOT NULL,
                    changes INTEGER NOT NULL,
                    message TEXT
                ) WITHOUT ROWID;
                CREATE INDEX runs_started ON runs (started_at);
                """)
        }
        registerServerMigration(&migrator)
        return migrator
    }

    // MARK: Reading

    public func currentState() async throws -> CurrentState {
        try await read { db in
            var teams: [String: TeamState] = [:]
            let teamRows = try Row.fetchCursor(
                db, sql: "SELECT slug, display_name, owner, spend_limit_cents FROM teams")
            while let row = try teamRows.next() {
                let slug: String = row[0]
                teams[slug] = TeamState(
                    slug: slug, displayName: row[1], owner: Email(normalized: row[2]), spendLimit: SpendLimit(cents: row[3]))
            }
            var ceilings: [String: SpendLimit] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT team, cents FROM ceilings") {
                let slug: String = row[0]
                ceilings[slug] = SpendLimit(cents: row[1])
                teams[slug]?.ceiling = SpendLimit(cents: row[1])
            }
            // A million rows on a large organisation: read in team order straight from SQLite's
            // buffers, filling one team's dictionary at a time.
            try Self.readRolesByTeam(
                db, sql: "SELECT team, email, role FROM memberships ORDER BY team"
            ) { team, roles in teams[team]?.members = roles }
            try Self.readRolesByTeam(
                db, sql: "SELECT team, email, role FROM invitations WHERE status = 'pending' ORDER BY team"
            ) { team, roles in teams[team]?.invitations = roles }
            return CurrentState(version: try Self.stateVersion(db), teams: teams, ceilings: ceilings)
        }
    }

    public func runs(limit: Int) async throws -> [ReconcileRun] {
        try await fetchRuns(where: "1", limit: limit)
    }

    public func lastAppliedCommitRun() async throws -> ReconcileRun? {
        try await fetchRuns(where: "result = 'applied' AND commit_id IS NOT NULL", limit: 1).first
    }

    private func fetchRuns(where condition: String, limit: Int) async throws -> [ReconcileRun] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, trigger, started_at, finished_at, repository, ref, commit_id, author, result, changes, message
                    FROM runs WHERE \(condition) ORDER BY started_at DESC LIMIT ?
                    """, arguments: [limit]
            ).map { row in
                ReconcileRun(
                    id: row[0], trigger: row[1], startedAt: Timestamp.date(row[2]) ?? .distantPast,
                    finishedAt: Timestamp.date(row[3]) ?? .distantPast, repository: row[4], ref: row[5], commit: row[6],
                    author: row[7], result: ReconcileRun.Result(rawValue: row[8]) ?? .failed, changes: row[9],
                    message: row[10])
            }
        }
    }

    public func auditEntries(matching query: AuditQuery) async throws -> [AuditEntry] {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        var times: [String] = []
        var timeArguments: [(any DatabaseValueConvertible)?] = []
        if let since = query.since { times.append("time >= ?"); timeArguments.append(since) }
        if let until = query.until { times.append("time < ?"); timeArguments.append(until) }
        if !times.isEmpty {
            conditions += times.map { "b." + $0 }
            arguments += timeArguments
            // The writes of that time hold the entries between the first and the last of them:
            // a range of seq SQLite reads directly, where a condition on the batch alone
            // would make it scan the whole log.
            let writes = "FROM audit_batches WHERE " + times.joined(separator: " AND ")
            conditions.append("a.seq BETWEEN (SELECT min(first_seq) \(writes)) AND (SELECT max(last_seq) \(writes))")
            arguments += timeArguments + timeArguments
        }
        if let user = query.user {
            // Emails are stored lowercase; lower() covers other actors' ASCII case.
            conditions.append("(lower(a.actor) = ? OR lower(b.on_behalf_of) = ?)")
            arguments += [user.lowercased(), user.lowercased()]
        }
        if let type = query.resourceType { conditions.append("a.resource_type = ?"); arguments.append(type) }
        if let id = query.resourceID { conditions.append("a.resource_id = ?"); arguments.append(id) }
        if let action = query.action { conditions.append("a.action = ?"); arguments.append(action) }
        if let team = query.team { conditions.append("a.team = ?"); arguments.append(team) }
        if let teams = query.teams {
            // SQLite takes an empty list, which matches nothing.
            conditions.append("a.team IN (" + teams.map { _ in "?" }.joined(separator: ", ") + ")")
            arguments += teams.map { $0 }
        }
        // The predecessor's hash is the hash of the row before (genesis for the first).
        var sql = """
            SELECT \(Self.auditColumns),
                (SELECT p.hash FROM audit p WHERE p.seq < a.seq ORDER BY p.seq DESC LIMIT 1) AS prev_hash
            FROM \(Self.auditTables)
            """
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        if let limit = query.limit {
            sql = "SELECT * FROM (\(sql) ORDER BY a.seq DESC LIMIT ?) ORDER BY seq"
            arguments.append(limit)
        } else {
            sql += " ORDER BY a.seq"
        }
        let statementArguments = StatementArguments(arguments)
        let query = sql
        return try await read { db in
            try Row.fetchAll(db, sql: query, arguments: statementArguments).map { row in
                Self.auditEntry(row, prevHash: (row[13] as Data?).map(Self.hex) ?? AuditEntry.genesisHash)
            }
        }
    }

    public func verifyAudit(expectedHead: AuditHead?) async throws -> AuditChain.Verdict {
        try await read { db in
            var verifier = AuditChain.Verifier(expectedHead: expectedHead)
            var previous = AuditEntry.genesisHash
            let rows = try Row.fetchCursor(db, sql: "SELECT \(Self.auditColumns) FROM \(Self.auditTables) ORDER BY a.seq")
            while let row = try rows.next() {
                let entry = Self.auditEntry(row, prevHash: previous)
                if let broken = verifier.check(entry) { return broken }
                previous = entry.hash
            }
            return verifier.finish()
        }
    }

    public func auditHead() async throws -> AuditHead? {
        try await read { db in try Self.lastAudit(db) }
    }

    public func pendingInvitations() async throws -> [Invitation] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT \(Self.invitationColumns) FROM invitations WHERE status = 'pending' ORDER BY team, email"
            ).map(Self.invitation)
        }
    }

    public func pendingInvitation(team: String, email: Email) async throws -> Invitation? {
        try await read { db in
            try Row.fetchOne(
                db,
                sql: "SELECT \(Self.invitationColumns) FROM invitations WHERE team = ? AND email = ? AND status = 'pending'",
                arguments: [team, email.value]
            ).map(Self.invitation)
        }
    }

    public func invitation(id: Int64) async throws -> Invitation? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.invitationColumns) FROM invitations WHERE id = ?", arguments: [id])
                .map(Self.invitation)
        }
    }

    // MARK: Writing

    public func apply(_ plan: Plan, context: ApplyContext) async throws -> ApplyReport {
        let lock = try await lock(context)
        defer { lock.release() }
        let started = context.now()
        return try await write { db in
            let version = try Self.stateVersion(db)
            guard version == plan.stateVersion else {
                throw StoreError(
                    .stalePlan,
                    "stale plan: it was made against store version \(plan.stateVersion), the store is now at version \(version); plan again")
            }
            let time = Timestamp.string(context.now())
            // A large apply grows five b-trees at once; in SQLite's default 2 MB cache (32 pages
            // of 64 KiB) the pages it still needs are written out to the WAL and read back: for
            // the reference corpus 750 MB written to the WAL and 1 GB read back, where 32 MB of
            // cache writes each page once. The connection's usual size again afterwards.
            let usualCacheSize = try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? -2000
            if plan.changes.count > 10_000 { try db.execute(sql: "PRAGMA cache_size = -32768") }
            defer { try? db.execute(sql: "PRAGMA cache_size = \(usualCacheSize)") }
            var writer = try AuditWriter(
                db: db, time: time, context: context, commit: plan.source?.commit, runID: context.runID)
            writer.sealInBackground(plan.changes)
            defer { writer.stopSealing() }
            // An invitation names who invited: the commit's author when the change came from git.
            var applier = try ChangeApplier(db: db, time: time, actor: context.onBehalfOf ?? context.actor)
            for change in plan.changes {
                try applier.apply(change)
                try writer.append(change)
            }
            try applier.finish()
            try writer.finish()
            let newVersion = plan.changes.isEmpty ? version : try Self.bumpVersion(db)
            let run = ReconcileRun(
                id: context.runID, trigger: context.trigger, startedAt: started, finishedAt: context.now(),
                repository: plan.source?.repository, ref: plan.source?.ref, commit: plan.source?.commit,
                author: context.onBehalfOf, result: plan.changes.isEmpty ? .noChanges : .applied,
                changes: plan.changes.count)
            try Self.insert(run, db)
            return ApplyReport(runID: context.runID, applied: plan.changes.count, stateVersion: newVersion, auditHead: writer.head)
        }
    }

    public func record(_ run: ReconcileRun) async throws {
        try await write { db in try Self.insert(run, db) }
    }

    public func acceptInvitation(id: Int64, email: Email, at date: Date) async throws {
        let context = ApplyContext(actor: email.value, now: { date })
        let lock = try await lock(context)
        defer { lock.release() }
        try await write { db in
            guard let invitation = try Row.fetchOne(
                db, sql: "SELECT \(Self.invitationColumns) FROM invitations WHERE id = ?", arguments: [id]
            ).map(Self.invitation), invitation.status == .pending, invitation.email == email
            else { throw StoreError(.notFound, InvitationTokens.notValid) }
            let time = Timestamp.string(date)
            try db.execute(
                sql: "INSERT INTO users (email, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
                arguments: [email.value, time])
            try db.execute(
                sql: """
                    INSERT INTO memberships (team, email, role, created_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (team, email) DO UPDATE SET role = CASE
                        WHEN email = (SELECT owner FROM teams WHERE slug = excluded.team) THEN 'admin' ELSE excluded.role END
                    """, arguments: [invitation.team, email.value, invitation.role.rawValue, time])
            try db.execute(
                sql: "UPDATE invitations SET status = 'accepted', updated_at = ? WHERE id = ?", arguments: [time, id])
            var writer = try AuditWriter(db: db, time: time, context: context, commit: nil, runID: nil)
            try writer.append(
                action: "invite.accept", resourceType: "invite", resourceTeam: invitation.team, subject: email.value,
                team: invitation.team, before: nil, after: ChangeValue.role(invitation.role).jsonText)
            try writer.finish()
            _ = try Self.bumpVersion(db)
        }
    }

    public func setCeiling(team: String, to ceiling: SpendLimit, actor: String, at date: Date) async throws {
        let context = ApplyContext(actor: actor, now: { date })
        let lock = try await lock(context)
        defer { lock.release() }
        try await write { db in
            let current = try Int64.fetchOne(db, sql: "SELECT cents FROM ceilings WHERE team = ?", arguments: [team])
                ?? SpendLimit.default.cents
            guard current != ceiling.cents else { return }
            let time = Timestamp.string(date)
            try db.execute(
                sql: """
                    INSERT INTO ceilings (team, cents, updated_by, updated_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (team) DO UPDATE SET cents = excluded.cents, updated_by = excluded.updated_by,
                    updated_at = excluded.updated_at
                    """, arguments: [team, ceiling.cents, actor, time])
            var writer = try AuditWriter(db: db, time: time, context: context, commit: nil, runID: nil)
            try writer.append(
                action: "team.spend_limit_ceiling.update", resourceType: "team", resourceTeam: team, subject: nil, team: team,
                before: SpendLimit(cents: current).jsonNumber, after: ceiling.jsonNumber)
            try writer.finish()
            _ = try Self.bumpVersion(db)
        }
    }

    // MARK: Helpers

    private func lock(_ context: ApplyContext) async throws -> FileLock {
        let holder = "pid \(getpid()) on \(ProcessInfo.processInfo.hostName), \(context.trigger) by \(context.actor) since \(Timestamp.string(Date()))"
        return try await FileLock.acquire(path: lockPath, timeout: context.lockTimeout, holder: holder)
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(body)
        } catch let error as DatabaseError {
            throw StoreError(.io, "store \(path): \(error.message ?? error.description)")
        }
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(body)
        } catch let error as DatabaseError {
            throw StoreError(.io, "store \(path): \(error.message ?? error.description)")
        }
    }

    /// Reads `(team, email, role)` rows ordered by team and hands over each team's roles.
    static func readRolesByTeam(_ db: Database, sql: String, _ store: (String, [Email: Role]) -> Void) throws {
        var team = ""
        var roles: [Email: Role] = [:]
        try BulkStatement(db, sql: sql).forEachRow { row in
            if !row.text(0, equals: team) {
                if !roles.isEmpty { store(team, roles) }
                team = row.text(0)
                roles = Dictionary(minimumCapacity: roles.count)
            }
            if let role = row.role(2) { roles[Email(normalized: row.text(1))] = role }
        }
        if !roles.isEmpty { store(team, roles) }
    }

    static func stateVersion(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'state_version'") ?? 0
    }

    static func bumpVersion(_ db: Database) throws -> Int64 {
        try db.execute(sql: "UPDATE meta SET value = value + 1 WHERE key = 'state_version'")
        return try stateVersion(db)
    }

    static func lastAudit(_ db: Database) throws -> AuditHead? {
        try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").map {
            AuditHead(seq: $0[0], hash: ($0[1] as Data?).map(hex) ?? "")
        }
    }

    static func insert(_ run: ReconcileRun, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO runs (id, trigger, started_at, finished_at, repository, ref, commit_id, author, result, changes, message)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                run.id, run.trigger, Timestamp.string(run.startedAt), Timestamp.string(run.finishedAt), run.repository,
                run.ref, run.commit, run.author, run.result.rawValue, run.changes, run.message,
            ])
    }

    static let auditColumns = """
        a.seq, b.time, a.actor, b.on_behalf_of, a.action, a.resource_type, a.resource_id, a.team, a.before, a.after,
        b.commit_id, b.run_id, a.hash
        """

    /// An entry without its batch (deleted, or not covering it) keeps its place with empty
    /// shared fields, so that verifying reports it as modified rather than skipping it.
    static let auditTables = """
        audit a LEFT JOIN audit_batches b ON b.id = a.batch AND a.seq BETWEEN b.first_seq AND b.last_seq
        """

    /// The entry in a row of `auditColumns`. Tolerates NULLs where a tampered store may
    /// hold them: verifying then reports the entry instead of crashing.
    static func auditEntry(_ row: Row, prevHash: String) -> AuditEntry {
        AuditEntry(
            seq: row[0], time: row[1] ?? "", actor: row[2] ?? "", onBehalfOf: row[3], action: row[4] ?? "",
            resourceType: row[5] ?? "", resourceID: row[6] ?? "", team: row[7], before: row[8], after: row[9],
            commit: row[10], runID: row[11], prevHash: prevHash, hash: (row[12] as Data?).map(hex) ?? "")
    }

    /// Lowercase hex of `bytes`, as hashes are shown.
    static func hex(_ bytes: Data) -> String {
        AuditChain.hex(bytes)
    }

    static let invitationColumns = "id, team, email, role, status, created_by, created_at, nonce"

    static func invitation(_ row: Row) -> Invitation {
        Invitation(
            id: row[0], team: row[1], email: Email(normalized: row[2]), role: Role(rawValue: row[3]) ?? .basic,
            status: Invitation.Status(rawValue: row[4]) ?? .revoked, createdBy: row[5],
            createdAt: Timestamp.date(row[6]) ?? .distantPast, nonce: row[7])
    }
}

extension InvitationTokens {
    /// The one answer for unknown, revoked, accepted and mismatched tokens.
    public static let notValid = "this invitation link is not valid (or not for that email address)"
}

/// Appends chained audit entries inside a write transaction. The first entry also records
/// the batch: what every entry of this write shares. Entries are inserted many rows at a
/// time (`BulkInsert`): call `finish()` before reading the log in the same transaction.
struct AuditWriter {
    private let db: Database
    private var rows: BulkInsert
    private let actor: String
    private let batch: (time: String, onBehalfOf: String?, commit: String?, runID: String?)
    /// The batch's id and first entry, once an entry was appended.
    private var batchStart: (id: Int64, firstSeq: Int64)?
    /// Seals entries one at a time, or hands over to `background` for a plan's changes.
    private var sealer: AuditSealer
    private var background: (sealer: BackgroundSealer, changes: Int, appended: Int)?
    private var seq: Int64
    private var lastDigest: [UInt8]

    /// `runID` nil for changes made by a person rather than a run (accepting, ceilings).
    init(db: Database, time: String, context: ApplyContext, commit: String?, runID: String?) throws {
        self.db = db
        // ?1 and ?2 are the same for every entry of the write; `addRow` lays out the rest.
        rows = try BulkInsert(
            db, table: "audit",
            columns: ["seq", "batch", "actor", "action", "resource_type", "resource_id", "team", "before", "after", "hash"],
            shared: ["batch": 1, "actor": 2])
        actor = context.actor
        batch = (time, context.onBehalfOf, commit, runID)
        sealer = AuditSealer(
            after: try SQLiteStore.lastAudit(db), time: time, actor: context.actor, onBehalfOf: context.onBehalfOf,
            commit: commit, runID: runID)
        seq = sealer.seq
        lastDigest = sealer.digest
    }

    /// The last entry written (or the log's head before this write, when none was).
    var head: AuditHead? { seq == 0 ? nil : AuditHead(seq: seq, hash: AuditChain.hex(lastDigest)) }

    /// Seals the entries of `changes`, and lays out their rows, on another thread from here
    /// on; each change must then be appended in that order with `append(_:)`, and nothing else.
    mutating func sealInBackground(_ changes: [Change]) {
        precondition(background == nil && seq == sealer.seq, "sealing in the background starts before any entry")
        background = (
            BackgroundSealer(
                changes, continuing: sealer, rowsPerBlock: rows.rowsPerStatement, columnsPerRow: rows.columnsPerRow),
            changes.count, 0
        )
    }

    /// Appends the entry for `change`.
    mutating func append(_ change: Change) throws {
        if var background {
            // Sealed and laid out on the other thread: insert a block once its changes are all in.
            if batchStart == nil { try startBatch() }
            background.appended += 1
            self.background = background
            if background.appended % background.sealer.rowsPerBlock == 0 {
                try insertBlock(background.appended / background.sealer.rowsPerBlock - 1)
            }
        } else {
            let entry = change.auditFields
            try append(
                action: entry.action, resourceType: entry.resourceType, resourceTeam: change.team, subject: entry.subject,
                team: change.team, before: entry.before, after: entry.after)
        }
    }

    /// Appends an entry whose resource id is `resourceTeam/subject`, or `resourceTeam` when
    /// `subject` is nil (team resources).
    mutating func append(
        action: String, resourceType: String, resourceTeam: String, subject: String?, team: String?, before: String?,
        after: String?
    ) throws {
        precondition(background == nil, "entries sealed in the background are appended with append(_ change:)")
        if batchStart == nil { try startBatch() }
        sealer.seal(
            action: action, resourceType: resourceType, resourceTeam: resourceTeam, subject: subject, team: team,
            before: before, after: after)
        seq = sealer.seq
        lastDigest = sealer.digest
        try lastDigest.withUnsafeBytes { digest in
            var one = BulkInsert.Rows(rows: 1, columns: rows.columnsPerRow)
            Self.addRow(
                to: &one, seq: seq, action: action, resourceType: resourceType, resourceTeam: resourceTeam,
                subject: subject, team: team, before: before, after: after, digest: digest)
            try rows.insert(one)
        }
    }

    /// Lays out an entry's row for this writer's `BulkInsert` (the columns not shared).
    static func addRow(
        to rows: inout BulkInsert.Rows, seq: Int64, action: String, resourceType: String, resourceTeam: String,
        subject: String?, team: String?, before: String?, after: String?, digest: UnsafeRawBufferPointer
    ) {
        rows.add(seq)
        rows.add(action)
        rows.add(resourceType)
        rows.add(resourceTeam, joinedBy: UInt8(ascii: "/"), subject)
        rows.add(team)
        rows.add(before)
        rows.add(after)
        rows.add(blob: digest)
    }

    /// Inserts the entries still held back, and the batch they belong to.
    mutating func finish() throws {
        if let background, background.appended % background.sealer.rowsPerBlock != 0 {
            precondition(background.appended == background.changes, "every change sealed in the background was appended")
            try insertBlock(background.appended / background.sealer.rowsPerBlock)
        }
        guard let batchStart else { return }
        try db.execute(
            sql: """
                INSERT INTO audit_batches (id, first_seq, last_seq, time, on_behalf_of, commit_id, run_id)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [batchStart.id, batchStart.firstSeq, seq, batch.time, batch.onBehalfOf, batch.commit, batch.runID])
        self.batchStart = nil
    }

    /// Stops sealing in the background, whether or not every entry was appended.
    func stopSealing() {
        background?.sealer.stop()
    }

    private mutating func insertBlock(_ index: Int) throws {
        guard let background else { return }
        let block = background.sealer.block(index)
        try rows.insert(block.rows)
        seq += Int64(block.rows.valueCount / rows.columnsPerRow)
        lastDigest = block.lastDigest
    }

    private mutating func startBatch() throws {
        // The batch row is written by `finish()`, once its last entry is known; its id is
        // taken now for the entries to name it.
        let id = try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) + 1 FROM audit_batches") ?? 1
        rows.bindShared(1, id)
        rows.bindShared(2, actor)
        batchStart = (id, seq + 1)
    }
}

extension Change {
    /// What its audit entry records about it, besides what the whole write shares. Its
    /// resource id is `team/subject`, or the team alone when `subject` is nil.
    var auditFields: (action: String, resourceType: String, subject: String?, before: String?, after: String?) {
        let resourceType = action.resourceType
        return (
            action.rawValue, resourceType, resourceType == "team" ? nil : subject, before?.jsonText, after?.jsonText
        )
    }
}

/// Carries out plan changes with prepared statements, checking that each one finds the
/// store as the plan expected (a hand-edited or mismatched plan rolls back whole).
/// Invitations are inserted many at a time (`BulkInsert`): call `finish()` at the end.
struct ChangeApplier {
    private let db: Database
    private let time: String
    private let actor: String
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

    init(db: Database, time: String, actor: String) throws {
        self.db = db
        self.time = time
        self.actor = actor
        isMember = try BulkStatement(db, sql: "SELECT 1 FROM memberships WHERE team = ? AND email = ?")
        invitations = try BulkInsert(
            db, table: "invitations",
            columns: ["team", "email", "role", "status", "nonce", "created_by", "created_at"],
            shared: ["status": 1, "created_by": 2, "created_at": 3])
        invitations.bindShared(1, Invitation.Status.pending.rawValue)
        invitations.bindShared(2, actor)
        invitations.bindShared(3, time)
    }

    mutating func apply(_ change: Change) throws {
        let team = change.team
        switch change.action {
        case .inviteUpdate, .inviteRevoke, .teamDelete:
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
                    try require(try teamExists(team), change, "the team is not in the store")
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
            try require(!member, change, "\(change.subject) is already a member")
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
                "INSERT INTO teams (slug, display_name, owner, spend_limit_cents, created_at) VALUES (?, ?, ?, ?, ?)",
                [team, value.displayName, value.owner, SpendLimit(dollars: value.spendLimit).cents, time])
            try require(
                SpendLimit(dollars: value.spendLimit).cents <= ceiling(team), change, "the spend limit is above the ceiling")
            try run("INSERT INTO memberships (team, email, role, created_at) VALUES (?, ?, 'admin', ?)", [team, value.owner, time])
            newTeams[team] = value.owner
            lastTeam = ("", nil)
        case (.teamDelete, _):
            try run("DELETE FROM teams WHERE slug = ?", [team])
            try require(db.changesCount == 1, change, "the team is not in the store")
            newTeams[team] = nil
            lastTeam = ("", nil)
        case (.teamDisplayNameUpdate, .text(let name)?):
            try run("UPDATE teams SET display_name = ? WHERE slug = ?", [name, team])
            try require(db.changesCount == 1, change, "the team is not in the store")
        case (.teamSpendLimitUpdate, .spendLimit(let limit)?):
            try require(limit.cents <= ceiling(team), change, "the limit is above the team's ceiling")
            try run("UPDATE teams SET spend_limit_cents = ? WHERE slug = ?", [limit.cents, team])
            try require(db.changesCount == 1, change, "the team is not in the store")
        case (.teamOwnerUpdate, .email(let owner)?):
            try run(
                """
                UPDATE teams SET owner = ? WHERE slug = ?
                AND EXISTS (SELECT 1 FROM memberships WHERE team = ? AND email = ? AND role = 'admin')
                """, [owner.value, team, team, owner.value])
            try require(db.changesCount == 1, change, "the new owner is not an admin member")
        case (.memberRoleUpdate, .role(let role)?):
            try run(
                """
                UPDATE memberships SET role = ? WHERE team = ? AND email = ?
                AND (? = 'admin' OR email <> (SELECT owner FROM teams WHERE slug = ?))
                """, [role.rawValue, team, change.subject, role.rawValue, team])
            try require(db.changesCount == 1, change, "no such member, or it would demote the owner")
        case (.memberRemove, _):
            try run(
                "DELETE FROM memberships WHERE team = ? AND email = ? AND email <> (SELECT owner FROM teams WHERE slug = ?)",
                [team, change.subject, team])
            try require(db.changesCount == 1, change, "no such member, or it is the owner")
        case (.inviteUpdate, .role(let role)?):
            try run(
                "UPDATE invitations SET role = ?, updated_at = ? WHERE team = ? AND email = ? AND status = 'pending'",
                [role.rawValue, time, team, change.subject])
            try require(db.changesCount == 1, change, "no pending invitation")
        case (.inviteRevoke, _):
            try run(
                "UPDATE invitations SET status = 'revoked', updated_at = ? WHERE team = ? AND email = ? AND status = 'pending'",
                [time, team, change.subject])
            try require(db.changesCount == 1, change, "no pending invitation")
        default:
            throw StoreError(.invalid, "the plan holds a malformed \(change.action.rawValue) change for \(change.resourceID)")
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
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT cents FROM ceilings WHERE team = ?"), arguments: [team])
            ?? SpendLimit.default.cents
    }

    private func require(_ condition: Bool, _ change: Change, _ reason: @autoclosure () -> String) throws {
        guard condition else {
            // The state version matched, so the plan itself is wrong (hand-edited, or made by
            // something else): an error, not a stale plan.
            throw StoreError(
                .invalid,
                "the plan cannot apply \(change.action.rawValue) to \(change.resourceID): \(reason()); nothing was applied")
        }
    }
}
