import Foundation
import Logging
import NIOCore
import PostgresNIO
public import RosterCore
public import RosterStore

extension PostgresStore {
    public func auditEntries(matching query: AuditQuery) async throws -> [AuditEntry] {
        var sql = "SELECT \(Self.auditColumns), coalesce((SELECT p.hash FROM audit p WHERE p.seq = a.seq - 1), '') FROM audit a"
        var bindings = PostgresBindings()
        var conditions: [String] = []
        func parameter(_ value: String) -> String {
            bindings.append(value)
            return "$\(bindings.count)"
        }
        if let since = query.sinceText { conditions.append("a.time >= \(parameter(since))") }
        if let until = query.untilText { conditions.append("a.time < \(parameter(until))") }
        if let runID = query.runID { conditions.append("a.run_id = \(parameter(runID))") }
        if let user = query.user {
            let value = parameter(user.lowercased())
            conditions.append("(lower(a.actor) = \(value) OR lower(a.on_behalf_of) = \(value))")
        }
        if let type = query.resourceType { conditions.append("a.resource_type = \(parameter(type))") }
        if let id = query.resourceID { conditions.append("a.resource_id = \(parameter(id))") }
        if let action = query.action { conditions.append("a.action = \(parameter(action))") }
        if let team = query.team { conditions.append("a.team = \(parameter(team))") }
        if let before = query.before {
            bindings.append(before)
            conditions.append("a.seq < $\(bindings.count)")
        }
        if let after = query.after {
            bindings.append(after)
            conditions.append("a.seq > $\(bindings.count)")
        }
        if let teams = query.teams {
            bindings.append(teams)
            conditions.append("a.team = ANY($\(bindings.count))")
        }
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        if let limit = query.limit, query.after != nil {
            bindings.append(Int64(limit))
            sql += " ORDER BY a.seq LIMIT $\(bindings.count)"
        } else if let limit = query.limit {
            bindings.append(Int64(limit))
            sql = "SELECT * FROM (\(sql) ORDER BY a.seq DESC LIMIT $\(bindings.count)) newest ORDER BY seq"
        } else {
            sql += " ORDER BY a.seq"
        }
        let statement = PostgresQuery(unsafeSQL: sql, binds: bindings)
        let logger = logger
        return try await withConnection { connection in
            var entries: [AuditEntry] = []
            for try await row in try await connection.query(statement, logger: logger) {
                let (entry, previous) = try Self.auditEntry(row)
                var withPrevious = entry
                withPrevious.prevHash = previous.readableBytes == 32 ? Self.hex(previous) : AuditEntry.genesisHash
                entries.append(withPrevious)
            }
            return entries
        }
    }

    public func auditEntries(after seq: Int64, limit: Int) async throws -> [AuditEntry] {
        let logger = logger
        return try await withConnection { connection in
            var entries: [AuditEntry] = []
            for try await row in try await connection.query(
                "SELECT \(unescaped: Self.auditColumns), ''::bytea FROM audit a WHERE a.seq > \(seq) ORDER BY a.seq LIMIT \(Int64(limit))",
                logger: logger)
            {
                entries.append(try Self.auditEntry(row).entry)
            }
            return entries
        }
    }

    static let auditColumns = """
        a.seq, a.time, a.actor, a.on_behalf_of, a.action, a.resource_type, a.resource_id, a.team, a.before, a.after,
        a.commit_id, a.run_id, a.hash
        """

    /// The entry in a row of `auditColumns` and the predecessor's hash after them.
    private static func auditEntry(_ row: PostgresRow) throws -> (entry: AuditEntry, previous: ByteBuffer) {
        let (seq, time, actor, onBehalfOf, action, resourceType, resourceID, team, before, after, commit, runID, hash, previous) =
            try row.decode(
                (Int64, String, String, String?, String, String, String, String?, String?, String?, String?, String?,
                    ByteBuffer, ByteBuffer).self)
        return (
            AuditEntry(
                seq: seq, time: time, actor: actor, onBehalfOf: onBehalfOf, action: action, resourceType: resourceType,
                resourceID: resourceID, team: team, before: before, after: after, commit: commit, runID: runID,
                prevHash: "", hash: hex(hash)),
            previous
        )
    }

    static func hex(_ buffer: ByteBuffer) -> String {
        buffer.withUnsafeReadableBytes { AuditChain.hex($0) }
    }
}
