import Foundation
import RosterCore
import RosterStoreTestSupport
import RosterTestSupport
import Testing

@testable import RosterSQLite
@testable import RosterStore

@Suite("Store: applies fenced by a lease")
struct FencingTests {
    @Test("an apply under a lease its writer no longer holds writes nothing; under a held lease it lands",
        arguments: StoreBackend.allCases)
    func fenced(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            let other = try await fixture.reopen()
            defer { Task { await other.close() } }
            _ = try await fixture.store.acquireLease("reconciler", holder: "a", ttl: .seconds(10), now: fixedDate)
            let plan = try await fixture.plan([team("t", members: [("bob@example.com", .dev)])])
            // A paused past its lease; b took over.
            let later = fixedDate.addingTimeInterval(11)
            #expect(try await other.acquireLease("reconciler", holder: "b", ttl: .seconds(10), now: later).holder == "b")
            let before = try await StoreSnapshot.of(fixture.store)
            let fence = Fence(name: "reconciler", holder: "a")
            let error = await storeError {
                _ = try await fixture.store.apply(
                    plan, context: ApplyContext(actor: "roster", now: { later }, trigger: "interval", fence: fence))
            }
            #expect(error?.kind == .fenced)
            #expect(error?.message.contains("no longer holds the lease") == true)
            #expect(try await StoreSnapshot.of(fixture.store) == before)
            // An expired lease that nobody took over does not fence either: the writer must hold it.
            let muchLater = later.addingTimeInterval(60)
            let expired = await storeError {
                _ = try await other.apply(
                    plan, context: ApplyContext(actor: "roster", now: { muchLater }, fence: Fence(name: "reconciler", holder: "b")))
            }
            #expect(expired?.kind == .fenced)
            // b renews and applies.
            _ = try await other.acquireLease("reconciler", holder: "b", ttl: .seconds(10), now: muchLater)
            let report = try await other.apply(
                plan, context: ApplyContext(actor: "roster", now: { muchLater }, fence: Fence(name: "reconciler", holder: "b")))
            #expect(report.applied == plan.changes.count)
        }
    }
}
