import Foundation
import RosterStoreTestSupport
import RosterTestSupport
import RosterCore
import Testing

@testable import RosterSQLite
@testable import RosterStore

@Suite("SQLite store: the writer lock")
struct WriterLockTests {
    static let holder = "pid 4242 on build-host, reconcile by roster since 2026-11-18T11:06:40.500Z"

    @Test("a held lock refuses an apply after its timeout, naming the holder, and changes nothing")
    func heldLockRefusesApply() async throws {
        try await StoreFixture.with { fixture in
            try await fixture.converge([team("t", members: [("bob@example.com", .dev)])])
            let plan = try await fixture.plan([team("t", members: [("bob@example.com", .dev), ("erin@example.com", .dev)])])
            let before = try await StoreSnapshot.of(fixture.store)

            let lock = try await FileLock.acquire(path: fixture.path + ".lock", timeout: .seconds(5), holder: Self.holder)
            let error = await storeError { _ = try await fixture.store.apply(plan, context: context(lockTimeout: .milliseconds(200))) }
            // A second instance (as another process would) is refused the same way.
            let other = await storeError {
                _ = try await fixture.reopen().apply(plan, context: context(lockTimeout: .milliseconds(200)))
            }
            lock.release()
            for error in [error, other] {
                #expect(error?.kind == .locked)
                #expect(error?.message.contains(Self.holder) == true, "\(error?.message ?? "")")
            }
            #expect(try await StoreSnapshot.of(fixture.store) == before)

            // Once released, the same plan goes through.
            _ = try await fixture.store.apply(plan, context: context(lockTimeout: .milliseconds(200)))
            #expect(try await fixture.store.currentState().version == before.state.version + 1)
        }
    }

    /// Every writing entry point of the store, each of which must wait for the lock.
    enum Writer: String, CaseIterable, Sendable {
        case apply, acceptInvitation, setCeiling
    }

    /// `acceptInvitation` and `setCeiling` take no timeout (they wait the default 30 s), so
    /// they are tested by holding the lock, checking nothing happened, then letting go.
    @Test(arguments: Writer.allCases)
    func writerWaitsForTheLock(_ writer: Writer) async throws {
        try await StoreFixture.with { fixture in
            try await fixture.converge([team("t", members: [("bob@example.com", .dev)])])
            let plan = try await fixture.plan([team("t", members: [("bob@example.com", .dev), ("erin@example.com", .dev)])])
            let bob = try #require(try await fixture.store.pendingInvitation(team: "t", email: email("bob@example.com")))
            let before = try await StoreSnapshot.of(fixture.store)

            let lock = try await FileLock.acquire(path: fixture.path + ".lock", timeout: .seconds(5), holder: Self.holder)
            let store = try await fixture.reopen()
            let waiting = Task {
                switch writer {
                case .apply:
                    _ = try await store.apply(plan, context: context(lockTimeout: .seconds(60)))
                case .acceptInvitation:
                    try await store.acceptInvitation(id: bob.id, email: bob.email, at: fixedDate)
                case .setCeiling:
                    try await store.setCeiling(team: "t", to: SpendLimit(cents: 9_000), actor: "ops@example.com", at: fixedDate)
                }
            }
            // Whatever the scheduling, nothing can be written while the lock is held.
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await StoreSnapshot.of(fixture.store) == before)
            lock.release()
            try await waiting.value
            #expect(try await fixture.store.currentState().version == before.state.version + 1)
        }
    }

    @Test("a lock held by another process refuses an apply and names that holder")
    func otherProcessHoldsLock() async throws {
        try await StoreFixture.with { fixture in
            try await fixture.converge([team("t")])
            let plan = try await fixture.plan([team("t", members: [("erin@example.com", .dev)])])
            let lockPath = fixture.path + ".lock"
            let holder = "a shell holding the lock with flock(1)"
            // The shell opens the lock file on fd 9, locks it with flock(1) (the same flock(2)
            // lock), writes its holder line, says it is ready, and becomes `sleep` keeping fd 9:
            // the one process started here holds the lock until it is killed.
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = [
                "-c", "exec 9>>\"$2\" && flock -x 9 && printf '%s\\n' \"$1\" > \"$2\" && echo ready && exec sleep 600",
                "sh", holder, lockPath,
            ]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardInput = FileHandle.nullDevice
            try process.run()
            defer {
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                process.waitUntilExit()
            }
            let ready = pipe.fileHandleForReading.availableData
            try #require(String(decoding: ready, as: UTF8.self).hasPrefix("ready"))

            let error = await storeError { _ = try await fixture.store.apply(plan, context: context(lockTimeout: .milliseconds(200))) }
            #expect(error?.kind == .locked)
            #expect(error?.message.contains(holder) == true, "\(error?.message ?? "")")
            #expect(try await fixture.store.pendingInvitation(team: "t", email: email("erin@example.com")) == nil)

            // A killed holder's lock goes with it.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            _ = try await fixture.store.apply(plan, context: context(lockTimeout: .seconds(10)))
            #expect(try await fixture.store.pendingInvitation(team: "t", email: email("erin@example.com")) != nil)
        }
    }
}
