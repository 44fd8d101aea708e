import GRDB
public import RosterCore
public import RosterStore

extension SQLiteStore {
    public func currentState() async throws -> CurrentState {
        try await read { db in
            var teams: [String: TeamState] = [:]
            let teamRows = try Row.fetchCursor(
                db, sql: "SELECT slug, display_name, owner, spend_limit_cents FROM teams")
            while let row = try teamRows.next() {
                let slug: String = row[0]
                teams[slug] = TeamState(
                    slug: slug, displayName: row[1], owner: Email(normalized: row[2]), spendLimit: SpendLimit(cents: row[3]))
            }
            var ceilings: [String: SpendLimit] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT team, cents FROM ceilings") {
                let slug: String = row[0]
                ceilings[slug] = SpendLimit(cents: row[1])
                teams[slug]?.ceiling = SpendLimit(cents: row[1])
            }
            // A million rows on a large organisation: read in team order straight from SQLite's
            // buffers, filling one team's dictionary at a time.
            var digests: [String: RolesDigest] = [:]
            try Self.readRolesByTeam(
                db, sql: "SELECT team, email, role FROM memberships ORDER BY team"
            ) { team, roles, digest in
                teams[team]?.members = roles
                digests[team] = digest
            }
            try Self.readRolesByTeam(db, sql: Self.pendingInvitationsSQL(db)) { team, roles, digest in
                // A team's invitations may come in more than one run of rows (`pendingInvitationsSQL`).
                if teams[team]?.invitations.isEmpty == false {
                    teams[team]?.invitations.merge(roles) { first, _ in first }
                } else {
                    teams[team]?.invitations = roles
                }
                digests[team] = digests[team].map { $0 + digest } ?? digest
            }
            for (slug, digest) in digests { teams[slug]?.rolesDigest = digest }
            let expiring = try Row.fetchCursor(
                db, sql: "SELECT team, email, expires_at FROM invitations WHERE status = 'pending' AND expires_at IS NOT NULL")
            while let row = try expiring.next() {
                let team: String = row[0]
                guard let expires = Timestamp.date(row[2]) else { continue }
                teams[team]?.invitationExpiries[Email(normalized: row[1])] = expires
            }
            return CurrentState(version: try Self.stateVersion(db), teams: teams, ceilings: ceilings)
        }
    }

    public func stateVersion() async throws -> Int64 {
        try await read { db in try Self.stateVersion(db) }
    }

    public func holdsTeams() async throws -> Bool {
        try await read { db in try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM teams)") ?? false }
    }

    public func teamSummaries(_ slugs: [String]?) async throws -> [TeamSummary] {
        try await read { db in
            guard let slugs else { return try Self.summaries(db, where: "1", []) }
            // One indexed lookup per team asked for.
            return try slugs.sorted().flatMap { try Self.summaries(db, where: "t.slug = ?", [$0]) }
        }
    }

    private static func summaries(_ db: Database, where condition: String, _ arguments: StatementArguments) throws
        -> [TeamSummary]
    {
        try Row.fetchAll(
            db,
            sql: """
                SELECT t.slug, t.display_name, t.owner, t.spend_limit_cents,
                    (SELECT count(*) FROM memberships m WHERE m.team = t.slug),
                    (SELECT count(*) FROM invitations i WHERE i.team = t.slug AND i.status = 'pending'),
                    (SELECT c.cents FROM ceilings c WHERE c.team = t.slug)
                FROM teams t WHERE \(condition) ORDER BY t.slug
                """, arguments: arguments
        ).map { row in
            TeamSummary(
                slug: row[0], displayName: row[1], owner: row[2], spendLimit: SpendLimit(cents: row[3]).description,
                members: row[4], pendingInvitations: row[5],
                ceiling: ((row[6] as Int64?).map(SpendLimit.init(cents:)) ?? .default).description)
        }
    }

    public func members(team: String) async throws -> [Email: Role]? {
        try await read { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM teams WHERE slug = ?", arguments: [team]) != nil else {
                return nil
            }
            var members: [Email: Role] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT email, role FROM memberships WHERE team = ?", arguments: [team]) {
                if let role = Role(rawValue: row[1]) { members[Email(normalized: row[0])] = role }
            }
            return members
        }
    }

    public func roles(of email: Email) async throws -> [String: Role] {
        try await read { db in
            var roles: [String: Role] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT team, role FROM memberships WHERE email = ?", arguments: [email.value]) {
                if let role = Role(rawValue: row[1]) { roles[row[0]] = role }
            }
            return roles
        }
    }

    /// The query for every pending invitation's `(team, email, role)`, in the cheaper order.
    ///
    /// In team order, SQLite walks the pending index and looks each row up in the table for its
    /// role, which costs twice what reading the table in its own order does. That order is
    /// cheaper while pending invitations are at least half the rows (after a large first apply,
    /// a million of them); in a long-lived store, where accepted and revoked invitations are
    /// most of the table, the index reads only the pending ones. Counting them is an index-only
    /// walk of the pending ones; the largest id bounds the rows.
    static func pendingInvitationsSQL(_ db: Database) throws -> String {
        let pending = try Int.fetchOne(db, sql: "SELECT count(*) FROM invitations WHERE status = 'pending'") ?? 0
        let rows = try Int.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM invitations") ?? 0
        return pending * 2 >= rows
            ? "SELECT team, email, role FROM invitations NOT INDEXED WHERE status = 'pending'"
            : "SELECT team, email, role FROM invitations WHERE status = 'pending' ORDER BY team"
    }

    /// Reads `(team, email, role)` rows and hands over each run of one team's roles: each
    /// team's once when the rows are in team order, in more than one run otherwise.
    ///
    /// Each row's address is a string of its own. Sharing one string per person (five teams
    /// each, on the reference corpus) saves 60 MB there, but costs a cold plan a fifth more
    /// time: the lookups that share them, and the plan's comparisons with strings scattered
    /// across memory instead of a team's lying together (docs/performance.md).
    ///
    /// Each team's digest (`RolesDigest`) is made on the way, while its rows are at hand.
    static func readRolesByTeam(
        _ db: Database, sql: String, _ store: (String, [Email: Role], RolesDigest) -> Void
    ) throws {
        var team = ""
        var roles: [Email: Role] = [:]
        var digest = RolesDigest()
        try BulkStatement(db, sql: sql).forEachRow { row in
            if !row.text(0, equals: team) {
                if !roles.isEmpty { store(team, roles, digest) }
                team = row.text(0)
                roles = Dictionary(minimumCapacity: roles.count)
                digest = RolesDigest()
            }
            guard let role = row.role(2) else { return }
            // One row per address and team (the primary key), so each is added once.
            let email = Email(normalized: row.text(1))
            roles[email] = role
            digest.add(email, role)
        }
        if !roles.isEmpty { store(team, roles, digest) }
    }
}
