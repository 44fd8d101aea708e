public import Foundation
import Logging
import PostgresNIO
public import RosterCore
public import RosterStore

extension PostgresStore {
    public func planBasis(at now: Date, reading: PlanBasis.Reading) async throws -> PlanBasis {
        let logger = logger
        let now = Timestamp.string(now)
        return try await withConnection { connection in
            try await connection.withTransaction(logger: logger) { connection in
                try await Self.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", on: connection, logger)
                var meta: [String: String] = [:]
                for try await (key, value) in try await connection.query("SELECT key, value FROM plan_cache", logger: logger)
                    .decode((String, String).self)
                {
                    meta[key] = value
                }
                var changed = Set<String>()
                for try await team in try await connection.query("SELECT team FROM plan_marks", logger: logger).decode(String.self) {
                    changed.insert(team)
                }
                // Both from the index of expiring invitations (the times are fixed-width UTC text).
                var expired = Set<String>()
                for try await team in try await connection.query(
                    "SELECT DISTINCT team FROM invitations WHERE status = 'pending' AND expires_at IS NOT NULL AND expires_at <= \(now)",
                    logger: logger
                ).decode(String.self) {
                    expired.insert(team)
                }
                var cache: PlanCache?
                if let stamp = meta["stamp"], let config = meta["config"] {
                    let shape = PlanCacheMeta(meta, reading: reading, asked: changed.union(expired))
                    var files: [PlanCache.File] = []
                    var readable = true
                    // Every file, or (partial) those whose teams hold one of the patterns.
                    let query: PostgresQuery = shape.partial
                        ? """
                        SELECT path, content, size, teams FROM plan_cache_files
                        WHERE EXISTS (SELECT 1 FROM unnest(\(shape.patterns)::text[]) AS p WHERE strpos(' ' || teams, p) > 0)
                        ORDER BY path
                        """
                        : "SELECT path, content, size, teams FROM plan_cache_files ORDER BY path"
                    for try await (path, content, size, text) in try await connection.query(query, logger: logger)
                        .decode((String, String, Int64, String).self)
                    {
                        guard let teams = PlanCache.File.teams(fromText: text) else {
                            readable = false
                            continue
                        }
                        files.append(PlanCache.File(path: path, content: content, size: Int(size), teams: teams))
                    }
                    if readable { cache = shape.cache(stamp: stamp, config: config, files: files) }
                }
                let next = try await Self.first(
                    String?.self,
                    "SELECT min(expires_at) FROM invitations WHERE status = 'pending' AND expires_at IS NOT NULL AND expires_at > \(now)",
                    on: connection, logger)
                var teams: [String] = []
                if cache?.partial != true {
                    for try await slug in try await connection.query("SELECT slug FROM teams ORDER BY slug", logger: logger)
                        .decode(String.self)
                    {
                        teams.append(slug)
                    }
                }
                return PlanBasis(
                    cache: cache, changed: changed, expired: expired,
                    nextInvitationExpiry: next.flatMap { $0 }.flatMap(Timestamp.date), teams: teams, version: try await Self.stateVersion(connection, logger))
            }
        }
    }

