public import Foundation
import Logging
import NIOCore
import PostgresNIO
public import RosterCore
public import RosterStore

extension PostgresStore {
    // MARK: Leases

    public func acquireLease(_ name: String, holder: String, ttl: Duration, now: Date) async throws -> Lease {
        let nowMS = Self.milliseconds(now)
        let expires = nowMS + Int64(ttl.components.seconds * 1000 + ttl.components.attoseconds / 1_000_000_000_000_000)
        let logger = logger
        return try await withConnection { connection in
            try await connection.withTransaction(logger: logger) { connection in
                // An apply fenced by this lease holds its row (FOR SHARE) until it commits: a
                // takeover waits for it rather than overlapping it, but not for ever.
                try await Self.execute("SET LOCAL lock_timeout = '5s'", on: connection, logger)
                // One statement decides, so two replicas racing for a free lease cannot both win.
                try await Self.execute(
                    """
                    INSERT INTO leases AS l (name, holder, acquired_at, expires_at_ms)
                    VALUES (\(name), \(holder), \(Timestamp.string(now)), \(expires))
                    ON CONFLICT (name) DO UPDATE SET
                        acquired_at = CASE WHEN l.holder = excluded.holder THEN l.acquired_at ELSE excluded.acquired_at END,
                        holder = excluded.holder, expires_at_ms = excluded.expires_at_ms
                    WHERE l.holder = excluded.holder OR l.expires_at_ms <= \(nowMS)
                    """, on: connection, logger)
                guard let lease = try await Self.lease(name, connection, logger) else {
                    throw StoreError(.corrupt, "the lease \(name) vanished while it was taken")
                }
                return lease
            }
        }
    }

    public func releaseLease(_ name: String, holder: String) async throws {
        let logger = logger
        try await withConnection { connection in
            try await Self.execute(
                "DELETE FROM leases WHERE name = \(name) AND holder = \(holder)", on: connection, logger)
        }
    }

    public func lease(_ name: String) async throws -> Lease? {
        let logger = logger
        return try await withConnection { connection in try await Self.lease(name, connection, logger) }
    }

    private static func lease(_ name: String, _ connection: PostgresConnection, _ logger: Logger) async throws -> Lease? {
        for try await (name, holder, acquired, expires) in try await connection.query(
            "SELECT name, holder, acquired_at, expires_at_ms FROM leases WHERE name = \(name)", logger: logger
        ).decode((String, String, String, Int64).self) {
            return Lease(
                name: name, holder: holder, acquiredAt: Timestamp.date(acquired) ?? .distantPast,
                expiresAt: Date(timeIntervalSince1970: Double(expires) / 1000))
        }
        return nil
    }

    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }

    // MARK: API keys

    public func apiKey(id: String) async throws -> APIKey? {
        let logger = logger
        return try await withConnection { connection in
            try await Self.apiKeys("SELECT \(unescaped: Self.apiKeyColumns) FROM api_keys WHERE id = \(id)", connection, logger)
                .first
        }
    }

    public func apiKeys(email: Email?) async throws -> [APIKey] {
        let logger = logger
        return try await withConnection { connection in
            let query: PostgresQuery =
                if let email {
                    "SELECT \(unescaped: Self.apiKeyColumns) FROM api_keys WHERE email = \(email.value) ORDER BY created_at DESC, id"
                } else {
                    "SELECT \(unescaped: Self.apiKeyColumns) FROM api_keys ORDER BY created_at DESC, id"
                }
            return try await Self.apiKeys(query, connection, logger)
        }
    }

    static let apiKeyColumns = "id, email, secret_hash, created_at, created_by, revoked_at"

    static func apiKeys(_ query: PostgresQuery, _ connection: PostgresConnection, _ logger: Logger) async throws
        -> [APIKey]
    {
        var keys: [APIKey] = []
        for try await (id, email, hash, created, createdBy, revoked) in try await connection.query(query, logger: logger)
            .decode((String, String, Data, String, String, String?).self)
        {
            keys.append(
                APIKey(
                    id: id, email: Email(normalized: email), secretHash: hash,
                    createdAt: Timestamp.date(created) ?? .distantPast, createdBy: createdBy,
                    revokedAt: revoked.flatMap(Timestamp.date)))
        }
        return keys
    }

    // MARK: Sessions

    public func createSession(_ session: Session) async throws {
        let logger = logger
        try await withConnection { connection in
            try await Self.execute(
                "DELETE FROM sessions WHERE expires_at_ms <= \(Self.milliseconds(session.createdAt))", on: connection, logger)
            try await Self.execute(
                """
                INSERT INTO sessions (id, key_id, created_at, expires_at_ms)
                VALUES (\(session.id), \(session.keyID), \(Timestamp.string(session.createdAt)), \(Self.milliseconds(session.expiresAt)))
                """, on: connection, logger)
        }
    }

    public func session(id: String) async throws -> Session? {
        let logger = logger
        return try await withConnection { connection in
            for try await (id, keyID, created, expires, ended) in try await connection.query(
                "SELECT id, key_id, created_at, expires_at_ms, ended_at FROM sessions WHERE id = \(id)", logger: logger
            ).decode((String, String, String, Int64, String?).self) {
                return Session(
                    id: id, keyID: keyID, createdAt: Timestamp.date(created) ?? .distantPast,
                    expiresAt: Date(timeIntervalSince1970: Double(expires) / 1000), endedAt: ended.flatMap(Timestamp.date))
            }
            return nil
        }
    }

    public func endSession(id: String, at time: Date) async throws -> Bool {
        let logger = logger
        return try await withConnection { connection in
            try await Self.count(
                "UPDATE sessions SET ended_at = \(Timestamp.string(time)) WHERE id = \(id) AND ended_at IS NULL RETURNING 1",
                on: connection, logger) > 0
        }
    }
}
