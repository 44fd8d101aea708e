import Foundation
import GRDB
public import RosterStore

extension SQLiteStore {
    public func record(_ run: ReconcileRun) async throws {
        try await write { db in try Self.insert(run, db) }
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
                    FROM runs WHERE \(condition) ORDER BY started_at DESC, id DESC LIMIT ?
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
}
