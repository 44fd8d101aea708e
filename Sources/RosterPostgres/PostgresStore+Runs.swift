import Foundation
import Logging
import PostgresNIO
public import RosterStore

extension PostgresStore {
    public func record(_ run: ReconcileRun) async throws {
        let logger = logger
        _ = try await withConnection { connection in try await Self.record(run, connection, logger) }
    }

    /// Writes `run` as it is (a store copy keeps every record).
    static func insert(_ run: ReconcileRun, _ connection: PostgresConnection, _ logger: Logger) async throws {
        try await execute(
            """
            INSERT INTO runs (\(unescaped: runColumns))
            VALUES (\(run.id), \(run.trigger), \(Timestamp.string(run.startedAt)), \(Timestamp.string(run.finishedAt)),
                \(run.repository), \(run.ref), \(run.commit), \(run.author), \(run.result.rawValue), \(Int64(run.changes)),
                \(run.message), \(run.reason?.storedText), \(run.stateVersion), \(Int64(run.repeats)),
                \(run.lastSeenAt.map(Timestamp.string)), \(run.drift?.storedText))
            """, on: connection, logger)
    }

    /// Records `run`, or counts it on the newest record when it repeats it; returns the id
    /// it is recorded under.
    static func record(_ run: ReconcileRun, _ connection: PostgresConnection, _ logger: Logger) async throws -> String {
        if run.result == .noChanges,
            let newest = try await runs(
                "SELECT \(unescaped: runColumns) FROM runs ORDER BY started_at DESC, id DESC LIMIT 1", connection, logger
            ).first, newest.isRepeated(by: run)
        {
            try await execute(
                "UPDATE runs SET repeats = repeats + 1, last_seen_at = \(Timestamp.string(run.finishedAt)) WHERE id = \(newest.id)",
                on: connection, logger)
            return newest.id
        }
        try await insert(run, connection, logger)
        return run.id
    }

    /// The runs table's columns, in the order `run(_:)` decodes them.
    static let runColumns =
        "id, trigger, started_at, finished_at, repository, ref, commit_id, author, result, changes, message, reason, "
        + "state_version, repeats, last_seen_at, drift"

    static func run(_ row: PostgresRow) throws -> ReconcileRun {
        let (id, trigger, started, finished, repository, ref, commit, author, result, changes) =
            try row.decode((String, String, String, String, String?, String?, String?, String?, String, Int64).self)
        let columns = row.makeRandomAccess()
        let message = try columns[10].decode(String?.self)
        let reason = try columns[11].decode(String?.self)
        let stateVersion = try columns[12].decode(Int64?.self)
        let repeats = try columns[13].decode(Int.self)
        let lastSeen = try columns[14].decode(String?.self)
        let drift = try columns[15].decode(String?.self)
        return ReconcileRun(
            id: id, trigger: trigger, startedAt: Timestamp.date(started) ?? .distantPast,
            finishedAt: Timestamp.date(finished) ?? .distantPast, repository: repository, ref: ref, commit: commit,
            author: author, result: ReconcileRun.Result(rawValue: result) ?? .failed, changes: Int(changes),
            message: message, reason: RunReason(storedText: reason), stateVersion: stateVersion, repeats: repeats,
            lastSeenAt: lastSeen.flatMap(Timestamp.date), drift: RunDrift(storedText: drift))
    }

    static func runs(_ query: PostgresQuery, _ connection: PostgresConnection, _ logger: Logger) async throws -> [ReconcileRun] {
        var runs: [ReconcileRun] = []
        for try await row in try await connection.query(query, logger: logger) { runs.append(try Self.run(row)) }
        return runs
    }

    public func runs(_ query: RunQuery) async throws -> RunPage {
        let logger = logger
        let result = query.result?.rawValue
        return try await withConnection { connection in
            let runs = try await Self.runs(
                """
                SELECT \(unescaped: Self.runColumns) FROM runs
                WHERE (\(result)::text IS NULL OR result = \(result)::text)
                  AND (\(query.before)::text IS NULL
                    OR (started_at, id) < (SELECT started_at, id FROM runs WHERE id = \(query.before)::text))
                ORDER BY started_at DESC, id DESC LIMIT \(Int64(query.limit + 1))
                """, connection, logger)
            var total = 0
            for try await count in try await connection.query(
                "SELECT count(*) FROM runs WHERE \(result)::text IS NULL OR result = \(result)::text", logger: logger
            ).decode(Int64.self) {
                total = Int(count)
            }
            return RunPage(runs: Array(runs.prefix(query.limit)), total: total, hasMore: runs.count > query.limit)
        }
    }

    public func run(id: String) async throws -> ReconcileRun? {
        let logger = logger
        return try await withConnection { connection in
            try await Self.runs("SELECT \(unescaped: Self.runColumns) FROM runs WHERE id = \(id)", connection, logger).first
        }
    }

    public func lastAppliedCommitRun() async throws -> ReconcileRun? {
        let logger = logger
        return try await withConnection { connection in
            try await Self.runs(
                """
                SELECT \(unescaped: Self.runColumns) FROM runs WHERE result = 'applied' AND commit_id IS NOT NULL
                ORDER BY started_at DESC, id DESC LIMIT 1
                """, connection, logger
            ).first
        }
    }
}
