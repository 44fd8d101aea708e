import Foundation
import RosterCore
import RosterStoreTestSupport
import Testing

@testable import RosterSQLite
@testable import RosterStore

/// Applies large enough for the bulk paths: audit rows sealed and laid out on another thread
/// in blocks of 64 (a statement's worth), invitations inserted 64 at a time.
@Suite("SQLite store: large applies")
struct LargeApplyTests {
    /// A team of `members` people (the owner among them): one team.create and `members - 1`
    /// invite.create changes.
    static func bigTeam(_ slug: String, members: Int) -> TeamManifest {
        team(slug, members: (1..<members).map { ("user\($0)@example.com", Role.allCases[$0 % 4]) })
    }

    @Test(
        "every change gets its entry, in plan order, chained across block boundaries and into the next write",
        arguments: [1, 63, 64, 65, 128, 130])
    func blocks(changes: Int) async throws {
        try await StoreFixture.with { fixture in
            let plan = try await fixture.plan([Self.bigTeam("big", members: changes)])
            #expect(plan.changes.count == changes)
            let report = try await fixture.store.apply(plan, context: context())

            let entries = try await fixture.audit()
            #expect(entries.map(\.seq) == Array(1...Int64(changes)))
            #expect(entries.map(\.action) == plan.changes.map(\.action.rawValue))
            #expect(entries.map(\.resourceID) == plan.changes.map(\.resourceID))
            #expect(entries.map(\.after) == plan.changes.map { $0.after?.jsonText })
            #expect(entries.allSatisfy { $0.hash == AuditChain.hash($0) })
            #expect(report.auditHead == AuditHead(seq: Int64(changes), hash: entries.last?.hash ?? ""))
            #expect(try await fixture.store.verifyAudit(expectedHead: report.auditHead) == .intact(count: changes, head: report.auditHead))
            #expect(try await fixture.store.pendingInvitations().count == changes - 1)

            // The next write continues the chain from where the blocks ended.
            let next = try await fixture.store.apply(
                try await fixture.plan([Self.bigTeam("big", members: changes), Self.bigTeam("next", members: 70)]),
                context: context(at: fixedDate.addingTimeInterval(1)))
            #expect(next.auditHead?.seq == Int64(changes + 70))
            #expect(try await fixture.store.verifyAudit(expectedHead: next.auditHead) == .intact(count: changes + 70, head: next.auditHead))
        }
    }

    @Test("a plan of 20,000 changes whose last change is wrong rolls back whole, and applies without it")
    func failsAtTheEnd() async throws {
        try await StoreFixture.with { fixture in
            try await fixture.converge([team("t")])
            let before = try await StoreSnapshot.of(fixture.store)
            var plan = try await fixture.plan([team("t"), Self.bigTeam("big", members: 20_000)])
            // The sealing thread runs its 256 blocks ahead and waits for the writer when the
            // writer fails.
            plan.changes.append(Change(.memberRemove, team: "t", subject: "zoe@example.com", before: .role(.dev)))
            let error = await storeError { _ = try await fixture.store.apply(plan, context: context()) }
            #expect(error?.kind == .invalid)
            #expect(try await StoreSnapshot.of(fixture.store) == before)

            plan.changes.removeLast()
            let report = try await fixture.store.apply(plan, context: context())
            #expect(report.applied == 20_000)
            #expect(try await fixture.store.verifyAudit(expectedHead: report.auditHead) == .intact(count: 20_001, head: report.auditHead))
            #expect(try await fixture.store.currentState().teams["big"]?.invitations.count == 19_999)
        }
    }
}
