import Foundation
import RosterTestSupport
import RosterCore
import Testing

@testable import RosterSQLite
@testable import RosterStore

/// 2026-11-18T11:06:40.500Z: exactly representable, so audit times are known to the millisecond.
let fixedDate = Date(timeIntervalSince1970: 1_795_000_000.5)
let fixedTime = "2026-11-18T11:06:40.500Z"
let fixedCommit = String(repeating: "a", count: 40)

/// A failed fixture step, with what went wrong.
struct FixtureError: Error, CustomStringConvertible {
    var description: String
}

/// A real SQLite store in a new temporary folder, removed when the test's body ends.
struct StoreFixture: Sendable {
    let folder: String
    let path: String
    let store: SQLiteStore

    /// Runs `body` with a fresh store in a fresh folder; removes the folder whatever happens.
    static func with<T>(_ body: (StoreFixture) async throws -> T) async throws -> T {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("roster-store-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/roster.db"
        let fixture = StoreFixture(folder: folder, path: path, store: try SQLiteStore(path: path))
        return try await body(fixture)
    }

    /// Another store instance on the same file (as another process would open it).
    func reopen() throws -> SQLiteStore { try SQLiteStore(path: path) }

    /// The plan from `teams` to the store's current state; throws if the planner reports errors.
    func plan(_ teams: [TeamManifest], rules: PlanRules = PlanRules(), in store: SQLiteStore? = nil) async throws -> Plan {
        let result = try await planWithErrors(teams, rules: rules, in: store)
        guard result.errors.isEmpty else {
            throw FixtureError(description: "planner errors: " + result.errors.map(\.message).joined(separator: "; "))
        }
        return result.plan
    }

    func planWithErrors(_ teams: [TeamManifest], rules: PlanRules = PlanRules(), in store: SQLiteStore? = nil) async throws
        -> (plan: Plan, errors: [Diagnostic])
    {
        let current = try await (store ?? self.store).currentState()
        return Planner.plan(
            desired: teams, current: current, rules: rules,
            source: Plan.Source(repository: "test", commit: fixedCommit))
    }

    /// Plans `teams` and applies the plan at `date`.
    @discardableResult
    func converge(_ teams: [TeamManifest], rules: PlanRules = PlanRules(), at date: Date = fixedDate) async throws -> ApplyReport {
        try await store.apply(try await plan(teams, rules: rules), context: context(at: date))
    }

    /// Accepts the pending invitation of `email` in `team`.
    func accept(_ email: String, in team: String, at date: Date = fixedDate) async throws {
        guard let invitation = try await store.pendingInvitation(team: team, email: Email(email)!) else {
            throw FixtureError(description: "no pending invitation for \(email) in \(team)")
        }
        try await store.acceptInvitation(id: invitation.id, email: Email(email)!, at: date)
    }

    /// Every audit entry, oldest first.
    func audit(_ store: SQLiteStore? = nil) async throws -> [AuditEntry] {
        try await (store ?? self.store).auditEntries(matching: AuditQuery())
    }

    /// Runs SQL on the database file with the `sqlite3` command-line shell, as someone
    /// tampering with the file would; returns what the shell printed.
    @discardableResult
    func sqlite(_ sql: String) throws -> CommandOutput {
        let output = try runCommand(["sqlite3", "-bail", path, sql])
        guard output.status == 0 else { throw FixtureError(description: "sqlite3 failed: \(output.stderr)") }
        return output
    }
}

/// Everything the store holds that an apply may change, to compare before and after a refusal.
struct StoreSnapshot: Equatable {
    var state: CurrentState
    var audit: [AuditEntry]
    var runs: [ReconcileRun]
    var invitations: [Invitation]

    static func of(_ store: SQLiteStore) async throws -> StoreSnapshot {
        StoreSnapshot(
            state: try await store.currentState(), audit: try await store.auditEntries(matching: AuditQuery()),
            runs: try await store.runs(limit: 1_000), invitations: try await store.pendingInvitations())
    }
}

func context(at date: Date = fixedDate, runID: String = UUID().uuidString.lowercased(), lockTimeout: Duration = .seconds(30))
    -> ApplyContext
{
    ApplyContext(actor: "roster", onBehalfOf: "dev@example.com", runID: runID, now: { date }, lockTimeout: lockTimeout)
}

/// A team as a manifest declares it; the owner is added as an admin member when not listed.
func team(
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

func email(_ text: String) -> Email { Email(text)! }

/// The error `body` throws as a `StoreError`; records an issue when it throws nothing or something else.
func storeError(_ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async -> StoreError? {
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

/// What a finished command printed and how it ended.
typealias CommandOutput = ProcessResult

/// Runs `arguments[0]` (looked up on PATH), its output captured through files.
func runCommand(_ arguments: [String]) throws -> CommandOutput {
    try runProcess(URL(fileURLWithPath: "/usr/bin/env"), arguments)
}
