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
            #expect(try await fixture.store.revokeAPIKey(id: key.id, by: "ops", at: fixedDate))
            #expect(try await !fixture.store.revokeAPIKey(id: key.id, by: "ops", at: fixedDate))
            #expect(try await fixture.store.apiKey(id: key.id)?.isActive == false)
        }
    }

    @Test("Making and revoking an API key is audited in its transaction, naming the key, never its secret", arguments: StoreBackend.allCases)
    func apiKeyAudit(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            try await fixture.converge([team("a", members: [("bob@example.com", .dev)])])
            let before = try await fixture.store.auditEntries(matching: AuditQuery()).count
            let version = try await fixture.store.stateVersion()
            let key = APIKeySecret.generate()
            _ = try await fixture.store.createAPIKey(key, email: Email("ann@example.com")!, createdBy: "ops", at: fixedDate)
            #expect(try await fixture.store.revokeAPIKey(id: key.id, by: "sec", at: fixedDate.addingTimeInterval(60)))
            // A revocation that finds nothing to revoke writes nothing.
            #expect(try await !fixture.store.revokeAPIKey(id: key.id, by: "sec", at: fixedDate.addingTimeInterval(61)))
            #expect(try await !fixture.store.revokeAPIKey(id: "000000000000", by: "sec", at: fixedDate.addingTimeInterval(61)))

            let entries = try await fixture.store.auditEntries(matching: AuditQuery(resourceType: "apikey")).sorted { $0.seq < $1.seq }
            #expect(entries.map(\.action) == ["apikey.create", "apikey.revoke"])
            #expect(entries.map(\.actor) == ["ops", "sec"])
            #expect(entries.allSatisfy { $0.resourceID == key.id && $0.resourceType == "apikey" && $0.team == nil })
            #expect(entries.first?.after == #"{"email":"ann@example.com"}"# && entries.first?.before == nil)
            #expect(entries.last?.before == #"{"email":"ann@example.com"}"# && entries.last?.after == nil)
            #expect(entries.first?.time == fixedTime)
            let all = try await fixture.store.auditEntries(matching: AuditQuery())
            #expect(all.count == before + 2)
            #expect(!all.contains { "\($0)".contains(key.secret) })
            let head = try await fixture.store.auditHead()
            #expect(try await fixture.store.verifyAudit(expectedHead: head) == .intact(count: all.count, head: head))
            // Keys are not state: a plan made before is not made stale by them.
            #expect(try await fixture.store.stateVersion() == version)
        }
    }

    @Test("A session is found by id on another connection, ends for good, and expired ones are deleted at the next sign-in", arguments: StoreBackend.allCases)
    func sessions(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            let other = try await fixture.reopen()
            let secret = "the cookie's secret"
            let id = Session.id(forSecret: secret)
            #expect(id.count == 64 && !id.contains(secret))
            let session = Session(id: id, keyID: "0123456789ab", createdAt: fixedDate, expiresAt: fixedDate.addingTimeInterval(3600))
            try await fixture.store.createSession(session)
            let found = try #require(try await other.session(id: id))
            #expect(found == session && found.isLive(at: fixedDate.addingTimeInterval(10)))
            #expect(!found.isLive(at: fixedDate.addingTimeInterval(3600)))
            #expect(try await other.session(id: Session.id(forSecret: "another")) == nil)

            // Ended on one replica, it is ended on the other, and cannot be ended twice.
            #expect(try await fixture.store.endSession(id: id, at: fixedDate.addingTimeInterval(20)))
            #expect(try await !other.endSession(id: id, at: fixedDate.addingTimeInterval(21)))
            let ended = try #require(try await other.session(id: id))
            #expect(ended.endedAt == fixedDate.addingTimeInterval(20) && !ended.isLive(at: fixedDate.addingTimeInterval(30)))

            // A sign-in after the first session expired deletes it; live ones stay.
            let short = Session(id: Session.id(forSecret: "short"), keyID: "k", createdAt: fixedDate, expiresAt: fixedDate.addingTimeInterval(60))
            try await fixture.store.createSession(short)
            let later = Session(
                id: Session.id(forSecret: "later"), keyID: "k", createdAt: fixedDate.addingTimeInterval(120),
                expiresAt: fixedDate.addingTimeInterval(7200))
            try await other.createSession(later)
            #expect(try await fixture.store.session(id: short.id) == nil)
            #expect(try await fixture.store.session(id: id) != nil)
            #expect(try await fixture.store.session(id: later.id) != nil)
            let rows = try fixture.sql(sqlite: "SELECT count(*) FROM sessions", postgres: "SELECT count(*) FROM sessions").stdout
            #expect(rows.trimmingCharacters(in: .whitespacesAndNewlines) == "2")
            await other.close()
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
