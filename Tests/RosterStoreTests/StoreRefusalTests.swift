import Foundation
import RosterTestSupport
import RosterCore
import RosterStoreTestSupport
import Testing

@testable import RosterSQLite
@testable import RosterStore

@Suite("Store: stale plans")
struct StalePlanTests {
    /// What moves the store between planning and applying.
    enum Interference: String, CaseIterable, Sendable {
        case otherApply, invitationAccepted, ceilingRaised
    }

    @Test(arguments: StoreBackend.allCases, Interference.allCases)
    func stalePlanIsRefusedWhole(_ backend: StoreBackend, _ interference: Interference) async throws {
        try await StoreFixture.with(backend) { fixture in
            let members: [(String, Role)] = [("bob@example.com", .dev)]
            try await fixture.converge([team("t", members: members)])
            // The saved plan: invite erin, raise nothing else.
            let saved = try await fixture.plan([team("t", members: members + [("erin@example.com", .basic)])])
            #expect(saved.changes.map(\.action) == [.inviteCreate])

            switch interference {
            case .otherApply:
                try await fixture.converge([team("t", members: members + [("frank@example.com", .dev)])])
            case .invitationAccepted:
                try await fixture.accept("bob@example.com", in: "t")
            case .ceilingRaised:
                try await fixture.store.setCeiling(team: "t", to: SpendLimit(cents: 10_000), actor: "ops@example.com", at: fixedDate)
            }
            let before = try await StoreSnapshot.of(fixture.store)
            #expect(before.state.version == saved.stateVersion + 1)

            let error = await storeError { _ = try await fixture.store.apply(saved, context: context()) }
            #expect(error?.kind == .stalePlan)
            #expect(error?.message.contains("stale plan") == true)
            #expect(try await StoreSnapshot.of(fixture.store) == before)
            #expect(try await fixture.store.pendingInvitation(team: "t", email: email("erin@example.com")) == nil)
        }
    }

    @Test("a plan made against a newer version than the store's is refused too", arguments: StoreBackend.allCases)
    func planFromTheFuture(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            var plan = try await fixture.plan([team("t")])
            plan.stateVersion = 7
            let error = await storeError { _ = try await fixture.store.apply(plan, context: context()) }
            #expect(error?.kind == .stalePlan)
            #expect(try await fixture.store.currentState() == CurrentState())
            #expect(try await fixture.audit().isEmpty)
            #expect(try await fixture.store.runs(limit: 10).isEmpty)
        }
    }
}

