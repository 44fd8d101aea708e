import Foundation
import RosterCore
import RosterStoreTestSupport
import RosterTestSupport
import Testing

@testable import RosterPostgres
@testable import RosterStore

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
