public import Foundation
public import RosterCore

/// The teams, members and invitations, and the one way to change them from git.
public protocol StateStore: Sendable {
    /// Teams, members, pending invitations, ceilings and the state version.
    func currentState() async throws -> CurrentState
    /// The state version alone, cheaply: whether anything changed since a run.
    func stateVersion() async throws -> Int64
    /// Whether the store holds any team, cheaply.
    func holdsTeams() async throws -> Bool
    /// Applies `plan` in one transaction, with one audit entry per change and the run
    /// recorded; refuses a plan made against another state version (`StoreError.stalePlan`).
    func apply(_ plan: Plan, context: ApplyContext) async throws -> ApplyReport
    /// An open feed of changes in the blocks this store writes.
    func makeChangeFeed() -> ChangeFeed
    /// Applies changes as a plan is still being made, in one transaction, as `apply(_:)`
    /// would apply the plan: refused unless the store is at `stateVersion`; once the feed
    /// has ended and all of it is written, `finish` gives the plan (and the plan cache's
    /// update). Nil, with nothing written, when the feed is abandoned or `finish` gives nil.
    func apply(
        streaming feed: ChangeFeed, stateVersion: Int64, source: Plan.Source?, context: ApplyContext,
        finish: @Sendable (ChangeFeed) async throws -> (plan: Plan, cacheUpdate: PlanCacheUpdate?)?
    ) async throws -> ApplyReport?
    /// Raises (or lowers) the spend-limit ceiling of `team`; audited. Waits up to
    /// `lockTimeout` for another writer.
    func setCeiling(team: String, to ceiling: SpendLimit, actor: String, at time: Date, lockTimeout: Duration) async throws
    /// Every team with its counts, by slug; only `slugs` when given.
    func teamSummaries(_ slugs: [String]?) async throws -> [TeamSummary]
    /// The members of `team` with their roles; nil when there is no such team.
    func members(team: String) async throws -> [Email: Role]?
    /// The teams `email` belongs to, with the role in each.
    func roles(of email: Email) async throws -> [String: Role]
}

extension StateStore {
    /// Sets the ceiling, waiting up to 30 s for another writer.
    public func setCeiling(team: String, to ceiling: SpendLimit, actor: String, at time: Date) async throws {
        try await setCeiling(team: team, to: ceiling, actor: actor, at: time, lockTimeout: .seconds(30))
    }

    /// Every team with its counts, by slug.
    public func teamSummaries() async throws -> [TeamSummary] { try await teamSummaries(nil) }

    /// One team's summary; nil when there is no such team.
    public func teamSummary(_ slug: String) async throws -> TeamSummary? { try await teamSummaries([slug]).first }
}
