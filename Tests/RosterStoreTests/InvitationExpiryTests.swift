import Foundation
import RosterCore
import RosterStoreTestSupport
import RosterTestSupport
import Testing

@testable import RosterStore

/// Invitations that expire (`spec.invitations.expireAfter`) and are renewed, on both stores:
/// the expiry is stored with the invitation and read into the state, an expired link is
/// refused as a revoked one is, and a renewal gives a new link and is audited without it.
@Suite("Invitations: expiry and renewal")
struct InvitationExpiryTests {
    static let days14: TimeInterval = 14 * 86_400

    @Test("an invitation expires after expireAfter, answers as revoked, and renews with a new link", arguments: StoreBackend.allCases)
    func expireAndRenew(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            let teams = [team("t", members: [("bob@example.com", .dev)])]
            var rules = PlanRules(now: fixedDate, invitationExpireAfter: Self.days14, renewInvitations: true)
            try await fixture.converge(teams, rules: rules, at: fixedDate)
            let tokens = InvitationTokens(keyBytes: try SecretKeyFile.load(path: fixture.path + ".key"))
            let bob = try #require(try await fixture.store.pendingInvitation(team: "t", email: email("bob@example.com")))
            let ends = fixedDate.addingTimeInterval(Self.days14)
            #expect(bob.expiresAt == ends)
            let state = try await fixture.store.currentState()
            #expect(state.teams["t"]?.invitationExpiries == [email("bob@example.com"): ends])
            #expect(Planner.nextTimeDependentChange(team: teams[0], state: state.teams["t"], after: fixedDate) == ends)
            // Still valid a moment before; nothing to plan.
            rules.now = ends.addingTimeInterval(-1)
            #expect(try await fixture.plan(teams, rules: rules).isEmpty)

            // Expired: accepting is refused with the answer a revoked invitation gets.
            let later = ends.addingTimeInterval(3600)
            let refused = await storeError {
                try await fixture.store.acceptInvitation(id: bob.id, email: email("bob@example.com"), at: later)
            }
            #expect(refused?.kind == .notFound)
            #expect(refused?.message == InvitationTokens.notValid)

            // Renewed: the same invitation with a new nonce (so a new link) and a new expiry.
            rules.now = later
            let plan = try await fixture.plan(teams, rules: rules)
            let renewedUntil = later.addingTimeInterval(Self.days14)
            #expect(plan.changes == [
                Change(.inviteRenew, team: "t", subject: "bob@example.com", before: .time(ends), after: .time(renewedUntil))
            ])
            _ = try await fixture.store.apply(plan, context: context(at: later))
            let renewed = try #require(try await fixture.store.pendingInvitation(team: "t", email: email("bob@example.com")))
            #expect(renewed.id == bob.id)
            #expect(renewed.expiresAt == renewedUntil)
            #expect(tokens.token(for: renewed) != tokens.token(for: bob))
            #expect(!tokens.matches(tokens.token(for: bob), renewed), "the old link still works")

            let entry = try #require(try await fixture.audit().last)
            #expect(entry.action == "invite.renew")
            #expect(entry.resourceID == "t/bob@example.com")
            #expect(entry.before == "\"\(Expiry.text(ends))\"")
            #expect(entry.after == "\"\(Expiry.text(renewedUntil))\"")
            for secret in [renewed.nonce, bob.nonce, tokens.token(for: renewed)] {
                #expect(!"\(entry)".contains(secret), "the audit entry holds a secret")
            }
            // The new link works.
            try await fixture.store.acceptInvitation(id: renewed.id, email: email("bob@example.com"), at: later.addingTimeInterval(60))
            #expect(try await fixture.store.currentState().teams["t"]?.members[email("bob@example.com")] == .dev)
            guard case .intact = try await fixture.store.verifyAudit(expectedHead: nil) else {
                Issue.record("the audit chain does not verify")
                return
            }
        }
    }

    @Test("without renew an expired invitation stays, and the plan warns", arguments: StoreBackend.allCases)
    func expiredWithoutRenew(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            let teams = [team("t", members: [("bob@example.com", .dev), ("carol@example.com", .basic)])]
            var rules = PlanRules(now: fixedDate, invitationExpireAfter: 3600)
            try await fixture.converge(teams, rules: rules, at: fixedDate)
            rules.now = fixedDate.addingTimeInterval(7200)
            let plan = try await fixture.plan(teams, rules: rules)
            #expect(plan.isEmpty)
            #expect(plan.warnings.contains { $0.hasPrefix("2 invitations have expired and are not renewed") }, "\(plan.warnings)")
            // Removing one from the manifest revokes it as usual.
            let fewer = [team("t", members: [("bob@example.com", .dev)])]
            #expect(try await fixture.plan(fewer, rules: rules).changes.map(\.action) == [.inviteRevoke])
        }
    }

    @Test("invitations made without expireAfter never expire", arguments: StoreBackend.allCases)
    func noExpiry(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            try await fixture.converge([team("t", members: [("bob@example.com", .dev)])], rules: PlanRules(now: fixedDate))
            let bob = try #require(try await fixture.store.pendingInvitation(team: "t", email: email("bob@example.com")))
            #expect(bob.expiresAt == nil)
            #expect(try await fixture.store.currentState().teams["t"]?.invitationExpiries.isEmpty == true)
            try await fixture.store.acceptInvitation(id: bob.id, email: email("bob@example.com"), at: .distantFuture)
        }
    }
}
