import Testing

@testable import RosterCore

/// Every change kind against every role (and an outsider), per the permission matrix, and the
/// rules for creating and deleting teams (issue 11 §3).
@Suite struct ChangeAuthorityTests {
    static let owner = Email("owner@example.com")!
    static let admin = Email("admin@example.com")!
    static let creator = Email("ops@example.com")!
    static let outsider = Email("outsider@example.com")!
    static let byRole: [Role: Email] = [
        .admin: admin, .dev: Email("dev@example.com")!, .billing: Email("billing@example.com")!, .basic: Email("basic@example.com")!,
    ]

    /// Team `ml`, owned by `owner`, with one member of each role.
    static var state: CurrentState {
        var members: [Email: Role] = [owner: .admin]
        for (role, email) in byRole { members[email] = role }
        return CurrentState(teams: ["ml": TeamState(slug: "ml", displayName: "ML", owner: owner, members: members)])
    }

    static func change(_ action: Change.Action) -> Change {
        let newcomer = "new@example.com"
        switch action {
        case .inviteCreate: return Change(action, team: "ml", subject: newcomer, after: .role(.dev))
        case .inviteUpdate: return Change(action, team: "ml", subject: newcomer, before: .role(.dev), after: .role(.admin))
        case .inviteRevoke: return Change(action, team: "ml", subject: newcomer, before: .role(.dev))
        case .inviteRenew: return Change(action, team: "ml", subject: newcomer, before: .role(.dev), after: .role(.dev))
        case .memberRoleUpdate: return Change(action, team: "ml", subject: "dev@example.com", before: .role(.dev), after: .role(.admin))
        case .memberRemove: return Change(action, team: "ml", subject: "basic@example.com", before: .role(.basic))
        case .teamSpendLimitUpdate: return Change(action, team: "ml", subject: "ml", before: .spendLimit(.default), after: .spendLimit(SpendLimit(dollars: 50)))
        case .teamDisplayNameUpdate: return Change(action, team: "ml", subject: "ml", before: .text("ML"), after: .text("Machine learning"))
        case .teamOwnerUpdate: return Change(action, team: "ml", subject: "ml", before: .email(owner), after: .email(admin))
        case .teamDelete:
            return Change(action, team: "ml", subject: "ml", before: .team(.init(displayName: "ML", owner: owner, spendLimit: .default)))
        case .teamCreate:
            return Change(action, team: "new", subject: "new", after: .team(.init(displayName: "New", owner: Email(newcomer)!, spendLimit: .default)))
        }
    }

    static let matrixActions: [Change.Action] = Change.Action.allCases.filter { $0 != .teamCreate && $0 != .teamDelete }
    static let authors: [Role?] = Role.allCases + [nil]  // nil: not a member

    @Test(arguments: matrixActions, authors)
    func matrixChanges(action: Change.Action, role: Role?) throws {
        let author = role.map { Self.byRole[$0]! } ?? Self.outsider
        let report = ChangeAuthority.check([Self.change(action)], before: Self.state, teamCreators: [Self.creator], author: author)
        let team = try #require(report.teams.first)
        let requirement = AuthorityRequirement(for: action)
        let permission = try #require(requirement.permission)
        #expect(team.needs == [requirement])
        #expect(team.authorized == (role == .admin), "\(action) by \(role?.rawValue ?? "an outsider")")
        #expect(team.authorized == (role?.allows(permission) ?? false))
        #expect(team.missing == (team.authorized ? [] : [requirement]))
        #expect(team.authorRole == role)
        #expect(report.authorized == team.authorized)
        #expect(team.approvers == ["admin@example.com", "owner@example.com"], "the team's admins")
        #expect(report.uncoveredChanges == (team.authorized ? 0 : 1))
    }

    @Test(arguments: [
        (Change.Action.inviteCreate, AuthorityRequirement.inviteMembers), (.inviteUpdate, .inviteMembers), (.inviteRevoke, .inviteMembers),
        (.memberRoleUpdate, .manageTeamPermissions), (.memberRemove, .manageTeamPermissions),
        (.teamSpendLimitUpdate, .modifyTeamSettings), (.teamDisplayNameUpdate, .modifyTeamSettings), (.teamOwnerUpdate, .modifyTeamSettings),
        (.teamCreate, .createTeam), (.teamDelete, .deleteTeam),
    ])
    func requirementOfEachAction(action: Change.Action, requirement: AuthorityRequirement) {
        #expect(AuthorityRequirement(for: action) == requirement)
    }

    @Test(arguments: [
        ("new@example.com", true), ("ops@example.com", true), ("NEW@Example.com", true),
        ("owner@example.com", false), ("admin@example.com", false), (nil, false),
    ] as [(String?, Bool)])
    func creatingATeamNeedsItsOwnerOrATeamCreator(author: String?, allowed: Bool) throws {
        // The new team's invitations come with its creation: the creator's say covers them.
        let changes = [Self.change(.teamCreate), Change(.inviteCreate, team: "new", subject: "x@example.com", after: .role(.admin))]
        let report = ChangeAuthority.check(changes, before: Self.state, teamCreators: [Self.creator], author: author.flatMap(Email.init))
        let team = try #require(report.teams.first)
        #expect(report.teams.count == 1 && team.changes == 2)
        #expect(team.authorized == allowed, "\(author ?? "no author")")
        #expect(team.needs == [.createTeam] && team.missing == (allowed ? [] : [.createTeam]))
        #expect(team.approvers == ["new@example.com", "ops@example.com"])
    }

    @Test(arguments: [(owner, true), (admin, false), (byRole[.dev]!, false), (creator, false)])
    func deletingATeamNeedsItsOwner(author: Email, allowed: Bool) throws {
        let report = ChangeAuthority.check([Self.change(.teamDelete)], before: Self.state, teamCreators: [Self.creator], author: author)
        let team = try #require(report.teams.first)
        #expect(team.authorized == allowed, "\(author)")
        #expect(team.approvers == ["owner@example.com"])
    }

    @Test func teamsAreJudgedApartAndTheWholeNeedsEveryTeam() throws {
        var state = Self.state
        let dev = Self.byRole[.dev]!
        state.teams["web"] = TeamState(slug: "web", displayName: "Web", owner: Self.owner, members: [Self.owner: .admin, dev: .admin])
        let changes = [
            Self.change(.inviteCreate), Self.change(.memberRoleUpdate), Self.change(.teamSpendLimitUpdate),
            Change(.memberRemove, team: "web", subject: "owner@example.com", before: .role(.admin)),
        ]
        let report = ChangeAuthority.check(changes, before: state, teamCreators: [], author: dev)
        #expect(report.teams.map(\.team) == ["ml", "web"])
        #expect(!report.authorized)
        #expect(report.unauthorizedTeams.map(\.team) == ["ml"])
        #expect(report.uncoveredChanges == 3)
        let ml = report.teams[0]
        #expect(ml.needs == [.inviteMembers, .manageTeamPermissions, .modifyTeamSettings] && ml.missing == ml.needs)
        #expect(report.teams[1].authorized && report.teams[1].authorRole == .admin)
    }

    @Test func withoutAnAuthorNothingIsCovered() throws {
        let report = ChangeAuthority.check([Self.change(.inviteCreate)], before: Self.state, teamCreators: [], author: nil)
        #expect(!report.authorized && report.author == nil)
        #expect(report.teams.first?.approvers == ["admin@example.com", "owner@example.com"])
    }

    @Test func anEmptyPlanIsAuthorized() {
        let report = ChangeAuthority.check([], before: Self.state, teamCreators: [], author: nil)
        #expect(report.authorized && report.teams.isEmpty)
    }
}
