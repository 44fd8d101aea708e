/// The record of reconcile and apply runs.
public protocol RunLog: Sendable {
    /// Records a run that changed nothing (no changes, refused, failed); a no-change run that
    /// repeats the newest record (`ReconcileRun.isRepeated(by:)`) is counted on it instead.
    func record(_ run: ReconcileRun) async throws
    /// One page of the history, newest first, and how many records match in all.
    func runs(_ query: RunQuery) async throws -> RunPage
    /// The run recorded under `id`.
    func run(id: String) async throws -> ReconcileRun?
    /// The newest run that applied changes from a git commit, however long ago.
    func lastAppliedCommitRun() async throws -> ReconcileRun?
}

extension RunLog {
    /// The newest runs, newest first.
    public func runs(limit: Int) async throws -> [ReconcileRun] { try await runs(RunQuery(limit: limit)).runs }
}

/// Which records a page of the run history shows.
public struct RunQuery: Sendable, Equatable {
    /// Only runs with this result.
    public var result: ReconcileRun.Result?
    /// Only runs older than the one recorded under this id (the previous page's last).
    public var before: String?
    public var limit: Int

    public init(result: ReconcileRun.Result? = nil, before: String? = nil, limit: Int = 50) {
        self.result = result
        self.before = before
        self.limit = limit
    }
}

/// A page of the run history.
public struct RunPage: Sendable, Equatable {
    public var runs: [ReconcileRun]
    /// Records matching the query's result filter, on every page.
    public var total: Int
    /// Whether older records follow (ask again with `before` the last run's id).
    public var hasMore: Bool

    public init(runs: [ReconcileRun], total: Int, hasMore: Bool) {
        self.runs = runs
        self.total = total
        self.hasMore = hasMore
    }
}
