import Foundation
import Testing

@testable import RosterCore

/// Temporary members: how `expires` is read and checked, what the plan makes of it at a given
/// time, and when a team's plan next changes by time alone.
@Suite struct ExpiryPlanningTests {
    static let now = Expiry.parse("2027-01-15T12:00:00Z")!

    func member(_ email: String, _ role: Role = .dev, expires: String? = nil) -> MemberManifest {
        MemberManifest(email: Email(email)!, role: role, expires: expires.map { Expiry.parse($0)! })
    }

    func team(_ members: [MemberManifest]) -> TeamManifest {
        TeamManifest(
            slug: "ml", displayName: "ML", owner: Email("alice@example.com")!,
            members: [member("alice@example.com", .admin)] + members, file: "teams/ml.yaml")
    }

    func state(members: [String: Role] = [:], invitations: [String: Role] = [:]) -> TeamState {
        var roles: [Email: Role] = [Email("alice@example.com")!: .admin]
        for (email, role) in members { roles[Email(email)!] = role }
        var pending: [Email: Role] = [:]
        for (email, role) in invitations { pending[Email(email)!] = role }
        return TeamState(slug: "ml", displayName: "ML", owner: Email("alice@example.com")!, members: roles, invitations: pending)
    }

    // MARK: Decoding

    @Test func expiresDecodesAsADayOrATime() throws {
        let text = teamDocument("t") + """
                - email: bob@example.com
                  role: dev
                  expires: 2027-01-31
                - email: carol@example.com
                  role: dev
                  expires: "2027-01-31T17:00:00+01:00"

            """
        let decoded = decode(text)
        #expect(decoded.diagnostics.isEmpty, "\(decoded.diagnostics)")
        let members = try #require(decoded.teams.first).members
        #expect(members[0].expires == nil)
        #expect(members[1].expires == Expiry.parse("2027-02-01T00:00:00Z"))
        #expect(members[1].expiresPosition == SourcePosition(line: 12, column: 16))
        #expect(members[2].expires == Expiry.parse("2027-01-31T16:00:00Z"))
    }

    @Test(arguments: ["2027-02-29", "31/01/2027", "2027-01-31T17:00", "soon"])
    func anUnparsableDateIsAnErrorAtItsLineAndColumn(value: String) throws {
        let text = teamDocument("t") + "    - email: bob@example.com\n      role: dev\n      expires: \(value)\n"
        let errors = decode(text).diagnostics
        #expect(errors.count == 1)
        let error = try #require(errors.first)
        #expect(error.severity == .error)
        #expect(error.path == "spec.members[1].expires")
        #expect(error.line == 12 && error.column == 16)
        #expect(error.message.contains("is not a date"))
    }

    @Test func theOwnerCannotExpire() throws {
        let text = teamDocument("t").replacingOccurrences(of: "      role: admin\n", with: "      role: admin\n      expires: 2030-01-01\n")
        let errors = decode(text).diagnostics
        #expect(errors.map(\.path) == ["spec.members[0].expires"])
        #expect(errors.first?.message.contains("cannot expire") == true)
    }

    @Test func expiresMustBeAString() {
        let text = teamDocument("t") + "    - email: bob@example.com\n      role: dev\n      expires: [2027]\n"
        #expect(decode(text).diagnostics.map(\.path) == ["spec.members[1].expires"])
    }

    @Test func invitationSettingsDecodeFromTheConfig() throws {
        func config(_ body: String) -> DecodedFile {
            let text = "apiVersion: roster/v1\nkind: Config\nspec:\n  invitations:\n" + body
            return ManifestDecoder.decode(SourceFile(path: "roster.yaml", bytes: Array(text.utf8)), as: .config)
        }
        let decoded = config("    expireAfter: 14d\n    renew: true\n")
        #expect(decoded.diagnostics.isEmpty, "\(decoded.diagnostics)")
        #expect(decoded.config?.invitations.expireAfter == TimeInterval(14 * 86_400))
        #expect(decoded.config?.invitations.renew == true)
        #expect(PlanRules(try #require(decoded.config), now: Self.now).invitationExpireAfter == 14 * 86_400)
        // The default: links work until used, and are never renewed.
        #expect(RosterConfig().invitations.expireAfter == nil && !RosterConfig().invitations.renew)
        for bad in ["fortnight", "14", "0d", "-3d", "14 d", "1.5d", "014d"] {
            let errors = config("    expireAfter: \(bad)\n").diagnostics
            #expect(errors.map(\.path) == ["spec.invitations.expireAfter"], "\(bad)")
            #expect(errors.first?.line == 5)
        }
        #expect(config("    renew: maybe\n").diagnostics.map(\.path) == ["spec.invitations.renew"])
        #expect(config("    expiresAfter: 14d\n").diagnostics.first?.suggestion == "expireAfter")
    }

