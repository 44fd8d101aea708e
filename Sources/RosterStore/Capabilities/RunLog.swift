/// The record of reconcile and apply runs.
public protocol RunLog: Sendable {
    /// Records a run that changed nothing (no changes, refused, failed).
    func record(_ run: ReconcileRun) async throws
    /// The newest runs, newest first.
    func runs(limit: Int) async throws -> [ReconcileRun]
    /// The newest run that applied changes from a git commit, however long ago.
    func lastAppliedCommitRun() async throws -> ReconcileRun?
}
