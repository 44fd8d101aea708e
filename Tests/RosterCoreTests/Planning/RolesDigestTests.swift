import Foundation
import Testing

@testable import RosterCore

/// The digests that let a plan skip a team exactly as the store holds it: what they tell apart,
/// and that the planner still finds every change when both sides have one.
@Suite struct RolesDigestTests {
    static let alice = Email("alice@example.com")!

    func digest(_ entries: [(String, Role)]) -> RolesDigest {
        var digest = RolesDigest()
        for (email, role) in entries { digest.add(Email(email)!, role) }
        return digest
    }

    @Test func theOrderDoesNotMatterButEveryAddressAndRoleDoes() {
        let team = [("a@example.com", Role.admin), ("b@example.com", .dev), ("c@example.com", .basic)]
        #expect(digest(team) == digest(team.reversed()))
        #expect(digest(team) != digest([("a@example.com", .admin), ("b@example.com", .billing), ("c@example.com", .basic)]))
        #expect(digest(team) != digest([("a@example.com", .admin), ("b@example.com", .dev), ("d@example.com", .basic)]))
        #expect(digest(team) != digest(Array(team.prefix(2))))
        // Two entries traded for two others whose hashes add up alike would still differ in
        // the squares; here simply: a swap of roles between two people is a change.
        #expect(digest(team) != digest([("a@example.com", .admin), ("b@example.com", .basic), ("c@example.com", .dev)]))
        #expect(digest(Array(team.prefix(1))) + digest(Array(team.dropFirst())) == digest(team))
    }

    /// A team of `members` (alice the owner), decoded with its digest as the decoder makes it.
    func declared(_ members: [(String, Role)]) -> TeamManifest {
        let all = [("alice@example.com", Role.admin)] + members
        var team = TeamManifest(
            slug: "ml", displayName: "ML", owner: Self.alice,
            members: all.map { MemberManifest(email: Email($0.0)!, role: $0.1) }, file: "teams/ml.yaml")
        team.rolesDigest = digest(all)
        return team
    }

    /// The store's team: alice a member, the rest invited, with the store's digest.
    func held(invited: [(String, Role)]) -> CurrentState {
        var pending: [Email: Role] = [:]
        for (email, role) in invited { pending[Email(email)!] = role }
        var state = TeamState(
            slug: "ml", displayName: "ML", owner: Self.alice, members: [Self.alice: .admin], invitations: pending)
        state.rolesDigest = digest([("alice@example.com", .admin)]) + digest(invited)
        return CurrentState(teams: ["ml": state])
    }

    func plan(_ team: TeamManifest, _ current: CurrentState) -> [String] {
        Planner.plan(desired: [team], current: current, rules: PlanRules(RosterConfig(), now: Date()), source: nil)
            .plan.changes.map { "\($0.action.rawValue) \($0.subject)" }
    }

    @Test func aTeamAsTheStoreHoldsItPlansNothingAndEveryDifferenceIsFound() {
        let invited = [("b@example.com", Role.dev), ("c@example.com", .basic)]
        #expect(plan(declared(invited), held(invited: invited)).isEmpty)
        #expect(plan(declared([("b@example.com", .billing), ("c@example.com", .basic)]), held(invited: invited))
            == ["invite.update b@example.com"])
        #expect(plan(declared([("b@example.com", .dev), ("d@example.com", .basic)]), held(invited: invited))
            == ["invite.create d@example.com", "invite.revoke c@example.com"])
    }

    @Test func changingEitherSideForgetsItsDigest() {
        var team = declared([("b@example.com", .dev)])
        team.members.append(MemberManifest(email: Email("z@example.com")!, role: .dev))
        #expect(team.rolesDigest == nil)
        var state = held(invited: [("b@example.com", .dev)]).teams["ml"]!
        state.invitations[Email("z@example.com")!] = .dev
        #expect(state.rolesDigest == nil)
        // Without digests the same answer comes from looking each member up.
        #expect(plan(team, CurrentState(teams: ["ml": state])).isEmpty)
    }
}