    @Test(arguments: [("30s", 30.0), ("90m", 5400.0), ("36h", 129_600.0), ("14d", 1_209_600.0), ("2w", 1_209_600.0)])
    func durations(text: String, seconds: Double) {
        #expect(Expiry.duration(text) == seconds)
    }

    // MARK: Planning

    @Test func anExpiredMemberIsRemovedWithTheReason() {
        let desired = team([member("bob@example.com", expires: "2027-01-14"), member("erin@example.com", expires: "2027-01-15")])
        let current = CurrentState(teams: ["ml": state(members: ["bob@example.com": .dev, "erin@example.com": .dev])])
        let (plan, errors) = Planner.plan(desired: [desired], current: current, rules: PlanRules(now: Self.now), source: nil)
        #expect(errors.isEmpty)
        #expect(plan.changes == [Change(.memberRemove, team: "ml", subject: "bob@example.com", before: .role(.dev), reason: .expired)])
        #expect(PlanRenderer.line(plan.changes[0]) == "- remove bob@example.com (dev): expired")
        // The same manifests a moment before the end of the 14th: nothing to do.
        let before = Expiry.parse("2027-01-14T23:59:59Z")!
        #expect(Planner.plan(desired: [desired], current: current, rules: PlanRules(now: before), source: nil).plan.isEmpty)
    }

    @Test func anExpiredInvitationIsRevokedAndAnExpiredNewcomerNotInvited() {
        let desired = team([member("carol@example.com", expires: "2027-01-01"), member("dan@example.com", expires: "2027-01-01")])
        let current = CurrentState(teams: ["ml": state(invitations: ["carol@example.com": .dev])])
        let plan = Planner.plan(desired: [desired], current: current, rules: PlanRules(now: Self.now), source: nil).plan
        #expect(plan.changes == [Change(.inviteRevoke, team: "ml", subject: "carol@example.com", before: .role(.dev), reason: .expired)])
        // A new team does not invite them either.
        let created = Planner.plan(desired: [desired], current: CurrentState(), rules: PlanRules(now: Self.now), source: nil).plan
        #expect(created.changes.map(\.action) == [.teamCreate])
    }

    @Test func theClockIsNotReadWithoutANow() {
        // The default rules expire no one: the planner only knows the time it is given.
        let desired = team([member("bob@example.com", expires: "2001-01-01")])
        let current = CurrentState(teams: ["ml": state(members: ["bob@example.com": .dev])])
        #expect(Planner.plan(desired: [desired], current: current, rules: PlanRules(), source: nil).plan.isEmpty)
    }

    @Test func anExpiryThatBreaksMinAdminsIsRefused() {
        let desired = team([member("bob@example.com", .admin, expires: "2027-01-01")])
        let current = CurrentState(teams: ["ml": state(members: ["bob@example.com": .admin])])
        let (_, errors) = Planner.plan(desired: [desired], current: current, rules: PlanRules(minAdmins: 2, now: Self.now), source: nil)
        #expect(errors.count == 1)
        #expect(errors.first?.message.contains("fewer than minAdmins (2)") == true)
    }

