import Foundation
import Logging
import PostgresNIO
public import RosterStore

extension PostgresStore {
    public func record(_ run: ReconcileRun) async throws {
        let logger = logger
        try await withConnection { connection in try await Self.insert(run, connection, logger) }
    }

    static func insert(_ run: ReconcileRun, _ connection: PostgresConnection, _ logger: Logger) async throws {
        try await execute(
            """
            INSERT INTO runs (id, trigger, started_at, finished_at, repository, ref, commit_id, author, result, changes, message,
                reason)
            VALUES (\(run.id), \(run.trigger), \(Timestamp.string(run.startedAt)), \(Timestamp.string(run.finishedAt)),
                \(run.repository), \(run.ref), \(run.commit), \(run.author), \(run.result.rawValue), \(Int64(run.changes)),
                \(run.message), \(run.reason?.storedText))
            """, on: connection, logger)
    }

    /// The runs table's columns, in the order `run(_:)` decodes them.
    static let runColumns = "id, trigger, started_at, finished_at, repository, ref, commit_id, author, result, changes, message, reason"

    static func run(_ row: PostgresRow) throws -> ReconcileRun {
        let (id, trigger, started, finished, repository, ref, commit, author, result, changes, message, reason) =
            try row.decode((String, String, String, String, String?, String?, String?, String?, String, Int64, String?, String?).self)
        return ReconcileRun(
            id: id, trigger: trigger, startedAt: Timestamp.date(started) ?? .distantPast,
            finishedAt: Timestamp.date(finished) ?? .distantPast, repository: repository, ref: ref, commit: commit,
            author: author, result: ReconcileRun.Result(rawValue: result) ?? .failed, changes: Int(changes),
            message: message, reason: RunReason(storedText: reason))
    }

    public func runs(limit: Int) async throws -> [ReconcileRun] {
        try await fetchRuns(applied: false, limit: limit)
    }

    public func lastAppliedCommitRun() async throws -> ReconcileRun? {
        try await fetchRuns(applied: true, limit: 1).first
    }

    private func fetchRuns(applied: Bool, limit: Int) async throws -> [ReconcileRun] {
        let logger = logger
        return try await withConnection { connection in
            let query: PostgresQuery = """
                SELECT \(unescaped: Self.runColumns)
                FROM runs WHERE NOT \(applied) OR (result = 'applied' AND commit_id IS NOT NULL)
                ORDER BY started_at DESC, id DESC LIMIT \(Int64(limit))
                """
            var runs: [ReconcileRun] = []
            for try await row in try await connection.query(query, logger: logger) { runs.append(try Self.run(row)) }
            return runs
        }
    }
}
