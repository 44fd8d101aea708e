import Logging
import PostgresNIO
public import RosterCore
public import RosterStore

extension PostgresStore {
    public func currentState() async throws -> CurrentState {
        let logger = logger
        return try await withConnection { connection in
            // One snapshot for every table read below.
            try await connection.withTransaction(logger: logger) { connection in
                try await Self.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", on: connection, logger)
                var teams: [String: TeamState] = [:]
                for try await (slug, displayName, owner, cents) in try await connection.query(
                    "SELECT slug, display_name, owner, spend_limit_cents FROM teams", logger: logger
                ).decode((String, String, String, Int64).self) {
                    teams[slug] = TeamState(
                        slug: slug, displayName: displayName, owner: Email(normalized: owner),
                        spendLimit: SpendLimit(cents: cents))
                }
                var ceilings: [String: SpendLimit] = [:]
                for try await (team, cents) in try await connection.query(
                    "SELECT team, cents FROM ceilings", logger: logger
                ).decode((String, Int64).self) {
                    ceilings[team] = SpendLimit(cents: cents)
                    teams[team]?.ceiling = SpendLimit(cents: cents)
                }
                var digests: [String: RolesDigest] = [:]
                try await Self.readRolesByTeam(
                    "SELECT team, array_agg(email), array_agg(role) FROM memberships GROUP BY team", connection, logger
                ) { team, roles, digest in
                    teams[team]?.members = roles
                    digests[team] = digest
                }
                try await Self.readRolesByTeam(
                    "SELECT team, array_agg(email), array_agg(role) FROM invitations WHERE status = 'pending' GROUP BY team",
                    connection, logger
                ) { team, roles, digest in
                    teams[team]?.invitations = roles
                    digests[team] = digests[team].map { $0 + digest } ?? digest
                }
                for (slug, digest) in digests { teams[slug]?.rolesDigest = digest }
                for try await (team, email, expires) in try await connection.query(
                    "SELECT team, email, expires_at FROM invitations WHERE status = 'pending' AND expires_at IS NOT NULL",
                    logger: logger
                ).decode((String, String, String).self) {
                    guard let date = Timestamp.date(expires) else { continue }
                    teams[team]?.invitationExpiries[Email(normalized: email)] = date
                }
                let version = try await Self.stateVersion(connection, logger)
                return CurrentState(version: version, teams: teams, ceilings: ceilings)
            }
        }
    }

    /// Reads `(team, emails, roles)` rows, one a team: a million memberships arrive as ten
    /// thousand rows of arrays, which costs a fraction of a row each. Each team's digest
    /// (`RolesDigest`) is made on the way; an address is in a team once (the primary key).
    ///
    /// The arrays are read from their bytes (`TextArray`): PostgresNIO decodes an array
    /// generically, a buffer slice and a `String` for each element through unspecialised
    /// code, which was 8% of a cold plan's CPU on the reference corpus, roles included.
    private static func readRolesByTeam(
        _ query: PostgresQuery, _ connection: PostgresConnection, _ logger: Logger,
        _ store: (String, [Email: Role], RolesDigest) -> Void
    ) async throws {
        for try await (team, emails, roleNames) in try await connection.query(query, logger: logger)
            .decode((String, ByteBuffer, ByteBuffer).self)
        {
            var roleList: [Role?] = []
            try TextArray.forEach(in: roleNames) { roleList.append(Role.named(utf8: $0)) }
            var roles = [Email: Role](minimumCapacity: roleList.count)
            var digest = RolesDigest()
            var index = 0
            try TextArray.forEach(in: emails) { bytes in
                defer { index += 1 }
                guard index < roleList.count, let role = roleList[index] else { return }
                let email = Email(normalized: String(decoding: bytes, as: UTF8.self))
                roles[email] = role
                digest.add(email, role)
            }
            guard index == roleList.count else {
                throw StoreError(.io, "the store sent \(index) addresses and \(roleList.count) roles for team \(team)")
            }
            store(team, roles, digest)
        }
    }

    static func stateVersion(_ connection: PostgresConnection, _ logger: Logger) async throws -> Int64 {
        try await first(Int64.self, "SELECT value FROM meta WHERE key = 'state_version'", on: connection, logger) ?? 0
    }

    public func stateVersion() async throws -> Int64 {
        let logger = logger
        return try await withConnection { connection in try await Self.stateVersion(connection, logger) }
    }

    public func holdsTeams() async throws -> Bool {
        let logger = logger
        return try await withConnection { connection in
            try await Self.first(Bool.self, "SELECT EXISTS (SELECT 1 FROM teams)", on: connection, logger) ?? false
        }
    }

