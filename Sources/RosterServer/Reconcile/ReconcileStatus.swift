public import Foundation
public import RosterReconcile
public import RosterStore

/// What this process knows about reconciling, for the status page, `/readyz` and metrics.
public actor ReconcileStatus {
    /// The newest run this process made.
    public private(set) var lastRun: ReconcileRun?
    /// When a run last completed (applied, nothing to do or refused: the store was reached
    /// and the manifests read).
    public private(set) var lastCompletedAt: Date?
    /// When a run last applied or found nothing to do.
    public private(set) var lastSuccessAt: Date?
    /// Changes the last planned run found that only undo drift; nil when unknown.
    public private(set) var drift: Int?
    /// Failed runs in a row.
    public private(set) var consecutiveFailures = 0
    /// Whether this process holds the reconciler's lease.
    public private(set) var isLeader = false
    /// Who holds the lease, as last seen.
    public private(set) var leaseHolder: String?
    public private(set) var nextRunAt: Date?
    /// Where the last commit this process read declares each team (the team pages' links).
    public private(set) var declarations: Reconciler.Declarations?

    public init() {}

    func recordRun(_ run: ReconcileRun, drift: Int?) {
        lastRun = run
        switch run.result {
        case .applied, .noChanges:
            lastCompletedAt = run.finishedAt
            lastSuccessAt = run.finishedAt
            consecutiveFailures = 0
        case .refused:
            lastCompletedAt = run.finishedAt
            consecutiveFailures = 0
        case .failed:
            consecutiveFailures += 1
        }
        // A refused plan can still tell its drift apart: kept whenever the run knew it.
        if let drift { self.drift = drift } else if run.result != .failed { self.drift = nil }
    }

    func recordError(at date: Date) {
        consecutiveFailures += 1
    }

    func recordLease(holder: String?, isLeader: Bool) {
        leaseHolder = holder
        self.isLeader = isLeader
    }

    func scheduleNext(at date: Date?) { nextRunAt = date }

    func recordDeclarations(_ declarations: Reconciler.Declarations) { self.declarations = declarations }
}
