import Foundation
import RosterCore
import RosterStoreTestSupport
import RosterTestSupport
import Testing

@testable import RosterPostgres
@testable import RosterSQLite
@testable import RosterStore

@Suite("Store copy: either backend into an empty one of the other")
struct StoreCopyTests {
    /// A store with something of everything: teams with members, pending, accepted and
    /// revoked invitations, a ceiling, runs, an API key and an audit log of several writes.
    static func populate(_ fixture: StoreFixture) async throws {
        try await fixture.store.setCeiling(team: "ml", to: SpendLimit(cents: 12_000), actor: "ops", at: fixedDate)
        try await fixture.converge([
            team("ml", spendLimit: SpendLimit(cents: 11_000), members: [("bob@example.com", .dev), ("carol@example.com", .billing)]),
            team("web", owner: "dan@example.com", members: [("erin@example.com", .basic)]),
        ])
        try await fixture.accept("bob@example.com", in: "ml")
        try await fixture.converge(
            [team("ml", spendLimit: SpendLimit(cents: 11_000), members: [("bob@example.com", .admin)]),
             team("web", owner: "dan@example.com", members: [("erin@example.com", .basic)])],
            at: fixedDate.addingTimeInterval(60))
        try await fixture.store.record(
            ReconcileRun(id: "refused-1", trigger: "interval", startedAt: fixedDate, finishedAt: fixedDate, result: .refused,
                message: "over maxRemovals",
                reason: RunReason(
                    .invalidManifests,
                    [.everyone("roster.yaml:1:1: bad"), .team("ml", .viewBilling, "ceiling"), .operators("other")])))
        _ = try await fixture.store.createAPIKey(APIKeySecret.generate(), email: email("bob@example.com"), createdBy: "ops", at: fixedDate)
    }

    @Test("everything arrives: state, invitations with their links, runs, keys, and the audit log, which verifies at the same head",
        arguments: [(StoreBackend.sqlite, StoreBackend.postgres), (.postgres, .sqlite)])
    func copy(_ from: StoreBackend, _ to: StoreBackend) async throws {
        try await StoreFixture.with(from) { source in
            try await Self.populate(source)
            try await StoreFixture.with(to) { target in
                let report = try await StoreCopy.copy(from: source.store as! any CopyableStore, to: target.store as! any CopyableStore)
                #expect(try await StoreSnapshot.of(target.store) == StoreSnapshot.of(source.store))
                #expect(try await target.store.apiKeys(email: nil) == source.store.apiKeys(email: nil))
                #expect(try await target.store.auditHead() == source.store.auditHead())
                #expect(report.auditHead == (try await source.store.auditHead()))
                #expect(report.rows["audit"] == (try await source.audit()).count)
                #expect(try await target.store.verifyAudit(expectedHead: report.auditHead) == .intact(count: report.rows["audit"]!, head: report.auditHead))
                // The same ids and nonces: the same links under the same key.
                let tokens = InvitationTokens(keyBytes: Data(repeating: 7, count: 32))
                let before = try await source.store.pendingInvitations().map(tokens.token(for:))
                #expect(!before.isEmpty)
                #expect(try await target.store.pendingInvitations().map(tokens.token(for:)) == before)
                // The copy carries on as a store: a new invitation gets a new id, and applies chain on.
                let next = try await target.plan([
                    team("ml", spendLimit: SpendLimit(cents: 11_000), members: [("bob@example.com", .admin), ("fay@example.com", .dev)]),
                    team("web", owner: "dan@example.com", members: [("erin@example.com", .basic)]),
                ])
                let applied = try await target.store.apply(next, context: context())
                #expect(applied.applied == 1)
                let ids = try await target.store.pendingInvitations().map(\.id)
                #expect(Set(ids).count == ids.count)
                #expect(try await target.store.verifyAudit(expectedHead: applied.auditHead) == .intact(count: report.rows["audit"]! + 1, head: applied.auditHead))
            }
        }
    }

    @Test("a target that holds anything is refused, and left as it was", arguments: [(StoreBackend.sqlite, StoreBackend.postgres), (.postgres, .sqlite)])
    func notEmpty(_ from: StoreBackend, _ to: StoreBackend) async throws {
        try await StoreFixture.with(from) { source in
            try await Self.populate(source)
            try await StoreFixture.with(to) { target in
                try await target.converge([team("other")])
                let before = try await StoreSnapshot.of(target.store)
                let error = await storeError {
                    _ = try await StoreCopy.copy(from: source.store as! any CopyableStore, to: target.store as! any CopyableStore)
                }
                #expect(error?.kind == .notEmpty)
                #expect(try await StoreSnapshot.of(target.store) == before)
            }
        }
    }
}
