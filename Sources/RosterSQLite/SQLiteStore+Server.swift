public import Foundation
import GRDB
public import RosterCore
public import RosterStore

/// What `roster serve` keeps in the store besides the state: the reconciler's lease, API
/// keys and browser sessions. Webhook delivery ids are not stored (see RosterServer).
extension SQLiteStore {
    static func registerServerMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v2-serve") { db in
            try db.execute(sql: """
                CREATE TABLE leases (
                    name TEXT PRIMARY KEY,
                    holder TEXT NOT NULL,
                    acquired_at TEXT NOT NULL,
                    expires_at_ms INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE api_keys (
                    id TEXT PRIMARY KEY,
                    email TEXT NOT NULL,
                    secret_hash BLOB NOT NULL,
                    created_at TEXT NOT NULL,
                    created_by TEXT NOT NULL,
                    revoked_at TEXT
                ) WITHOUT ROWID;
                CREATE INDEX api_keys_email ON api_keys (email);
                -- Signing in asks for one person's teams on every request.
                CREATE INDEX memberships_email ON memberships (email);
                """)
        }
        migrator.registerMigration("v3-sessions") { db in
            try db.execute(sql: """
                CREATE TABLE sessions (
                    id TEXT PRIMARY KEY,
                    key_id TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    expires_at_ms INTEGER NOT NULL,
                    ended_at TEXT
                ) WITHOUT ROWID;
                -- Signing in deletes the expired ones.
                CREATE INDEX sessions_expiry ON sessions (expires_at_ms);
                """)
        }
    }

    // MARK: The reconciler's lease

    public func acquireLease(_ name: String, holder: String, ttl: Duration, now: Date) async throws -> Lease {
        let nowMS = Self.milliseconds(now)
        let expires = nowMS + Int64(ttl.components.seconds * 1000 + ttl.components.attoseconds / 1_000_000_000_000_000)
        return try await write { db in
            // One statement decides, so two processes racing for a free lease cannot both win.
            try db.execute(
                sql: """
                    INSERT INTO leases (name, holder, acquired_at, expires_at_ms) VALUES (?, ?, ?, ?)
                    ON CONFLICT (name) DO UPDATE SET
                        acquired_at = CASE WHEN leases.holder = excluded.holder THEN leases.acquired_at ELSE excluded.acquired_at END,
                        holder = excluded.holder, expires_at_ms = excluded.expires_at_ms
                    WHERE leases.holder = excluded.holder OR leases.expires_at_ms <= ?
                    """, arguments: [name, holder, Timestamp.string(now), expires, nowMS])
            return try Self.lease(name, db)!
        }
    }

    public func releaseLease(_ name: String, holder: String) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM leases WHERE name = ? AND holder = ?", arguments: [name, holder])
        }
    }

    public func lease(_ name: String) async throws -> Lease? {
        try await read { db in try Self.lease(name, db) }
    }

    private static func lease(_ name: String, _ db: Database) throws -> Lease? {
        try Row.fetchOne(db, sql: "SELECT name, holder, acquired_at, expires_at_ms FROM leases WHERE name = ?", arguments: [name])
            .map { row in
                Lease(
                    name: row[0], holder: row[1], acquiredAt: Timestamp.date(row[2]) ?? .distantPast,
                    expiresAt: Date(timeIntervalSince1970: Double(row[3] as Int64) / 1000))
            }
    }

    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }

    // MARK: API keys

    public func apiKey(id: String) async throws -> APIKey? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.apiKeyColumns) FROM api_keys WHERE id = ?", arguments: [id])
                .map(Self.apiKey)
        }
    }

    public func apiKeys(email: Email?) async throws -> [APIKey] {
        try await read { db in
            let rows =
                if let email {
                    try Row.fetchAll(
                        db, sql: "SELECT \(Self.apiKeyColumns) FROM api_keys WHERE email = ? ORDER BY created_at DESC, id",
                        arguments: [email.value])
                } else {
                    try Row.fetchAll(db, sql: "SELECT \(Self.apiKeyColumns) FROM api_keys ORDER BY created_at DESC, id")
                }
            return rows.map(Self.apiKey)
        }
    }

    static let apiKeyColumns = "id, email, secret_hash, created_at, created_by, revoked_at"

    static func apiKey(_ row: Row) -> APIKey {
        APIKey(
            id: row[0], email: Email(normalized: row[1]), secretHash: row[2],
            createdAt: Timestamp.date(row[3]) ?? .distantPast, createdBy: row[4],
            revokedAt: (row[5] as String?).flatMap(Timestamp.date))
    }

    // MARK: Sessions

    public func createSession(_ session: Session) async throws {
        try await write { db in
            try db.execute(
                sql: "DELETE FROM sessions WHERE expires_at_ms <= ?", arguments: [Self.milliseconds(session.createdAt)])
            try db.execute(
                sql: "INSERT INTO sessions (id, key_id, created_at, expires_at_ms) VALUES (?, ?, ?, ?)",
                arguments: [session.id, session.keyID, Timestamp.string(session.createdAt), Self.milliseconds(session.expiresAt)])
        }
    }

    public func session(id: String) async throws -> Session? {
        try await read { db in
            try Row.fetchOne(
                db, sql: "SELECT id, key_id, created_at, expires_at_ms, ended_at FROM sessions WHERE id = ?", arguments: [id]
            ).map { row in
                Session(
                    id: row[0], keyID: row[1], createdAt: Timestamp.date(row[2]) ?? .distantPast,
                    expiresAt: Date(timeIntervalSince1970: Double(row[3] as Int64) / 1000),
                    endedAt: (row[4] as String?).flatMap(Timestamp.date))
            }
        }
    }

    public func endSession(id: String, at time: Date) async throws -> Bool {
        try await write { db in
            try db.execute(
                sql: "UPDATE sessions SET ended_at = ? WHERE id = ? AND ended_at IS NULL", arguments: [Timestamp.string(time), id])
            return db.changesCount > 0
        }
    }
}
