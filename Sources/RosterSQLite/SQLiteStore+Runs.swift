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
                sql: "SELECT \(Self.runColumns) FROM runs WHERE \(condition) ORDER BY started_at DESC, id DESC LIMIT ?",
                arguments: [limit]
            ).map(Self.run)
        }
    }
}
