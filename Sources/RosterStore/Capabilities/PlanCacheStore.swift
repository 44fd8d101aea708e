public import RosterCore

/// The store's side of an incremental plan: what it remembers of the tree it last applied
/// (`PlanCache`, written by every apply in its transaction) and which teams changed since,
/// whoever changed them. Every write Roster makes marks the teams it touches, and so do
/// triggers on the state's tables for writes made outside Roster (a break-glass edit in
/// `sqlite3` or `psql`), which also move the state version.
public protocol PlanCacheStore: Sendable {
    /// The cache, the teams marked since it was written, the store's teams and the state
    /// version, read at one instant.
    func planBasis() async throws -> PlanBasis
    /// The state of `teams` (those the store has), their ceilings, and the state version.
    func currentState(teams: Set<String>) async throws -> CurrentState
}

/// What a plan starts from when it may reuse the last apply's work.
public struct PlanBasis: Sendable {
    /// Nil when no apply wrote one (a new or copied store, a migration).
    public var cache: PlanCache?
    /// Teams changed since the cache was written (or left unsettled by that apply).
    public var changed: Set<String>
    /// Every team in the store, by slug.
    public var teams: [String]
    public var version: Int64

    public init(cache: PlanCache?, changed: Set<String>, teams: [String], version: Int64) {
        self.cache = cache
        self.changed = changed
        self.teams = teams
        self.version = version
    }
}