    public func currentState(teams slugs: Set<String>) async throws -> CurrentState {
        let logger = logger
        let wanted = slugs.sorted()
        return try await withConnection { connection in
            try await connection.withTransaction(logger: logger) { connection in
                try await Self.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", on: connection, logger)
                var state = CurrentState(version: try await Self.stateVersion(connection, logger))
                guard !wanted.isEmpty else { return state }
                for try await (team, cents) in try await connection.query(
                    "SELECT team, cents FROM ceilings WHERE team = ANY(\(wanted))", logger: logger
                ).decode((String, Int64).self) {
                    state.ceilings[team] = SpendLimit(cents: cents)
                }
                for try await (slug, displayName, owner, cents) in try await connection.query(
                    "SELECT slug, display_name, owner, spend_limit_cents FROM teams WHERE slug = ANY(\(wanted))", logger: logger
                ).decode((String, String, String, Int64).self) {
                    state.teams[slug] = TeamState(
                        slug: slug, displayName: displayName, owner: Email(normalized: owner),
                        spendLimit: SpendLimit(cents: cents), ceiling: state.ceiling(of: slug))
                }
                for try await (team, email, name) in try await connection.query(
                    "SELECT team, email, role FROM memberships WHERE team = ANY(\(wanted))", logger: logger
                ).decode((String, String, String).self) {
                    if let role = Role(rawValue: name) { state.teams[team]?.members[Email(normalized: email)] = role }
                }
                for try await (team, email, name, expires) in try await connection.query(
                    "SELECT team, email, role, expires_at FROM invitations WHERE status = 'pending' AND team = ANY(\(wanted))",
                    logger: logger
                ).decode((String, String, String, String?).self) {
                    let invitee = Email(normalized: email)
                    if let role = Role(rawValue: name) { state.teams[team]?.invitations[invitee] = role }
                    if let date = expires.flatMap(Timestamp.date) { state.teams[team]?.invitationExpiries[invitee] = date }
                }
                return state
            }
        }
    }
}

extension PostgresTransaction {
    public func suspendChangeMarks() async throws {
        for (table, _) in PostgresStore.changeMarkTables {
            try await run(PostgresQuery(unsafeSQL: "ALTER TABLE \(table) DISABLE TRIGGER \(table)_mark"))
        }
    }

    public func resumeChangeMarks() async throws {
        // Rows still held back would be written after the triggers are on again.
        try await flush()
        for (table, _) in PostgresStore.changeMarkTables {
            try await run(PostgresQuery(unsafeSQL: "ALTER TABLE \(table) ENABLE TRIGGER \(table)_mark"))
        }
    }

    public func markChanged(_ teams: Set<String>) async throws {
        guard !teams.isEmpty else { return }
        try await run("INSERT INTO plan_marks (team) SELECT unnest(\(teams.sorted())::text[]) ON CONFLICT DO NOTHING")
    }

    public func updatePlanCache(_ update: PlanCacheUpdate) async throws {
        let generation = try await PostgresStore.first(
            String.self, "SELECT value FROM plan_cache WHERE key = 'generation'", on: connection, logger)
        if !update.replaceAll && generation != update.basedOn {
            // Another apply rewrote the cache since this plan read it: forget it all.
            for table in ["plan_cache_files", "plan_cache", "plan_marks"] {
                try await run(PostgresQuery(unsafeSQL: "DELETE FROM \(table)"))
            }
            return
        }
        if update.replaceAll { try await run("DELETE FROM plan_cache_files") }
        if !update.removals.isEmpty {
            try await run("DELETE FROM plan_cache_files WHERE path = ANY(\(update.removals))")
        }
        if !update.upserts.isEmpty {
            let files = update.upserts
            try await run(
                """
                INSERT INTO plan_cache_files (path, content, size, teams)
                SELECT * FROM unnest(\(files.map(\.path))::text[], \(files.map(\.content))::text[],
                    \(files.map { Int64($0.size) })::bigint[], \(files.map(\.teamsText))::text[])
                ON CONFLICT (path) DO UPDATE SET content = excluded.content, size = excluded.size, teams = excluded.teams
                """)
        }
        try await run("DELETE FROM plan_cache")
        var totals = (files: Int64(0), bytes: Int64(0))
        for try await row in try await connection.query(
            "SELECT count(*), coalesce(sum(size), 0)::bigint FROM plan_cache_files", logger: logger
        ).decode((Int64, Int64).self) {
            totals = row
        }
        let rows = PlanCacheMeta.rows(update, files: Int(totals.files), bytes: Int(totals.bytes))
        try await run(
            "INSERT INTO plan_cache (key, value) SELECT * FROM unnest(\(rows.map(\.key))::text[], \(rows.map(\.value))::text[])")
        try await run("DELETE FROM plan_marks")
        try await markChanged(update.unsettled)
    }
}
