import Foundation
import GRDB
public import RosterStore

extension SQLiteStore {
    public func record(_ run: ReconcileRun) async throws {
        _ = try await write { db in try Self.record(run, db) }
    }

    public func runs(_ query: RunQuery) async throws -> RunPage {
        try await read { db in
            let result = query.result?.rawValue
            let runs = try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.runColumns) FROM runs
                    WHERE (?1 IS NULL OR result = ?1)
                      AND (?2 IS NULL OR (started_at, id) < (SELECT started_at, id FROM runs WHERE id = ?2))
                    ORDER BY started_at DESC, id DESC LIMIT ?3
                    """, arguments: [result, query.before, query.limit + 1]
            ).map(Self.run)
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM runs WHERE ?1 IS NULL OR result = ?1", arguments: [result]) ?? 0
            return RunPage(runs: Array(runs.prefix(query.limit)), total: total, hasMore: runs.count > query.limit)
        }
    }

    public func run(id: String) async throws -> ReconcileRun? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.runColumns) FROM runs WHERE id = ?", arguments: [id]).map(Self.run)
        }
    }

    public func lastAppliedCommitRun() async throws -> ReconcileRun? {
        try await read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT \(Self.runColumns) FROM runs WHERE result = 'applied' AND commit_id IS NOT NULL
                    ORDER BY started_at DESC, id DESC LIMIT 1
                    """
            ).map(Self.run)
        }
    }
}
