public import Foundation
public import RosterCore
public import RosterReconcile
public import RosterStore

/// The events a finished run makes. Pure but for the invitations, which are read from the
/// store after the run (their ids and nonces make the links).
public enum RunEvents {
    /// The run's own events: applied, refused or failed, and drift found. A run with no
    /// changes and no drift makes none.
    public static func events(for outcome: Reconciler.RunOutcome, linkBase: String?, now: Date = Date()) -> [NotificationEvent] {
        guard let run = outcome.run else { return [] }
        return events(for: run, plan: outcome.plan, drift: outcome.drift, linkBase: linkBase, now: now)
    }

    /// The events of `run`, which applied or refused `plan` and found `drift`.
    public static func events(for run: ReconcileRun, plan: Plan?, drift: Int?, linkBase: String?, now: Date = Date()) -> [NotificationEvent] {
        let url = linkBase.map { base in (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/runs/" + run.id }
        let summary = plan.map { String(PlanRenderer.summaryLine($0).dropFirst("Plan: ".count).dropLast()) }
        let about = NotificationEvent.Run(
            id: run.id, result: run.result.rawValue, trigger: run.trigger, repository: run.repository, ref: run.ref,
            commit: run.commit, changes: run.changes, summary: run.result == .failed ? nil : summary,
            reason: run.result == .refused || run.result == .failed ? run.message : nil, drift: drift, url: url)
        let at = revision(run)
        let page = url.map { " " + $0 } ?? ""
        var events: [NotificationEvent] = []
        switch run.result {
        case .applied:
            let changes = "\(run.changes) change\(run.changes == 1 ? "" : "s")"
            events.append(NotificationEvent(
                event: .runApplied, time: now, text: "Roster applied \(changes) from \(at) (\(summary ?? "")).\(page)", run: about))
        case .refused:
            events.append(NotificationEvent(
                event: .runRefused, time: now,
                text: "Roster refused to apply \(at): \(oneLine(run.message ?? "refused")). Nothing was applied.\(page)",
                run: about))
        case .failed:
            events.append(NotificationEvent(
                event: .runFailed, time: now, text: "Roster could not reconcile \(at): \(oneLine(run.message ?? "failed")).\(page)",
                run: about))
        case .noChanges:
            break
        }
        if let drift, drift > 0 {
            let healed = run.result == .applied ? " and undid them" : ""
            events.append(NotificationEvent(
                event: .driftFound, time: now,
                text: "Roster found \(drift) change\(drift == 1 ? "" : "s") made outside git\(healed) (\(at)).\(page)", run: about))
        }
        return events
    }

    /// An event for a run that could not even be recorded (the store or the repository out
    /// of reach): no run page, the error as the reason.
    public static func error(_ error: any Error, trigger: String, now: Date = Date()) -> NotificationEvent {
        let reason = oneLine(String(describing: error))
        return NotificationEvent(
            event: .runFailed, time: now, text: "Roster could not reconcile (trigger \(trigger)): \(reason).",
            run: NotificationEvent.Run(
                id: "", result: "failed", trigger: trigger, changes: 0, reason: reason))
    }

    /// The invitations `run` created or renewed, at most `limit`, with their links when
    /// `tokens` is given. The run's audit entries name them (`team/email`); the pending
    /// invitations of their teams give the id and nonce a link needs.
    public static func invitations(
        of run: ReconcileRun, store: any Store, tokens: InvitationTokens?, linkBase: String, limit: Int, now: Date = Date()
    ) async throws -> (events: [NotificationEvent], left: Int) {
        guard run.result == .applied, limit > 0 else { return ([], 0) }
        var wanted: [(kind: NotificationEvent.Kind, team: String, email: String)] = []
        var left = 0
        for action in NotificationEvent.Kind.invitationActions {
            guard let kind = NotificationEvent.Kind.invitation(action: action) else { continue }
            // One more than room, to know whether some are left out.
            let room = limit - wanted.count
            let entries = try await store.auditEntries(matching: AuditQuery(action: action, runID: run.id, limit: room + 1))
            for entry in entries {
                guard let team = entry.team, let slash = entry.resourceID.firstIndex(of: "/") else { continue }
                if wanted.count == limit { left += 1; continue }
                wanted.append((kind, team, String(entry.resourceID[entry.resourceID.index(after: slash)...])))
            }
        }
        guard !wanted.isEmpty else { return ([], left) }
        let teams = Array(Set(wanted.map(\.team))).sorted()
        var pending: [String: RosterStore.Invitation] = [:]
        for invitation in try await store.pendingInvitations(teams: teams) {
            pending[invitation.team + "/" + invitation.email.value] = invitation
        }
        var events: [NotificationEvent] = []
        for item in wanted {
            // Accepted or revoked since the run: nothing to deliver.
            guard let invitation = pending[item.team + "/" + item.email] else { continue }
            let link = tokens?.link(for: invitation, baseURL: linkBase)
            let verb = item.kind == .invitationRenewed ? "renewed the invitation of" : "invited"
            events.append(NotificationEvent(
                event: item.kind, time: now,
                text: "Roster \(verb) \(invitation.email.value) to \(invitation.team) as \(invitation.role.rawValue)"
                    + (link.map { ": " + $0 } ?? "."),
                run: NotificationEvent.Run(
                    id: run.id, result: run.result.rawValue, trigger: run.trigger, repository: run.repository, ref: run.ref,
                    commit: run.commit, changes: run.changes, url: linkBase.isEmpty ? nil : linkBase + "/runs/" + run.id),
                invitation: NotificationEvent.Invitation(
                    team: invitation.team, email: invitation.email.value, role: invitation.role.rawValue, link: link)))
        }
        return (events, left)
    }

    /// `ref@commit` (12 hex digits), or whatever the run knows of its source.
    static func revision(_ run: ReconcileRun) -> String {
        let commit = run.commit.map { String($0.prefix(12)) }
        switch (run.ref, commit) {
        case (let ref?, let commit?): return "\(ref)@\(commit)"
        case (nil, let commit?): return commit
        case (let ref?, nil): return ref
        case (nil, nil): return run.repository ?? "the manifests"
        }
    }

    /// A reason on one line, control characters escaped: chat shows one message per event.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ").printable
    }
}
