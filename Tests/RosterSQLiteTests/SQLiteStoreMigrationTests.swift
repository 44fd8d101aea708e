import Foundation
import RosterTestSupport
import RosterCore
import RosterStoreTestSupport
import Testing

@testable import RosterSQLite
@testable import RosterStore

@Suite("SQLite store: opening and migrations")
struct SQLiteStoreMigrationTests {
    @Test("an empty file is migrated to the v1 schema and starts empty at version 0")
    func emptyFile() async throws {
        try await StoreFixture.with { fixture in
            let tables = try fixture.sqlite("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name;")
                .stdout.split(separator: "\n").map(String.init)
            #expect(
                Set(tables).isSuperset(of: ["meta", "users", "teams", "memberships", "invitations", "audit", "audit_batches", "runs"]),
                "tables: \(tables)")
            let triggers = try fixture.sqlite("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name;")
                .stdout.split(separator: "\n").map(String.init)
            let marks = ["ceilings", "invitations", "memberships", "teams"].flatMap { table in
                ["delete", "insert", "update"].map { "\(table)_mark_\($0)" }
            }
            #expect(
                triggers
                    == ([
                        "audit_append_only_delete", "audit_append_only_update", "audit_batches_append_only_delete",
                        "audit_batches_append_only_update", "teams_delete_invitations",
                    ] + marks).sorted())
            #expect(try fixture.sqlite("PRAGMA journal_mode;").stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "wal")

