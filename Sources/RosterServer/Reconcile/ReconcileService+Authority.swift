import Logging
import RosterCore
import RosterReconcile

extension ReconcileService {
    /// The metric and the log line for a run whose commit's author lacked permissions for
    /// some of its changes (a warning: the run applies anyway, see `Reconciler.checkAuthority`).
    func recordAuthority(_ outcome: Reconciler.RunOutcome, log: Logger) {
        guard let authority = outcome.plan?.authority else { return }
        metrics.authority(authority)
        guard !authority.authorized else { return }
        let teams = authority.unauthorizedTeams
        log.warning(
            "the commit's author lacks permissions for some changes",
            metadata: [
                "author": "\(authority.author ?? "-")", "changes": "\(authority.uncoveredChanges)",
                "teams": "\(teams.prefix(10).map(\.team).joined(separator: ","))\(teams.count > 10 ? ",…" : "")",
            ])
    }
}
