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
            try Self.auditEntries(BulkStatement(db, sql: query, arguments: statementArguments), prevHashColumn: 13)
        }
    }

    public func auditEntries(after seq: Int64, limit: Int) async throws -> [AuditEntry] {
        try await read { db in try Self.auditEntries(db, after: seq, limit: limit) }
    }

    /// Up to `limit` entries after `seq`, in order; prevHash is left for the reader
    /// (`verifyAudit` chains them itself, a copy writes none).
    static func auditEntries(_ db: Database, after seq: Int64, limit: Int) throws -> [AuditEntry] {
        try auditEntries(
            BulkStatement(
                db, sql: "SELECT \(auditColumns) FROM \(auditTables) WHERE a.seq > ? ORDER BY a.seq LIMIT ?",
                arguments: [seq, limit]),
            prevHashColumn: nil)
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

    /// The entries in the rows of `auditColumns` that `statement` returns, with the
    /// predecessor's hash from column `prevHashColumn` (genesis for NULL; "" without one).
    /// Read from SQLite's buffers (GRDB's rows, copied and decoded value by value, were
    /// most of listing the log), the strings the entries of one write share made once.
    /// Tolerates NULLs where a tampered store may hold them: verifying then reports the
    /// entry instead of crashing.
    static func auditEntries(_ statement: BulkStatement, prevHashColumn: Int32?) throws -> [AuditEntry] {
        var entries: [AuditEntry] = []
        try statement.forEachRow { row in
            let previous = entries.last
            entries.append(
                AuditEntry(
                    seq: row.int64(0), time: row.text(1, reusing: previous?.time) ?? "",
                    actor: row.text(2, reusing: previous?.actor) ?? "", onBehalfOf: row.text(3, reusing: previous?.onBehalfOf),
                    action: row.text(4, reusing: previous?.action) ?? "",
                    resourceType: row.text(5, reusing: previous?.resourceType) ?? "",
                    resourceID: row.text(6, reusing: nil) ?? "", team: row.text(7, reusing: previous?.team),
                    before: row.text(8, reusing: previous?.before), after: row.text(9, reusing: previous?.after),
                    commit: row.text(10, reusing: previous?.commit), runID: row.text(11, reusing: previous?.runID),
                    prevHash: prevHashColumn.map { row.hex($0) ?? AuditEntry.genesisHash } ?? "", hash: row.hex(12) ?? ""))
        }
        return entries
    }
}