            let state = try await fixture.store.currentState()
            #expect(state == CurrentState(version: 0, teams: [:]))
            #expect(try await fixture.store.auditHead() == nil)
            #expect(try await fixture.store.verifyAudit(expectedHead: nil) == .intact(count: 0, head: nil))
            #expect(try await fixture.store.runs(limit: 10).isEmpty)
            #expect(try await fixture.store.pendingInvitations().isEmpty)
        }
    }

    @Test("opening the same file again keeps the data and does not migrate twice")
    func reopen() async throws {
        try await StoreFixture.with { fixture in
            try await fixture.converge([team("ml", members: [("bob@example.com", .dev)])])
            let before = try await fixture.store.currentState()

            // While the first instance is open, and again once it is gone.
            let second = try await fixture.reopen()
            #expect(try await second.currentState() == before)
            let third = try SQLiteStore(path: fixture.path)
            #expect(try await third.currentState() == before)
            #expect(before.version == 1)
            #expect(try await third.verifyAudit(expectedHead: nil) == .intact(count: 2, head: try await fixture.store.auditHead()))
            let migrations = try fixture.sqlite("SELECT identifier FROM grdb_migrations;").stdout
            #expect(migrations.split(separator: "\n").map(String.init) == SQLiteStore.migrationNames)
        }
    }

    @Test("a store made before `roster serve` existed (v1 only) gains the server's tables on open, data kept")
    func upgradeFromV1() async throws {
        try await StoreFixture.with { fixture in
            try await fixture.converge([team("ml", members: [("bob@example.com", .dev)])])
            try fixture.sqlite(Self.beforeInvitationOrigins)
            try fixture.sqlite("""
                DROP TABLE leases; DROP TABLE api_keys; DROP INDEX memberships_email; DROP TABLE sessions;
                ALTER TABLE runs DROP COLUMN reason; ALTER TABLE runs DROP COLUMN state_version;
                ALTER TABLE runs DROP COLUMN repeats; ALTER TABLE runs DROP COLUMN last_seen_at; ALTER TABLE runs DROP COLUMN drift;
                DROP INDEX invitations_expiring; ALTER TABLE invitations DROP COLUMN expires_at;
                DROP TABLE plan_cache; DROP TABLE plan_cache_files; DROP TABLE plan_marks;
                \(SQLiteStore.changeMarkTriggers.map { "DROP TRIGGER \($0.name);" }.joined(separator: " "))
                DELETE FROM grdb_migrations WHERE identifier <> 'v1';
                """)
            let upgraded = try await fixture.reopen()
            #expect(try await upgraded.currentState().version == 1)
            #expect(try await upgraded.lease("reconciler") == nil)
            #expect(try await upgraded.apiKeys(email: nil).isEmpty)
            #expect(
                try fixture.sqlite("SELECT identifier FROM grdb_migrations;").stdout.split(separator: "\n").map(String.init)
                    == SQLiteStore.migrationNames)
            // Migrated stores have no plan cache: their first plan is cold.
            #expect(try await upgraded.planBasis(at: fixedDate).cache == nil)
            let runs = try await upgraded.runs(limit: 5)
            #expect(runs.count == 1 && runs.allSatisfy { $0.reason == nil })
        }
    }

    @Test("a store made before invitations expired gains their expiry on open; its invitations never expire")
    func upgradeBeforeInvitationExpiry() async throws {
        try await StoreFixture.with { fixture in
            try await fixture.converge([team("ml", members: [("bob@example.com", .dev)])])
            try fixture.sqlite("""
                DROP INDEX invitations_expiring; ALTER TABLE invitations DROP COLUMN expires_at;
                DELETE FROM grdb_migrations WHERE identifier = 'v6-invitation-expiry';
                """)
            let upgraded = try await fixture.reopen()
            let bob = try #require(try await upgraded.pendingInvitation(team: "ml", email: email("bob@example.com")))
            #expect(bob.expiresAt == nil && bob.isUsable(at: .distantFuture))
            #expect(try fixture.sqlite("SELECT identifier FROM grdb_migrations;").stdout.contains("v6-invitation-expiry"))
        }
    }

    /// Turns the store's invitations back into the table before v7: who made each and when on
    /// its own row, no `invitation_origins`.
    static let beforeInvitationOrigins: String = {
        let triggers = SQLiteStore.changeMarkTriggers.filter { $0.name.hasPrefix("invitations_") }
        return """
            DROP TRIGGER teams_delete_invitations;
            \(triggers.map { "DROP TRIGGER \($0.name);" }.joined(separator: "\n"))
            CREATE TABLE invitations_v6 (
                id INTEGER PRIMARY KEY, team TEXT NOT NULL, email TEXT NOT NULL,
                role TEXT NOT NULL CHECK (role = 'basic' OR role = 'billing' OR role = 'dev' OR role = 'admin'),
                status TEXT NOT NULL CHECK (status = 'pending' OR status = 'accepted' OR status = 'revoked'),
                nonce TEXT NOT NULL, created_by TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT, expires_at TEXT);
            INSERT INTO invitations_v6
                SELECT i.id, i.team, i.email, i.role, i.status, i.nonce, o.created_by, o.created_at, i.updated_at, i.expires_at
                FROM invitations i JOIN invitation_origins o ON o.id = i.origin;
            DROP TABLE invitations;
            DROP TABLE invitation_origins;
            ALTER TABLE invitations_v6 RENAME TO invitations;
            CREATE UNIQUE INDEX invitations_pending ON invitations (team, email) WHERE status = 'pending';
            CREATE INDEX invitations_expiring ON invitations (expires_at, team) WHERE status = 'pending' AND expires_at IS NOT NULL;
            CREATE TRIGGER teams_delete_invitations AFTER DELETE ON teams
                BEGIN DELETE FROM invitations WHERE team = old.slug; END;
            \(triggers.map { $0.sql + ";" }.joined(separator: "\n"))
            DELETE FROM grdb_migrations WHERE identifier = 'v7-invitation-origins';
            """
    }()

    @Test("a store made before invitation origins (v6) keeps every invitation as it was: who, when, link, expiry")
    func upgradeBeforeInvitationOrigins() async throws {
        try await StoreFixture.with { fixture in
            // Two applies (two origins), an invitation revoked since (updated_at), one that expires.
            try await fixture.converge([
                team("ml", members: [("bob@example.com", .dev), ("carol@example.com", .basic)]),
                team("web", members: [("dan@example.com", .billing)]),
            ])
            var rules = PlanRules()
            rules.invitationExpireAfter = 86_400
            try await fixture.converge(
                [
                    team("ml", members: [("bob@example.com", .dev)]),
                    team("web", members: [("dan@example.com", .billing), ("erin@example.com", .dev)]),
                ], rules: rules, at: fixedDate.addingTimeInterval(60))
            let invitations = "SELECT id, team, email, role, status, nonce, created_by, created_at, updated_at, expires_at FROM invitations ORDER BY id;"
            let rows = try fixture.sqlite(
                "SELECT i.id, i.team, i.email, i.role, i.status, i.nonce, o.created_by, o.created_at, i.updated_at, i.expires_at "
                    + "FROM invitations i JOIN invitation_origins o ON o.id = i.origin ORDER BY i.id;").stdout
            #expect(rows.split(separator: "\n").count == 4)
            let pending = try await fixture.store.pendingInvitations()
            let state = try await fixture.store.currentState()
            try fixture.sqlite("DELETE FROM plan_marks;")
            try fixture.sqlite(Self.beforeInvitationOrigins)
            #expect(try fixture.sqlite(invitations).stdout == rows)

            let upgraded = try await fixture.reopen()
            #expect(try fixture.sqlite("SELECT count(*) FROM invitation_origins;").stdout == "2\n")
            #expect(try await upgraded.pendingInvitations() == pending)
            #expect(pending.contains { $0.expiresAt != nil } && pending.count == 3)
            // Moving the rows changed nothing a plan sees: same version, no team marked.
            #expect(try await upgraded.currentState() == state)
            #expect(try fixture.sqlite("SELECT count(*) FROM plan_marks;").stdout == "0\n")
            #expect(try fixture.sqlite("SELECT identifier FROM grdb_migrations;").stdout.contains("v7-invitation-origins"))
            // The triggers are back: an edit by hand is marked again.
            try fixture.sqlite("UPDATE invitations SET role = 'admin' WHERE email = 'dan@example.com';")
            #expect(try fixture.sqlite("SELECT team FROM plan_marks;").stdout == "web\n")
        }
    }

    @Test("a store migrated by a newer Roster is refused with a StoreError that says so")
    func newerStore() async throws {
        try await StoreFixture.with { fixture in
            try await fixture.converge([team("ml", members: [("bob@example.com", .dev)])])
            try fixture.sqlite("INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future');")
            let error = await storeError { _ = try SQLiteStore(path: fixture.path) }
            #expect(error?.kind == .invalid)
            #expect(error?.message.contains("newer version of Roster") == true)
        }
    }

    @Test("a store made before sessions were kept (v2) gains the sessions table on open")
    func upgradeFromV2() async throws {
        try await StoreFixture.with { fixture in
            try fixture.sqlite("DROP TABLE sessions; DELETE FROM grdb_migrations WHERE identifier = 'v3-sessions';")
            let upgraded = try await fixture.reopen()
            let session = Session(id: Session.id(forSecret: "s"), keyID: "k", createdAt: fixedDate, expiresAt: fixedDate.addingTimeInterval(60))
            try await upgraded.createSession(session)
            #expect(try await upgraded.session(id: session.id) == session)
            await upgraded.close()
        }
    }

    @Test("a file that is not a SQLite database is refused with a StoreError, not a crash")
    func notADatabase() async throws {
        try await StoreFixture.with { fixture in
            let path = fixture.folder + "/garbage.db"
            try Data(repeating: 0x42, count: 8192).write(to: URL(fileURLWithPath: path))
            let error = await storeError { _ = try SQLiteStore(path: path) }
            #expect(error?.kind == .io)
            #expect(error?.message.contains(path) == true)
        }
    }

    @Test("a database in a folder that does not exist is refused with a StoreError")
    func missingFolder() async throws {
        try await StoreFixture.with { fixture in
            let error = await storeError { _ = try SQLiteStore(path: fixture.folder + "/no/such/folder/roster.db") }
            #expect(error?.kind == .io)
        }
    }

    /// Two processes starting on a new store (say `roster serve` and a cron `roster
    /// reconcile`) migrate it at the same time. GRDB's migrator reads which migrations ran
    /// outside the transaction that runs them, so both can run "v1" and the second fails
    /// with "table meta already exists". Intermittent: a few rounds in forty show it.
    @Test("several instances opening a new file at once all succeed")
    func concurrentFirstOpen() async throws {
        try await StoreFixture.with { fixture in
            let failures = Failures()
            for round in 0..<40 {
                let path = fixture.folder + "/race\(round).db"
                DispatchQueue.concurrentPerform(iterations: 4) { _ in
                    do { _ = try SQLiteStore(path: path) } catch { failures.append("round \(round): \(error)") }
                }
                // Whatever happened, the file is a working store afterwards.
                let state = try await SQLiteStore(path: path).currentState()
                #expect(state == CurrentState())
            }
            #expect(failures.all.isEmpty, "\(failures.all.prefix(3))")
        }
    }
}