    public func teamSummaries(_ slugs: [String]?) async throws -> [TeamSummary] {
        let logger = logger
        return try await withConnection { connection in
            let query: PostgresQuery =
                if let slugs {
                    """
                    SELECT t.slug, t.display_name, t.owner, t.spend_limit_cents,
                        (SELECT count(*) FROM memberships m WHERE m.team = t.slug),
                        (SELECT count(*) FROM invitations i WHERE i.team = t.slug AND i.status = 'pending'),
                        (SELECT c.cents FROM ceilings c WHERE c.team = t.slug)
                    FROM teams t WHERE t.slug = ANY(\(slugs)) ORDER BY t.slug
                    """
                } else {
                    """
                    SELECT t.slug, t.display_name, t.owner, t.spend_limit_cents,
                        (SELECT count(*) FROM memberships m WHERE m.team = t.slug),
                        (SELECT count(*) FROM invitations i WHERE i.team = t.slug AND i.status = 'pending'),
                        (SELECT c.cents FROM ceilings c WHERE c.team = t.slug)
                    FROM teams t ORDER BY t.slug
                    """
                }
            var summaries: [TeamSummary] = []
            for try await (slug, name, owner, cents, members, pending, ceiling) in try await connection.query(query, logger: logger)
                .decode((String, String, String, Int64, Int64, Int64, Int64?).self)
            {
                summaries.append(
                    TeamSummary(
                        slug: slug, displayName: name, owner: owner, spendLimit: SpendLimit(cents: cents).description,
                        members: Int(members), pendingInvitations: Int(pending),
                        ceiling: (ceiling.map(SpendLimit.init(cents:)) ?? .default).description))
            }
            return summaries
        }
    }

    public func members(team: String) async throws -> [Email: Role]? {
        let logger = logger
        return try await withConnection { connection in
            guard try await Self.count("SELECT 1 FROM teams WHERE slug = \(team)", on: connection, logger) == 1 else {
                return nil
            }
            var members: [Email: Role] = [:]
            for try await (email, role) in try await connection.query(
                "SELECT email, role FROM memberships WHERE team = \(team)", logger: logger
            ).decode((String, String).self) {
                if let role = Role(rawValue: role) { members[Email(normalized: email)] = role }
            }
            return members
        }
    }

    public func roles(of email: Email) async throws -> [String: Role] {
        let logger = logger
        return try await withConnection { connection in
            var roles: [String: Role] = [:]
            for try await (team, role) in try await connection.query(
                "SELECT team, role FROM memberships WHERE email = \(email.value)", logger: logger
            ).decode((String, String).self) {
                if let role = Role(rawValue: role) { roles[team] = role }
            }
            return roles
        }
    }
}

/// A one-dimensional `text[]` in PostgreSQL's binary format, read where it lies: the number
/// of dimensions, a has-nulls flag and the element type (three 4-byte integers), then for
/// each dimension its length and lower bound, then each element as a 4-byte length and its
/// bytes (-1 for NULL). Written here because PostgresNIO's generic array decoding made a
/// string of every element through unspecialised code (`readRolesByTeam`).
enum TextArray {
    /// Calls `body` with each element's UTF-8 bytes; NULL elements are skipped.
    static func forEach(in buffer: ByteBuffer, _ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        try buffer.withUnsafeReadableBytes { try forEach(in: $0, body) }
    }

    /// `forEach(in:_:)` of the array's bytes.
    static func forEach(in raw: UnsafeRawBufferPointer, _ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        var offset = 0
        func integer() throws -> Int32 {
            guard offset + 4 <= raw.count else { throw malformed }
            let value = raw.loadUnaligned(fromByteOffset: offset, as: Int32.self).bigEndian
            offset += 4
            return value
        }
        let dimensions = try integer()
        _ = try integer()  // has nulls
        _ = try integer()  // element type
        guard dimensions == 0 || dimensions == 1 else { throw malformed }
        guard dimensions == 1 else { return }
        let count = try integer()
        _ = try integer()  // lower bound
        guard count >= 0 else { throw malformed }
        for _ in 0..<count {
            let length = try integer()
            if length < 0 { continue }
            guard offset + Int(length) <= raw.count else { throw malformed }
            try body(UnsafeBufferPointer(rebasing: raw.assumingMemoryBound(to: UInt8.self)[offset..<offset + Int(length)]))
            offset += Int(length)
        }
    }

    private static var malformed: StoreError { StoreError(.io, "the store sent a malformed text array") }
}
