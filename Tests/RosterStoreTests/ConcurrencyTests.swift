import Foundation
import RosterTestSupport
import RosterCore
import Testing

@testable import RosterSQLite
@testable import RosterStore

@Suite("Store: concurrent writers")
struct ConcurrencyTests {
    @Test("two applies planned against the same version on two store instances: one lands, the other is stale",
          arguments: StoreBackend.allCases, 1...4)
    func concurrentApplies(_ backend: StoreBackend, round: Int) async throws {
        try await StoreFixture.with(backend) { fixture in
            let members: [(String, Role)] = [("bob@example.com", .dev)]
            try await fixture.converge([team("t", members: members)])
            let first = fixture.store
            let second = try await fixture.reopen()
            let before = try await first.currentState()
            let baseCount = try await fixture.audit().count

            let erin = try await fixture.plan([team("t", members: members + [("erin@example.com", .dev)])], in: first)
            let frank = try await fixture.plan(
                [team("t", spendLimit: SpendLimit(cents: 5_000), members: members + [("frank@example.com", .basic)])], in: second)
            #expect(erin.stateVersion == frank.stateVersion)

            async let a = outcome { try await first.apply(erin, context: context(runID: "erin-\(round)")) }
            async let b = outcome { try await second.apply(frank, context: context(runID: "frank-\(round)")) }
            let results = await [a, b]

            let successes = results.compactMap { try? $0.get() }
            let failures = results.compactMap { result -> StoreError? in
                guard case .failure(let error) = result else { return nil }
                return error as? StoreError
            }
            #expect(successes.count == 1)
            #expect(failures.count == 1)
            #expect(failures.first?.kind == .stalePlan)

            let after = try await second.currentState()
            #expect(after.version == before.version + 1)
            let invited = Set(try #require(after.teams["t"]).invitations.keys.map(\.value))
            let entries = try await fixture.audit(second)
            if successes.first?.runID.hasPrefix("erin") == true {
                #expect(invited == ["bob@example.com", "erin@example.com"])
                #expect(after.teams["t"]?.spendLimit == .default)
                #expect(entries.count == baseCount + 1)
            } else {
                #expect(invited == ["bob@example.com", "frank@example.com"])
                #expect(after.teams["t"]?.spendLimit == SpendLimit(cents: 5_000))
                #expect(entries.count == baseCount + 2)
            }
            // The refused run left no trace: no audit entry, no run record.
            let refused = ["erin-\(round)", "frank-\(round)"].filter { $0 != successes.first?.runID }
            #expect(refused.count == 1)
            #expect(!entries.contains { refused.contains($0.runID ?? "") })
            #expect(!(try await first.runs(limit: 10)).contains { refused.contains($0.id) })
            let head = try await first.auditHead()
            #expect(try await first.verifyAudit(expectedHead: head) == .intact(count: entries.count, head: head))
            #expect(try await first.runs(limit: 10).map(\.id).contains(successes.first?.runID ?? "-"))
        }
    }

    @Test("concurrent accepts and ceiling changes over four instances all land, in one unbroken chain", arguments: StoreBackend.allCases)
    func manyWriters(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            try await fixture.converge([
                team("t", members: (1...8).map { ("user\($0)@example.com", Role.dev) })
            ])
            var stores: [any Store] = []
            for _ in 0..<4 { stores.append(try await fixture.reopen()) }
            let invitations = try await fixture.store.pendingInvitations()
            let start = try await fixture.store.currentState().version
            // Accepting invitations does not depend on the state version, so all of them land,
            // whichever order the lock gives them.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, invitation) in invitations.enumerated() {
                    let store = stores[index % stores.count]
                    group.addTask {
                        try await store.acceptInvitation(id: invitation.id, email: invitation.email, at: fixedDate)
                    }
                }
                for index in 0..<4 {
                    let store = stores[index]
                    group.addTask {
                        try await store.setCeiling(
                            team: "t", to: SpendLimit(cents: Int64(9_000 + index)), actor: "ops\(index)@example.com", at: fixedDate)
                    }
                }
                try await group.waitForAll()
            }
            let state = try await fixture.store.currentState()
            #expect(state.version == start + Int64(invitations.count) + 4)
            #expect(state.teams["t"]?.members.count == 9)
            #expect(state.teams["t"]?.invitations.isEmpty == true)
            let entries = try await fixture.audit()
            #expect(entries.count == 9 + invitations.count + 4)
            #expect(entries.map(\.seq) == Array(1...Int64(entries.count)))
            let head = try await fixture.store.auditHead()
            #expect(try await fixture.store.verifyAudit(expectedHead: nil) == .intact(count: entries.count, head: head))
        }
    }
}

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

/// The outcome of `body`, success or error, so concurrent calls can be compared afterwards.
func outcome<T>(_ body: () async throws -> T) async -> Result<T, any Error> {
    do { return .success(try await body()) } catch { return .failure(error) }
}
