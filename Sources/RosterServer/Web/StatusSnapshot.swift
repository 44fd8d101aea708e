import Foundation
import RosterCore
import RosterStore

/// What the status page and `GET /api/v1/status` show a viewer: the reconciler, recent
/// runs, their first teams and how many pending invitations the teams where they may
/// invite hold: a summary whose size does not grow with the organisation (the lists are
/// paged on their own pages).
struct StatusSnapshot: Encodable {
    typealias Run = RunHistory.Run

    /// A refused or failed run's reason as one viewer may read it.
    struct Reason: Encodable {
        var kind: String
        /// The parts the viewer may read.
        var details: [String]
        /// How many parts were left out: they concern teams or settings the viewer may not see.
        var hidden: Int
    }

    struct Membership: Encodable {
        var team: String
        var role: String
    }

    /// A pending invitation with its link, for those who may invite in its team (the
    /// invitations list and the team pages).
    struct PendingInvitation: Encodable {
        var team: String
        var email: String
        var role: String
        var createdAt: String
        /// How long since it was made, as `3d`, `5h`, `12m`.
        var age: String
        /// When the link stops working; nil when it works until used or revoked.
        var expiresAt: String?
        /// Whether it has: an expired link answers as a revoked one until the next reconcile
        /// renews or revokes it.
        var expired: Bool
        /// `expires in 3 days` or `expired`; nil when it does not expire.
        var expiresIn: String?
        var link: String

        init(_ invitation: Invitation, _ environment: ServerEnvironment) {
            let now = environment.now()
            team = invitation.team
            email = invitation.email.value
            role = invitation.role.rawValue
            createdAt = Timestamp.string(invitation.createdAt)
            age = Expiry.shortDuration(now.timeIntervalSince(invitation.createdAt))
            expiresAt = invitation.expiresAt.map(Timestamp.string)
            expired = invitation.hasExpired(at: now)
            expiresIn = invitation.expiresAt.map { Expiry.phrase($0, now: now) }
            link = environment.tokens.link(for: invitation, baseURL: environment.configuration.linkBase)
        }
    }

    var instance: String
    var leaseHolder: String?
    var isLeader: Bool
    var lastSuccess: String?
    var nextRun: String?
    /// Changes the last run found that only undo drift; nil when unknown.
    var drift: Int?
    /// The run that found it, whose page lists each drifted change.
    var driftRun: String?
    var stateVersion: Int64
    /// The newest runs (the whole history is `/api/v1/runs`).
    var runs: [Run]
    /// The viewer's first teams by slug, and how many they are in (all: `/api/v1/teams`).
    var teams: [Membership]
    var teamsTotal: Int
    /// Pending invitations in the teams where the viewer may invite, counted up to
    /// `countedUpTo` (that number means "or more"); nil when the viewer may invite nowhere
    /// (the invitations themselves, with links: `/api/v1/invitations` and the team pages).
    var pendingInvitations: Int?

    static let runsShown = 10
    /// Pending invitations are counted up to this many ("10000 or more").
    static let countedUpTo = 10_000
    static let teamsShown = 20

    static func make(_ environment: ServerEnvironment, viewer: Viewer) async throws -> StatusSnapshot {
        let store = environment.store
        let status = environment.status
        let inviting = viewer.teams(where: .inviteMembers)
        let pending = inviting.isEmpty ? nil : try await store.pendingInvitationCount(teams: inviting, upTo: countedUpTo)
        let lease = try await store.lease(ReconcileService.leaseName)
        let lastSuccess = await status.lastSuccessAt
        let history = RunHistory(environment: environment)
        return StatusSnapshot(
            instance: environment.configuration.instance,
            leaseHolder: lease.flatMap { $0.expiresAt > environment.now() ? $0.holder : nil },
            isLeader: await status.isLeader,
            lastSuccess: lastSuccess.map(Timestamp.string),
            nextRun: await status.nextRunAt.map(Timestamp.string),
            drift: await status.drift,
            driftRun: (await status.drift ?? 0) > 0 ? await status.lastRun?.id : nil,
            stateVersion: try await store.stateVersion(),
            runs: try await store.runs(limit: runsShown).map { history.view($0, viewer) },
            teams: viewer.roles.keys.sorted().prefix(teamsShown).map { Membership(team: $0, role: viewer.roles[$0]!.rawValue) },
            teamsTotal: viewer.roles.count,
            pendingInvitations: pending)
    }

    /// The values the status template reads.
    var page: [String: Any] {
        var values: [String: Any] = [
            "isLeader": isLeader, "drift": drift.map(String.init) ?? "unknown (no run has planned yet)",
            "runs": runs.map(RunHistory.values),
            "teams": teams.map { ["team": $0.team, "role": $0.role] },
            "teamsTotal": teamsTotal,
        ]
        if teamsTotal > teams.count { values["moreTeams"] = teamsTotal - teams.count }
        if let driftRun { values["driftRun"] = driftRun }
        if let leaseHolder { values["leaseHolder"] = leaseHolder }
        if let lastSuccess { values["lastSuccess"] = lastSuccess }
        if let nextRun { values["nextRun"] = nextRun }
        if let pendingInvitations {
            values["canInvite"] = ["pending": pendingInvitations >= Self.countedUpTo ? "\(Self.countedUpTo) or more" : String(pendingInvitations)]
        }
        return values
    }
}

extension StatusSnapshot.Reason {
    init(_ reason: RunReason, for viewer: Viewer) {
        let shown = reason.items.filter(viewer.mayRead)
        self.init(kind: reason.kind.rawValue, details: shown.map(\.detail), hidden: reason.items.count - shown.count)
    }
}

extension Viewer {
    /// Whether the viewer may read `item` of a run's reason: everyone's parts, and a team's
    /// where the viewer's role there grants the part's permission; never the operators'.
    func mayRead(_ item: RunReason.Item) -> Bool {
        switch item.audience {
        case .everyone: true
        case .team: item.team.map { can(item.permission ?? .accessTeamAccount, in: $0) } ?? false
        case .operators: false
        }
    }

    /// A run's reason as the viewer may read it. A run recorded without parts (by an
    /// earlier version) shows that it has a reason, not what it is.
    func message(of run: ReconcileRun) -> String? {
        if let reason = run.reason { return reason.summary(mayRead: mayRead) }
        return run.message == nil ? nil : "details not shown here (recorded by an earlier version): see `roster status`"
    }
}