    @Test func anInvitationSaysWhenItsAccessEnds() throws {
        let desired = team([member("dave@example.com", expires: "2027-01-18T12:00:00Z")])
        let plan = Planner.plan(
            desired: [desired], current: CurrentState(teams: ["ml": state()]), rules: PlanRules(now: Self.now), source: nil
        ).plan
        #expect(plan.plannedAt == "2027-01-15T12:00:00Z")
        #expect(PlanRenderer.text(plan, color: false).contains(
            "+ invite dave@example.com as dev (expires in 3 days, 2027-01-18T12:00:00Z)"))
        let saved = try JSONDecoder().decode(Plan.self, from: Data(PlanRenderer.json(plan).utf8))
        #expect(saved == plan)
    }

    @Test func anExpiredInvitationIsRenewedOnlyWhenTheRulesSaySo() {
        let ended = Expiry.parse("2027-01-10T09:00:00Z")!
        var pending = state(invitations: ["bob@example.com": .dev, "carol@example.com": .dev])
        pending.invitationExpiries = [Email("bob@example.com")!: ended, Email("carol@example.com")!: Expiry.parse("2027-02-01")!]
        let desired = team([member("bob@example.com"), member("carol@example.com")])
        let current = CurrentState(teams: ["ml": pending])
        let renewing = PlanRules(now: Self.now, invitationExpireAfter: 86_400, renewInvitations: true)
        let renewed = Planner.plan(desired: [desired], current: current, rules: renewing, source: nil).plan
        #expect(renewed.changes == [
            Change(.inviteRenew, team: "ml", subject: "bob@example.com", before: .time(ended),
                   after: .time(Self.now.addingTimeInterval(86_400)))
        ])
        #expect(PlanRenderer.line(renewed.changes[0])
            == "~ renew invitation bob@example.com: expired 2027-01-10T09:00:00Z, a new link until 2027-01-16T12:00:00Z")
        #expect(renewed.invitationExpireAfter == 86_400)
        #expect(renewed.removalCount == 0)
        let kept = Planner.plan(desired: [desired], current: current, rules: PlanRules(now: Self.now), source: nil).plan
        #expect(kept.isEmpty)
        #expect(kept.warnings == [
            "1 invitation has expired and is not renewed (spec.invitations.renew is off); `roster invite list --expired` lists them"
        ])
        // A pending invitation's expiry is a time the plan may change at.
        #expect(Planner.nextTimeDependentChange(team: desired, state: pending, after: Self.now) == Expiry.parse("2027-02-01"))
        #expect(Planner.nextTimeDependentChange(team: nil, state: pending, after: Self.now) == Expiry.parse("2027-02-01"))
    }

    // MARK: When time changes a plan

    @Test func theNextTimeDependentChangeIsTheEarliestExpiryStillAhead() {
        let desired = team([
            member("bob@example.com", expires: "2027-01-14"), member("carol@example.com", expires: "2027-03-01"),
            member("dave@example.com", expires: "2027-01-20T08:00:00Z"),
        ])
        #expect(Planner.nextTimeDependentChange(team: desired, state: state(), after: Self.now) == Expiry.parse("2027-01-20T08:00:00Z"))
        #expect(Planner.nextTimeDependentChange(team: desired, state: nil, after: Expiry.parse("2027-01-20T08:00:00Z")!)
            == Expiry.parse("2027-03-01"))
        #expect(Planner.nextTimeDependentChange(team: desired, state: nil, after: .distantFuture) == nil)
        #expect(Planner.nextTimeDependentChange(team: team([]), state: state(), after: Self.now) == nil)
        #expect(Planner.nextTimeDependentChange(team: nil, state: state(), after: Self.now) == nil)
        // Over every team: the earliest of theirs.
        var other = team([member("erin@example.com", expires: "2027-01-16")])
        other.slug = "ops"
        #expect(Planner.nextTimeDependentChange(desired: [desired, other], current: CurrentState(), after: Self.now)
            == Expiry.parse("2027-01-16"))
    }

    @Test func aPastExpiryInAChangedManifestIsAWarning() {
        var head = team([member("bob@example.com", expires: "2027-01-01")])
        head.blobID = "new"
        var base = head
        base.blobID = "old"
        let warnings = Planner.pastExpiries(in: [head], changedSince: [base], now: Self.now)
        #expect(warnings.map(\.severity) == [.warning])
        #expect(warnings.first?.path == "spec.members[1].expires")
        // Unchanged since the base: the member's access ended as intended, nothing to say.
        #expect(Planner.pastExpiries(in: [head], changedSince: [head], now: Self.now).isEmpty)
        // A new file is a change.
        #expect(Planner.pastExpiries(in: [head], changedSince: [], now: Self.now).count == 1)
    }
}
