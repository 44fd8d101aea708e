import Foundation
import RosterCore
import RosterStoreTestSupport
import RosterTestSupport
import Testing

@testable import RosterSQLite
@testable import RosterStore

@Suite("Store: what the server keeps")
struct ServerRecordsTests {
    @Test("A lease goes to one holder, is renewed by it, and is taken over only once expired or released", arguments: StoreBackend.allCases)
    func lease(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            let other = try await fixture.reopen()
            let first = try await fixture.store.acquireLease("reconciler", holder: "a", ttl: .seconds(10), now: fixedDate)
            #expect(first.holder == "a")
            #expect(first.expiresAt == fixedDate.addingTimeInterval(10))
            // Another process sees it held and does not get it before it expires.
            let refused = try await other.acquireLease("reconciler", holder: "b", ttl: .seconds(10), now: fixedDate.addingTimeInterval(5))
            #expect(refused.holder == "a")
            // The holder renews: the expiry moves, the acquisition time does not.
            let renewed = try await fixture.store.acquireLease("reconciler", holder: "a", ttl: .seconds(10), now: fixedDate.addingTimeInterval(8))
            #expect(renewed.holder == "a" && renewed.expiresAt == fixedDate.addingTimeInterval(18))
            #expect(renewed.acquiredAt == fixedDate)
            // Once expired, the other takes it.
            let taken = try await other.acquireLease("reconciler", holder: "b", ttl: .seconds(10), now: fixedDate.addingTimeInterval(18))
            #expect(taken.holder == "b" && taken.acquiredAt == fixedDate.addingTimeInterval(18))
            // Releasing by someone who does not hold it does nothing; by the holder frees it.
            try await fixture.store.releaseLease("reconciler", holder: "a")
            #expect(try await fixture.store.lease("reconciler")?.holder == "b")
            try await other.releaseLease("reconciler", holder: "b")
            #expect(try await fixture.store.lease("reconciler") == nil)
            let next = try await fixture.store.acquireLease("reconciler", holder: "a", ttl: .seconds(10), now: fixedDate.addingTimeInterval(19))
            #expect(next.holder == "a")
        }
    }

    @Test("API keys are stored hashed, found by id, and revoked once", arguments: StoreBackend.allCases)
    func apiKeys(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            let key = APIKeySecret.generate()
            let record = try await fixture.store.createAPIKey(key, email: Email("Ann@Example.com")!, createdBy: "ops", at: fixedDate)
            #expect(record.email.value == "ann@example.com")
            let dump = try fixture.sql(
                sqlite: "SELECT quote(secret_hash) || id FROM api_keys",
                postgres: "SELECT encode(secret_hash, 'hex') || id FROM api_keys"
            ).stdout
            #expect(dump.contains(key.id))
            #expect(!dump.contains(key.secret))
            let found = try #require(try await fixture.store.apiKey(id: key.id))
            #expect(found == record && key.matches(found))
            #expect(!APIKeySecret.generate().matches(found))
            #expect(!APIKeySecret(id: key.id, secret: key.secret + "x").matches(found))
            #expect(try await fixture.store.apiKeys(email: Email("ann@example.com")!).map(\.id) == [key.id])
            #expect(try await fixture.store.apiKeys(email: Email("bob@example.com")!).isEmpty)
            #expect(try await fixture.store.revokeAPIKey(id: key.id, at: fixedDate))
            #expect(try await !fixture.store.revokeAPIKey(id: key.id, at: fixedDate))
            #expect(try await fixture.store.apiKey(id: key.id)?.isActive == false)
        }
    }

    @Test("A key parses back from its text; anything else does not", arguments: StoreBackend.allCases, [
        "", "roster_", "roster_abc_def", "roster_0123456789ab_", "roster_0123456789AB_abc", "other_0123456789ab_abc",
        "roster_0123456789ab_a/b", String(repeating: "x", count: 200),
    ])
    func keyText(_ backend: StoreBackend, _ text: String) {
        let key = APIKeySecret.generate()
        #expect(APIKeySecret(parsing: "  " + key.text + "\n") == key)
        #expect(APIKeySecret(parsing: text) == nil)
    }

    @Test("Teams, members and a person's roles are read without loading the whole state", arguments: StoreBackend.allCases)
    func listings(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            try await fixture.converge([
                team("a", members: [("bob@example.com", .dev)]), team("b", members: [("bob@example.com", .billing)]),
            ])
            try await fixture.accept("bob@example.com", in: "a")
            let summaries = try await fixture.store.teamSummaries()
            #expect(summaries.map(\.slug) == ["a", "b"])
            #expect(summaries.map(\.members) == [2, 1])
            #expect(summaries.map(\.pendingInvitations) == [0, 1])
            #expect(summaries.first?.spendLimit == "80.00")
            #expect(try await fixture.store.teamSummary("b") == summaries.last)
            #expect(try await fixture.store.teamSummary("c") == nil)
            #expect(try await fixture.store.members(team: "a")?[Email("bob@example.com")!] == .dev)
            #expect(try await fixture.store.members(team: "nope") == nil)
            #expect(try await fixture.store.roles(of: Email("bob@example.com")!) == ["a": .dev])
            #expect(try await fixture.store.pendingInvitations(teams: ["b", "a"]).map(\.team) == ["b"])
            #expect(try await fixture.store.pendingInvitations(teams: []).isEmpty)
            #expect(try await fixture.store.pendingInvitations(teams: ["a"]).isEmpty)
        }
    }
}
