// The store fixtures the store, SQLite and PostgreSQL test targets share.
public import Foundation
public import RosterTestSupport
public import RosterCore
public import Testing
public import RosterSQLite
import RosterPostgres
public import RosterStore

/// 2026-11-18T11:06:40.500Z: exactly representable, so audit times are known to the millisecond.
public let fixedDate = Date(timeIntervalSince1970: 1_795_000_000.5)
public let fixedTime = "2026-11-18T11:06:40.500Z"
public let fixedCommit = String(repeating: "a", count: 40)

/// Every contract test runs on both backends, named in the test's report.
extension StoreBackend: CustomTestStringConvertible {
    public var testDescription: String { rawValue }
}

/// A real store in a new temporary folder: a SQLite file, or a new database on the test
/// PostgreSQL server; the folder is removed and the store closed when the test's body ends.
public struct StoreFixture: Sendable {
    public let backend: StoreBackend
    public let folder: String
    /// The SQLite file (for PostgreSQL, where a SQLite file would be: the key file goes beside it).
    public let path: String
    /// The store's URL, as `--store` takes it.
    public let url: String
    public let store: any Store

    /// Runs `body` with a fresh store of `backend` in a fresh folder; removes the folder whatever happens.
    public static func with<T>(_ backend: StoreBackend = .sqlite, _ body: (StoreFixture) async throws -> T) async throws -> T {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("roster-store-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/roster.db"
        let url = backend == .sqlite ? "sqlite:" + path : try await TestPostgres.freshDatabaseURL()
        let fixture = StoreFixture(backend: backend, folder: folder, path: path, url: url, store: try await open(url))
        do {
            let result = try await body(fixture)
            await fixture.store.close()
            return result
        } catch {
            await fixture.store.close()
            throw error
        }
    }

    /// Opens the store at `url`.
    public static func open(_ url: String) async throws -> any Store {
        switch try StoreLocation(parsing: url) {
        case .sqlite(let path): return try SQLiteStore(path: path)
        case .postgres(let location): return try await PostgresStore(location)
        }
    }

    /// Another store instance on the same database (as another process would open it).
    public func reopen() async throws -> any Store { try await Self.open(url) }

    /// The SQLite store, for tests about SQLite itself.
    public var sqliteStore: SQLiteStore { store as! SQLiteStore }

    /// The plan from `teams` to the store's current state; throws if the planner reports errors.
    public func plan(_ teams: [TeamManifest], rules: PlanRules = PlanRules(), in store: (any Store)? = nil) async throws -> Plan {
        let result = try await planWithErrors(teams, rules: rules, in: store)
        guard result.errors.isEmpty else {
            throw FixtureError(description: "planner errors: " + result.errors.map(\.message).joined(separator: "; "))
        }
        return result.plan
    }

    public func planWithErrors(_ teams: [TeamManifest], rules: PlanRules = PlanRules(), in store: (any Store)? = nil) async throws
        -> (plan: Plan, errors: [Diagnostic])
    {
        let current = try await (store ?? self.store).currentState()
        return Planner.plan(
            desired: teams, current: current, rules: rules,
            source: Plan.Source(repository: "test", commit: fixedCommit))
    }

    /// Plans `teams` and applies the plan at `date`.
    @discardableResult
    public func converge(_ teams: [TeamManifest], rules: PlanRules = PlanRules(), at date: Date = fixedDate) async throws -> ApplyReport {
        try await store.apply(try await plan(teams, rules: rules), context: context(at: date))
    }

    /// Accepts the pending invitation of `email` in `team`.
    public func accept(_ email: String, in team: String, at date: Date = fixedDate) async throws {
        guard let invitation = try await store.pendingInvitation(team: team, email: Email(email)!) else {
            throw FixtureError(description: "no pending invitation for \(email) in \(team)")
        }
        try await store.acceptInvitation(id: invitation.id, email: Email(email)!, at: date)
    }

    /// Every audit entry, oldest first.
    public func audit(_ store: (any Store)? = nil) async throws -> [AuditEntry] {
        try await (store ?? self.store).auditEntries(matching: AuditQuery())
    }

    /// Runs SQL on the database file with the `sqlite3` command-line shell, as someone
    /// tampering with the file would; returns what the shell printed.
    @discardableResult
    public func sqlite(_ sql: String) throws -> CommandOutput {
        precondition(backend == .sqlite, "sqlite(_:) is for SQLite stores")
        let output = try runCommand(["sqlite3", "-bail", path, sql])
        guard output.status == 0 else { throw FixtureError(description: "sqlite3 failed: \(output.stderr)") }
        return output
    }

    /// Runs the SQL for this fixture's backend (with `sqlite3` or `psql`), for the few
    /// checks whose SQL differs; returns what was printed.
    @discardableResult
    public func sql(sqlite: String, postgres: String) throws -> CommandOutput {
        backend == .sqlite ? try self.sqlite(sqlite) : try psql(postgres)
    }

    /// Everything the database holds, as bytes to search: the SQLite files (database, -wal,
    /// -shm, lock), or every table of the PostgreSQL database as text.
    public func databaseBytes() throws -> [Data] {
        switch backend {
        case .sqlite:
            let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { !$0.hasSuffix(".key") }
            return try files.map { try Data(contentsOf: URL(fileURLWithPath: folder + "/" + $0)) }
        case .postgres:
            let tables = try psql("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").stdout
                .split(separator: "\n").map(String.init)
            return try tables.map { Data(try psql("SELECT t::text FROM \($0) t").stdout.utf8) }
        }
    }

    /// Runs SQL on the PostgreSQL database with `psql`, as an operator with the store's
    /// credentials would; returns what it printed (unaligned, tuples only).
    @discardableResult
    public func psql(_ sql: String) throws -> CommandOutput {
        precondition(backend == .postgres, "psql(_:) is for PostgreSQL stores")
        let output = try runCommand(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", url, "-c", sql])
        guard output.status == 0 else { throw FixtureError(description: "psql failed: \(output.stderr)") }
        return output
    }
}

/// Everything the store holds that an apply may change, to compare before and after a refusal.
public struct StoreSnapshot: Equatable {
    public var state: CurrentState
    public var audit: [AuditEntry]
    public var runs: [ReconcileRun]
    public var invitations: [Invitation]

    public static func of(_ store: any Store) async throws -> StoreSnapshot {
        StoreSnapshot(
            state: try await store.currentState(), audit: try await store.auditEntries(matching: AuditQuery()),
            runs: try await store.runs(limit: 1_000), invitations: try await store.pendingInvitations())
    }
}

public func context(at date: Date = fixedDate, runID: String = UUID().uuidString.lowercased(), lockTimeout: Duration = .seconds(30))
    -> ApplyContext
{
    ApplyContext(actor: "roster", onBehalfOf: "dev@example.com", runID: runID, now: { date }, lockTimeout: lockTimeout)
}

/// A team as a manifest declares it; the owner is added as an admin member when not listed.
public func team(
    _ slug: String, displayName: String? = nil, owner: String = "alice@example.com", spendLimit: SpendLimit = .default,
    members: [(String, Role)] = []
) -> TeamManifest {
    var list = members.map { MemberManifest(email: Email($0.0)!, role: $0.1) }
    if !list.contains(where: { $0.email == Email(owner)! }) {
        list.insert(MemberManifest(email: Email(owner)!, role: .admin), at: 0)
    }
    return TeamManifest(
        slug: slug, displayName: displayName ?? slug.uppercased(), owner: Email(owner)!, spendLimit: spendLimit,
        members: list, file: "teams/\(slug).yaml")
}

public func email(_ text: String) -> Email { Email(text)! }

/// The error `body` throws as a `StoreError`; records an issue when it throws nothing or something else.
public func storeError(_ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async -> StoreError? {
    do {
        try await body()
        Issue.record("expected a StoreError, nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as StoreError {
        return error
    } catch {
        Issue.record("expected a StoreError, got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

