import Foundation
import RosterCore
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

@Suite("PostgreSQL store: tamper evidence")
struct PostgresTamperTests {
    @Test("an entry changed or cut off the end by someone with the database's rights is found by verify")
    func tamper() async throws {
        try await StoreFixture.with(.postgres) { fixture in
            try await fixture.converge([team("a", members: [("bob@example.com", .dev), ("carol@example.com", .basic)])])
            let head = try #require(try await fixture.store.auditHead())
            #expect(try await fixture.store.verifyAudit(expectedHead: head) == .intact(count: 3, head: head))
            // The trigger refuses changes to the log.
            #expect(throws: FixtureError.self) { try fixture.psql("UPDATE audit SET actor = 'mallory' WHERE seq = 2") }
            #expect(throws: FixtureError.self) { try fixture.psql("DELETE FROM audit WHERE seq = 3") }
            // Without it (an owner can drop it), a change shows.
            try fixture.psql("ALTER TABLE audit DISABLE TRIGGER audit_append_only; UPDATE audit SET actor = 'mallory' WHERE seq = 2")
            #expect(try await fixture.store.verifyAudit(expectedHead: head) == .broken(seq: 2, reason: "its content does not match its hash: it was modified"))
            try fixture.psql("UPDATE audit SET actor = 'roster' WHERE seq = 2; DELETE FROM audit WHERE seq = 3")
            guard case .broken(let seq, let reason) = try await fixture.store.verifyAudit(expectedHead: head) else {
                Issue.record("a log cut off the end verified")
                return
            }
            #expect(seq == 3 && reason.contains("cut off the end"))
            #expect(try await fixture.store.verifyAudit(expectedHead: nil) == .intact(count: 2, head: try await fixture.store.auditHead()))
        }
    }
}