/// Hand-edited or otherwise malformed plans, against the store's current version: the store
/// refuses them and rolls the whole transaction back, including changes before the bad one.
@Suite("Store: malformed plans roll back whole")
struct MalformedPlanTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var change: Change
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "member.remove of someone who is not a member",
             change: Change(.memberRemove, team: "t", subject: "zoe@example.com", before: .role(.dev))),
        Case(name: "member.remove of the owner",
             change: Change(.memberRemove, team: "t", subject: "alice@example.com", before: .role(.admin))),
        Case(name: "member.role.update demoting the owner",
             change: Change(.memberRoleUpdate, team: "t", subject: "alice@example.com", before: .role(.admin), after: .role(.dev))),
        Case(name: "member.role.update of someone who is not a member",
             change: Change(.memberRoleUpdate, team: "t", subject: "zoe@example.com", before: .role(.dev), after: .role(.admin))),
        Case(name: "team.spend_limit.update above the ceiling",
             change: Change(
                .teamSpendLimitUpdate, team: "t", subject: "t", before: .spendLimit(.default),
                after: .spendLimit(SpendLimit(cents: 50_000)))),
        Case(name: "team.spend_limit.update of an unknown team",
             change: Change(
                .teamSpendLimitUpdate, team: "nope", subject: "nope", before: .spendLimit(.default),
                after: .spendLimit(SpendLimit(cents: 100)))),
        Case(name: "team.owner.update to someone who is only invited",
             change: Change(
                .teamOwnerUpdate, team: "t", subject: "t", before: .email(email("alice@example.com")),
                after: .email(email("carol@example.com")))),
        Case(name: "team.owner.update to a member who is not an admin",
             change: Change(
                .teamOwnerUpdate, team: "t", subject: "t", before: .email(email("alice@example.com")),
                after: .email(email("bob@example.com")))),
        Case(name: "invite.update without a pending invitation",
             change: Change(.inviteUpdate, team: "t", subject: "zoe@example.com", before: .role(.dev), after: .role(.admin))),
        Case(name: "invite.revoke without a pending invitation",
             change: Change(.inviteRevoke, team: "t", subject: "bob@example.com", before: .role(.dev))),
        Case(name: "invite.create of a second pending invitation",
             change: Change(.inviteCreate, team: "t", subject: "carol@example.com", after: .role(.admin))),
        Case(name: "invite.create in an unknown team",
             change: Change(.inviteCreate, team: "nope", subject: "zoe@example.com", after: .role(.dev))),
        Case(name: "invite.create of a member",
             change: Change(.inviteCreate, team: "t", subject: "bob@example.com", after: .role(.dev))),
        Case(name: "team.display_name.update of an unknown team",
             change: Change(.teamDisplayNameUpdate, team: "nope", subject: "nope", before: .text("x"), after: .text("y"))),
        Case(name: "team.delete of an unknown team", change: Change(.teamDelete, team: "nope", subject: "nope")),
        Case(name: "team.create of a team that exists",
             change: Change(
                .teamCreate, team: "t", subject: "t",
                after: .team(.init(displayName: "T", owner: email("zoe@example.com"), spendLimit: .default)))),
        Case(name: "team.create above the default ceiling",
             change: Change(
                .teamCreate, team: "rich", subject: "rich",
                after: .team(.init(displayName: "Rich", owner: email("zoe@example.com"), spendLimit: SpendLimit(cents: 90_000))))),
        Case(name: "member.role.update whose value is not a role",
             change: Change(
                .memberRoleUpdate, team: "t", subject: "bob@example.com", before: .role(.dev),
                after: .email(email("x@example.com")))),
        Case(name: "team.spend_limit.update without a value", change: Change(.teamSpendLimitUpdate, team: "t", subject: "t")),
    ]

    @Test(arguments: StoreBackend.allCases, cases)
    func refusedWhole(_ backend: StoreBackend, _ scenario: Case) async throws {
        try await StoreFixture.with(backend) { fixture in
            // Team t: owner alice, bob (dev) joined, carol (billing) invited.
            try await fixture.converge([team("t", members: [("bob@example.com", .dev), ("carol@example.com", .billing)])])
            try await fixture.accept("bob@example.com", in: "t")
            let before = try await StoreSnapshot.of(fixture.store)

            // Valid changes first, so a partial apply would show.
            let plan = Plan(
                source: Plan.Source(repository: "test", commit: fixedCommit), stateVersion: before.state.version,
                changes: [
                    Change(.teamDisplayNameUpdate, team: "t", subject: "t", before: .text("T"), after: .text("Renamed")),
                    Change(.inviteCreate, team: "t", subject: "erin@example.com", after: .role(.dev)),
                    scenario.change,
                ], warnings: [])
            let error = await storeError { _ = try await fixture.store.apply(plan, context: context()) }
            #expect(error != nil)
            #expect(error?.kind != .locked)
            #expect(try await StoreSnapshot.of(fixture.store) == before)
            let verdict = try await fixture.store.verifyAudit(expectedHead: nil)
            #expect(verdict == .intact(count: before.audit.count, head: before.audit.last.map { AuditHead(seq: $0.seq, hash: $0.hash) }))

            // The store is still usable: the valid part applies on its own.
            var valid = plan
            valid.changes.removeLast()
            _ = try await fixture.store.apply(valid, context: context())
            #expect(try await fixture.store.currentState().teams["t"]?.displayName == "Renamed")
        }
    }

    /// SPEC section 5: removing the owner or a spend limit above the ceiling is an error
    /// (exit 1), while a stale plan is a refusal (exit 3). A hand-edited plan made against
    /// the store's current version cannot be stale, yet the store calls it `.stalePlan`
    /// ("plan again"), which would send the user round in circles.
    @Test(
        "a malformed plan against the current version is reported as invalid, not stale",
        arguments: StoreBackend.allCases, [cases[1], cases[2], cases[4]])
    func malformedIsNotStale(_ backend: StoreBackend, _ scenario: Case) async throws {
        try await StoreFixture.with(backend) { fixture in
            try await fixture.converge([team("t", members: [("bob@example.com", .dev)])])
            let version = try await fixture.store.currentState().version
            let plan = Plan(source: nil, stateVersion: version, changes: [scenario.change], warnings: [])
            let error = await storeError { _ = try await fixture.store.apply(plan, context: context()) }
            #expect(error != nil)
            #expect(error?.kind == .invalid)
        }
    }
}