/// Messages collected from concurrent work.
private final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []

    func append(_ message: String) {
        lock.lock()
        defer { lock.unlock() }
        messages.append(message)
    }

    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return messages
    }
}

@Suite("SQLite store: file permissions")
struct SQLiteStorePermissionTests {
    private func mode(_ path: String) -> mode_t? {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_mode & 0o777 : nil
    }

    @Test("a new store, its -wal and -shm are the owner's alone under umask 022")
    func newStoreIsPrivate() async throws {
        let previous = umask(0o022)
        defer { umask(previous) }
        try await StoreFixture.with { fixture in
            _ = try await fixture.converge([team("ml-research", members: [("bob@example.com", .dev)])])
            for file in [fixture.path, fixture.path + "-wal", fixture.path + "-shm"] {
                #expect(mode(file) == 0o600, "\(file): \(String(mode(file) ?? 0, radix: 8))")
            }
        }
    }

    @Test("an existing store file that others may read is tightened to 0600 when opened")
    func existingStoreIsTightened() async throws {
        try await StoreFixture.with { fixture in
            await fixture.store.close()
            for file in [fixture.path, fixture.path + "-wal", fixture.path + "-shm"] where mode(file) != nil {
                chmod(file, 0o644)
            }
            let store = try await fixture.reopen()
            #expect(mode(fixture.path) == 0o600)
            await store.close()
        }
    }
}
