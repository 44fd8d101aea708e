import Foundation
import RosterTestSupport
import RosterCore
import RosterStoreTestSupport
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
            // whichever order the lock gives them. The lock's wait is a wall-clock budget, not
            // what this test is about: under the whole suite on two loaded cores, twelve
            // writers queued behind each other have outwaited the usual 30 s (CI, once).
            let patience = Duration.seconds(300)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, invitation) in invitations.enumerated() {
                    let store = stores[index % stores.count]
                    group.addTask {
                        try await store.acceptInvitation(id: invitation.id, email: invitation.email, at: fixedDate, lockTimeout: patience)
                    }
                }
                for index in 0..<4 {
                    let store = stores[index]
                    group.addTask {
                        try await store.setCeiling(
                            team: "t", to: SpendLimit(cents: Int64(9_000 + index)), actor: "ops\(index)@example.com", at: fixedDate,
                            lockTimeout: patience)
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

/// The outcome of `body`, success or error, so concurrent calls can be compared afterwards.
func outcome<T>(_ body: () async throws -> T) async -> Result<T, any Error> {
    do { return .success(try await body()) } catch { return .failure(error) }
}
