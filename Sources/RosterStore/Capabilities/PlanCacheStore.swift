public import Foundation
public import RosterCore

/// The store's side of an incremental plan: what it remembers of the tree it last applied
/// (`PlanCache`, written by every apply in its transaction) and which teams changed since,
/// whoever changed them. Every write Roster makes marks the teams it touches, and so do
/// triggers on the state's tables for writes made outside Roster (a break-glass edit in
/// `sqlite3` or `psql`), which also move the state version.
public protocol PlanCacheStore: Sendable {
    /// The cache, the teams marked since it was written, the teams with a pending invitation
    /// expired by `now`, when the next one expires, the store's teams and the state version,
    /// read at one instant. With `.declaring(tree:)`, a cache of that very tree may come
    /// `partial` (see `PlanBasis.Reading`).
    func planBasis(at now: Date, reading: PlanBasis.Reading) async throws -> PlanBasis
    /// The state of `teams` (those the store has), their ceilings, and the state version.
    func currentState(teams: Set<String>) async throws -> CurrentState
    /// Writes `update` without applying anything, while the store is still at `version`:
    /// what an apply of a plan with nothing to do leaves, so the next plan starts from its
    /// tree. False (and nothing written) when the store moved on since the plan.
    func refreshPlanCache(_ update: PlanCacheUpdate, asOf version: Int64, lockTimeout: Duration) async throws -> Bool
}

extension PlanCacheStore {
    /// The whole basis: every file of the cache, every team of the store.
    public func planBasis(at now: Date) async throws -> PlanBasis { try await planBasis(at: now, reading: .all) }
}

/// What a plan starts from when it may reuse the last apply's work.
public struct PlanBasis: Sendable {
    /// How much of the cache a plan needs.
    public enum Reading: Sendable, Equatable {
        /// Every file, and every team of the store (`teams`).
        case all
        /// For a plan of `tree` that needs no declaration but those of the teams it compares:
        /// when the cache is of `tree`, complete, and knows its undeclared teams and totals,
        /// only the files that declare a marked or expired team are read (`cache.partial`),
        /// and `teams` is left empty (the cache's `undeclared` and the marked teams are the
        /// store's teams no file declares). Otherwise as `.all`.
        case declaring(tree: String)

        /// At most this many teams are looked up by name; more, and every file is read.
        public static let lookupLimit = 64
    }

    /// Nil when no apply wrote one (a new or copied store, a migration).
    public var cache: PlanCache?
    /// Teams changed since the cache was written (or left unsettled by that apply).
    public var changed: Set<String>
    /// Teams with a pending invitation whose link has expired: time alone changes their plan
    /// (a renewal, a warning), so they are compared whatever the cache says.
    public var expired: Set<String>
    /// When the next pending invitation expires, for `roster serve`'s wake-up.
    public var nextInvitationExpiry: Date?
    /// Every team in the store, by slug (none when `cache.partial`).
    public var teams: [String]
    public var version: Int64

    public init(
        cache: PlanCache?, changed: Set<String>, expired: Set<String> = [], nextInvitationExpiry: Date? = nil,
        teams: [String], version: Int64
    ) {
        self.cache = cache
        self.changed = changed
        self.expired = expired
        self.nextInvitationExpiry = nextInvitationExpiry
        self.teams = teams
        self.version = version
    }
}
