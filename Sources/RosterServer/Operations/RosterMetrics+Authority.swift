import CoreMetrics
import Metrics
import RosterCore

extension RosterMetrics {
    /// A run checked whether its commit's author held the permissions its changes need:
    /// `roster_reconcile_authority_total{result="authorized"|"unauthorized"}` counts such runs,
    /// `roster_reconcile_unauthorized_changes` holds the last one's changes the author lacked
    /// permissions for (no team label: 10,000 teams would be 10,000 series).
    func authority(_ authority: ChangeAuthority) {
        let result = authority.authorized ? "authorized" : "unauthorized"
        Counter(label: "roster_reconcile_authority_total", dimensions: [("result", result)], factory: factory).increment()
        Gauge(label: "roster_reconcile_unauthorized_changes", dimensions: [], factory: factory).record(authority.uncoveredChanges)
    }
}
