import Foundation
import GRDB
public import RosterCore
public import RosterStore

extension SQLiteStore {
    public func auditEntries(matching query: AuditQuery) async throws -> [AuditEntry] {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        var times: [String] = []
        var timeArguments: [(any DatabaseValueConvertible)?] = []
        if let since = query.sinceText { times.append("time >= ?"); timeArguments.append(since) }
        if let until = query.untilText { times.append("time < ?"); timeArguments.append(until) }
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
        if let runID = query.runID {
            // A run's entries are one write: one batch, a range of seq.
            conditions.append("b.run_id = ?")
            arguments.append(runID)
            let batch = "FROM audit_batches WHERE run_id = ?"
            conditions.append("a.seq BETWEEN (SELECT min(first_seq) \(batch)) AND (SELECT max(last_seq) \(batch))")
            arguments += [runID, runID]
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
        if let before = query.before { conditions.append("a.seq < ?"); arguments.append(before) }
        if let after = query.after { conditions.append("a.seq > ?"); arguments.append(after) }
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
        if let limit = query.limit, query.after != nil {
            sql += " ORDER BY a.seq LIMIT ?"
            arguments.append(limit)
        } else if let limit = query.limit {
            sql = "SELECT * FROM (\(sql) ORDER BY a.seq DESC LIMIT ?) ORDER BY seq"
            arguments.append(limit)
        } else {
            sql += " ORDER BY a.seq"
        }
        let statementArguments = StatementArguments(arguments)
        let query = sql
        return try await read { db in
            try Row.fetchAll(db, sql: query, arguments: statementArguments).map { row in
                Self.auditEntry(row, prevHash: (row[13] as Data?).map(AuditChain.hex) ?? AuditEntry.genesisHash)
            }
        }
    }

    public func auditEntries(after seq: Int64, limit: Int) async throws -> [AuditEntry] {
        try await read { db in
            // prevHash is left for the reader (`verifyAudit` chains them itself).
            try Row.fetchAll(
                db, sql: "SELECT \(Self.auditColumns) FROM \(Self.auditTables) WHERE a.seq > ? ORDER BY a.seq LIMIT ?",
                arguments: [seq, limit]
            ).map { Self.auditEntry($0, prevHash: "") }
        }
    }

    static func lastAudit(_ db: Database) throws -> AuditHead? {
        try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").map {
            AuditHead(seq: $0[0], hash: ($0[1] as Data?).map(AuditChain.hex) ?? "")
        }
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
            commit: row[10], runID: row[11], prevHash: prevHash, hash: (row[12] as Data?).map(AuditChain.hex) ?? "")
    }
}
