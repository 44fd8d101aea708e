import Foundation
import RosterCore
import RosterStore

/// What the status page and `GET /api/v1/status` show a viewer: the reconciler, recent
/// runs, their teams, and pending invitations (with links) in the teams where their role
/// may invite members.
struct StatusSnapshot: Encodable {
    struct Run: Encodable {
        var id: String
        var trigger: String
        var startedAt: String
        var finishedAt: String
        var commit: String?
        var author: String?
        var result: String
        var changes: Int
        /// The run's reason, as much of it as the viewer may read.
        var message: String?
        var reason: Reason?
    }

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

    struct PendingInvitation: Encodable {
        var team: String
        var email: String
        var role: String
        var createdAt: String
        var link: String
    }

    var instance: String
    var leaseHolder: String?
    var isLeader: Bool
    var lastSuccess: String?
    var nextRun: String?
    /// Changes the last run found that only undo drift; nil when unknown.
    var drift: Int?
    var stateVersion: Int64
    var runs: [Run]
    var teams: [Membership]
    /// Nil when the viewer may invite in no team (as opposed to none pending).
    var invitations: [PendingInvitation]?

    static func make(_ environment: ServerEnvironment, viewer: Viewer) async throws -> StatusSnapshot {
        let store = environment.store
        let status = environment.status
        let inviting = viewer.teams(where: .inviteMembers)
        var invitations: [PendingInvitation]?
        if !inviting.isEmpty {
            invitations = try await store.pendingInvitations(teams: inviting).map { invitation in
                PendingInvitation(
                    team: invitation.team, email: invitation.email.value, role: invitation.role.rawValue,
                    createdAt: Timestamp.string(invitation.createdAt),
                    link: environment.tokens.link(for: invitation, baseURL: environment.configuration.linkBase))
            }
        }
        let lease = try await store.lease(ReconcileService.leaseName)
        let lastSuccess = await status.lastSuccessAt
        return StatusSnapshot(
            instance: environment.configuration.instance,
            leaseHolder: lease.flatMap { $0.expiresAt > environment.now() ? $0.holder : nil },
            isLeader: await status.isLeader,
            lastSuccess: lastSuccess.map(Timestamp.string),
            nextRun: await status.nextRunAt.map(Timestamp.string),
            drift: await status.drift,
            stateVersion: try await store.stateVersion(),
            runs: try await store.runs(limit: 20).map { run in
                Run(
                    id: run.id, trigger: run.trigger, startedAt: Timestamp.string(run.startedAt),
                    finishedAt: Timestamp.string(run.finishedAt), commit: run.commit.map { String($0.prefix(12)) },
                    author: run.author, result: run.result.rawValue, changes: run.changes,
                    message: viewer.message(of: run), reason: run.reason.map { Reason($0, for: viewer) })
            },
            teams: viewer.roles.sorted { $0.key < $1.key }.map { Membership(team: $0.key, role: $0.value.rawValue) },
            invitations: invitations)
    }

    /// The values the status template reads.
    var page: [String: Any] {
        var values: [String: Any] = [
            "isLeader": isLeader, "drift": drift.map(String.init) ?? "unknown (no run has planned yet)",
            "runs": runs.map { run -> [String: Any] in
                [
                    "startedAt": run.startedAt, "trigger": run.trigger, "commit": run.commit ?? "", "author": run.author ?? "",
                    "result": run.result, "changes": run.changes, "message": run.message ?? "",
                ]
            },
            "teams": teams.map { ["team": $0.team, "role": $0.role] },
        ]
        if let leaseHolder { values["leaseHolder"] = leaseHolder }
        if let lastSuccess { values["lastSuccess"] = lastSuccess }
        if let nextRun { values["nextRun"] = nextRun }
        if let invitations {
            values["canInvite"] = true
            values["invitations"] = invitations.map {
                ["team": $0.team, "email": $0.email, "role": $0.role, "createdAt": $0.createdAt, "link": $0.link]
            }
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
