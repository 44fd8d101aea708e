import Foundation
import GRDB
import RosterCore
import RosterStoreTestSupport
import Synchronization
import Testing

@testable import RosterSQLite
@testable import RosterStore

/// A bulk write (a first apply of many changes, a store copy) into a store that holds no team
/// goes through a rollback journal when nothing else has the file open, and through the WAL
/// otherwise (`SQLiteStore.beginBulkWrite`). Which one it took shows in the WAL file: 20,000
/// changes are about 6 MB of pages, which a WAL holds until its next checkpoint (64 MB away).
@Suite("SQLite store: bulk writes")
struct BulkWriteTests {
    static let changes = 20_000

    static func size(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }

    static func journalMode(_ store: SQLiteStore) async throws -> String? {
        try await store.pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
    }

    @Test("a first apply that nothing else sees writes the file through a rollback journal, then is back in WAL mode")
    func rollbackJournal() async throws {
        try await StoreFixture.with { fixture in
            let plan = try await fixture.plan([LargeApplyTests.bigTeam("big", members: Self.changes)])
            let report = try await fixture.store.apply(plan, context: context())

            #expect(report.applied == Self.changes)
            #expect(Self.size(fixture.path + "-wal") < 1_000_000)
            #expect(Self.size(fixture.path) > 4_000_000)
            #expect(!FileManager.default.fileExists(atPath: fixture.path + "-journal"))
            #expect(try await Self.journalMode(fixture.sqliteStore) == "wal")
            #expect(try await fixture.store.pendingInvitations().count == Self.changes - 1)
            #expect(try await fixture.store.verifyAudit(expectedHead: report.auditHead) == .intact(count: Self.changes, head: report.auditHead))

            // Another instance (as another process) opening it reads it; a later write leaves it in WAL mode.
            let other = try await fixture.reopen()
            #expect(try await other.pendingInvitations().count == Self.changes - 1)
            await other.close()
            _ = try await fixture.store.apply(
                try await fixture.plan([LargeApplyTests.bigTeam("big", members: Self.changes), team("small")]), context: context())
            #expect(try await Self.journalMode(fixture.sqliteStore) == "wal")
        }
    }

    @Test("with the store open in another process, the same apply goes through the WAL, and the other reads it")
    func sharedStoreKeepsTheWAL() async throws {
        try await StoreFixture.with { fixture in
            let other = try await fixture.reopen()
            #expect(try await other.pendingInvitations().isEmpty)
            let plan = try await fixture.plan([LargeApplyTests.bigTeam("big", members: Self.changes)])
            let report = try await fixture.store.apply(plan, context: context())

            #expect(report.applied == Self.changes)
            #expect(Self.size(fixture.path + "-wal") > 4_000_000)
            #expect(try await other.pendingInvitations().count == Self.changes - 1)
            await other.close()
        }
    }

    @Test("a store opened while a bulk write holds its rollback journal waits for the commit, then reads it all")
    func openerWaits() async throws {
        try await StoreFixture.with { fixture in
            let plan = try await fixture.plan([LargeApplyTests.bigTeam("big", members: Self.changes)])
            let store = fixture.store
            let feed = store.makeChangeFeed()
            let applying = Task {
                try await store.apply(streaming: feed, stateVersion: plan.stateVersion, source: plan.source, context: context()) {
                    _ in (plan, nil)
                }
            }
            feed.append(contentsOf: plan.changes.prefix(Self.changes / 2))
            // The journal is made with the first page the write changes.
            let deadline = ContinuousClock.now + .seconds(20)
            while !FileManager.default.fileExists(atPath: fixture.path + "-journal") && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(FileManager.default.fileExists(atPath: fixture.path + "-journal"))

            // Opening waits on its thread, as another process's would: on one of Dispatch's, not
            // one of the concurrency pool's, which this test's own feeding needs.
            let opened = Mutex(false)
            let reading = Task {
                let other = try await withCheckedThrowingContinuation { continuation in
                    DispatchQueue.global().async {
                        continuation.resume(with: Result { try SQLiteStore(path: fixture.path) })
                        opened.withLock { $0 = true }
                    }
                }
                let count = try await other.pendingInvitations().count
                await other.close()
                return count
            }
            try await Task.sleep(for: .milliseconds(500))
            #expect(!opened.withLock { $0 })

            feed.append(contentsOf: plan.changes.dropFirst(Self.changes / 2))
            feed.finish()
            #expect(try await applying.value?.applied == Self.changes)
            #expect(try await reading.value == Self.changes - 1)
            #expect(try await Self.journalMode(fixture.sqliteStore) == "wal")
        }
    }
}
