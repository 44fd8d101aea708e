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
        var message: String?
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
                    author: run.author, result: run.result.rawValue, changes: run.changes, message: run.message)
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
