public import Foundation
import GRDB
public import RosterCore
public import RosterStore

extension SQLiteStore {
    public func planBasis(at now: Date, reading: PlanBasis.Reading) async throws -> PlanBasis {
        let now = Timestamp.string(now)
        return try await read { db in
            var meta: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT key, value FROM plan_cache") { meta[row[0]] = row[1] }
            let changed = Set(try String.fetchAll(db, sql: "SELECT team FROM plan_marks"))
            // Both from the index of expiring invitations (the times are fixed-width UTC text).
            let expired = Set(
                try String.fetchAll(
                    db,
                    sql: "SELECT DISTINCT team FROM invitations WHERE status = 'pending' AND expires_at IS NOT NULL AND expires_at <= ?",
                    arguments: [now]))
            let next = try String.fetchOne(
                db, sql: "SELECT min(expires_at) FROM invitations WHERE status = 'pending' AND expires_at IS NOT NULL AND expires_at > ?",
                arguments: [now])
            var cache: PlanCache?
            if let stamp = meta["stamp"], let config = meta["config"] {
                let shape = PlanCacheMeta(meta, reading: reading, asked: changed.union(expired))
                // A row per manifest file read (every one, or those of the teams asked for):
                // straight from SQLite's buffers.
                var files: [PlanCache.File] = []
                var readable = true
                let statement = try BulkStatement(db, sql: "SELECT path, content, size, teams FROM plan_cache_files" + shape.filter)
                for (index, pattern) in shape.patterns.enumerated() { statement.bind(Int32(index + 1), pattern) }
                try statement.forEachRow { row in
                    guard readable, let teams = PlanCache.File.teams(fromText: row.text(3)) else {
                        readable = false
                        return
                    }
                    files.append(PlanCache.File(path: row.text(0), content: row.text(1), size: row.integer(2), teams: teams))
                }
                if readable { cache = shape.cache(stamp: stamp, config: config, files: files) }
            }
            return PlanBasis(
                cache: cache, changed: changed, expired: expired, nextInvitationExpiry: next.flatMap(Timestamp.date),
                teams: cache?.partial == true ? [] : try Self.texts(db, sql: "SELECT slug FROM teams ORDER BY slug"),
                version: try Self.stateVersion(db))
        }
    }

    /// The first column of every row of `sql`, as text.
    static func texts(_ db: Database, sql: String) throws -> [String] {
        var texts: [String] = []
        try BulkStatement(db, sql: sql).forEachRow { texts.append($0.text(0)) }
        return texts
    }

    public func currentState(teams slugs: Set<String>) async throws -> CurrentState {
        try await read { db in
            let team = try db.cachedStatement(sql: "SELECT display_name, owner, spend_limit_cents FROM teams WHERE slug = ?")
            let ceiling = try db.cachedStatement(sql: "SELECT cents FROM ceilings WHERE team = ?")
            let members = try db.cachedStatement(sql: "SELECT email, role FROM memberships WHERE team = ?")
            let invitations = try db.cachedStatement(
                sql: "SELECT email, role FROM invitations WHERE team = ? AND status = 'pending'")
            let expiries = try db.cachedStatement(
                sql: "SELECT email, expires_at FROM invitations WHERE team = ? AND status = 'pending' AND expires_at IS NOT NULL")
            func roles(_ statement: Statement, _ slug: String) throws -> [Email: Role] {
                var roles: [Email: Role] = [:]
                for row in try Row.fetchAll(statement, arguments: [slug]) {
                    if let role = Role(rawValue: row[1]) { roles[Email(normalized: row[0])] = role }
                }
                return roles
            }
            var state = CurrentState(version: try Self.stateVersion(db))
            for slug in slugs.sorted() {
                if let cents = try Int64.fetchOne(ceiling, arguments: [slug]) { state.ceilings[slug] = SpendLimit(cents: cents) }
                guard let row = try Row.fetchOne(team, arguments: [slug]) else { continue }
                state.teams[slug] = TeamState(
                    slug: slug, displayName: row[0], owner: Email(normalized: row[1]), spendLimit: SpendLimit(cents: row[2]),
                    ceiling: state.ceiling(of: slug), members: try roles(members, slug),
                    invitations: try roles(invitations, slug))
                for row in try Row.fetchAll(expiries, arguments: [slug]) {
                    if let date = Timestamp.date(row[1]) { state.teams[slug]?.invitationExpiries[Email(normalized: row[0])] = date }
                }
            }
            return state
        }
    }
}

extension SQLiteTransaction {
    public func suspendChangeMarks() async throws {
        try await store.writerTurn { db in
            for trigger in SQLiteStore.changeMarkTriggers { try db.execute(sql: "DROP TRIGGER IF EXISTS \(trigger.name)") }
        }
    }

    public func resumeChangeMarks() async throws {
        try await store.writerTurn { db in
            // Invitations still buffered would be inserted after the triggers are back.
            try self.flushChanges()
            for trigger in SQLiteStore.changeMarkTriggers { try db.execute(sql: trigger.sql) }
        }
    }

    public func markChanged(_ teams: Set<String>) async throws {
        try await store.writerTurn { db in
            let mark = try db.cachedStatement(sql: "INSERT OR IGNORE INTO plan_marks (team) VALUES (?)")
            for team in teams { try mark.execute(arguments: [team]) }
        }
    }

    public func updatePlanCache(_ update: PlanCacheUpdate) async throws {
        try await store.writerTurn { db in
            let generation = try String.fetchOne(db, sql: "SELECT value FROM plan_cache WHERE key = 'generation'")
            if !update.replaceAll && generation != update.basedOn {
                // Another apply rewrote the cache since this plan read it: forget it all.
                try db.execute(sql: "DELETE FROM plan_cache_files; DELETE FROM plan_cache; DELETE FROM plan_marks")
                return
            }
            if update.replaceAll { try db.execute(sql: "DELETE FROM plan_cache_files") }
            let remove = try db.cachedStatement(sql: "DELETE FROM plan_cache_files WHERE path = ?")
            for path in update.removals { try remove.execute(arguments: [path]) }
            let write = try db.cachedStatement(
                sql: "INSERT OR REPLACE INTO plan_cache_files (path, content, size, teams) VALUES (?, ?, ?, ?)")
            for file in update.upserts { try write.execute(arguments: [file.path, file.content, file.size, file.teamsText]) }
            try db.execute(sql: "DELETE FROM plan_cache")
            let meta = try db.cachedStatement(sql: "INSERT INTO plan_cache (key, value) VALUES (?, ?)")
            let totals = try Row.fetchOne(db, sql: "SELECT count(*), coalesce(sum(size), 0) FROM plan_cache_files")
            for (key, value) in PlanCacheMeta.rows(update, files: totals?[0] ?? 0, bytes: totals?[1] ?? 0) {
                try meta.execute(arguments: [key, value])
            }
            try db.execute(sql: "DELETE FROM plan_marks")
        }
        try await markChanged(update.unsettled)
    }
}

extension PlanCacheMeta {
    /// The condition and order of the files a basis reads, in SQLite: every file, or those whose
    /// teams hold one of `patterns` (bound as ?1, ?2, …).
    fileprivate var filter: String {
        guard partial else { return " ORDER BY path" }
        guard !patterns.isEmpty else { return " WHERE 0" }
        return " WHERE " + patterns.indices.map { "instr(' ' || teams, ?\($0 + 1)) > 0" }.joined(separator: " OR ")
            + " ORDER BY path"
    }
}
