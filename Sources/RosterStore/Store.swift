public import Foundation
public import RosterCore

/// Where Roster keeps the current state, the audit log and the record of runs. Backends:
/// `SQLiteStore` (embedded, the default); PostgreSQL can follow without touching planning.
public protocol Store: Sendable {
    /// Teams, members, pending invitations and the state version.
    func currentState() async throws -> CurrentState
    /// Applies `plan` in one transaction, with one audit entry per change and the run
    /// recorded; refuses a plan made against another state version (`StoreError.stalePlan`).
    func apply(_ plan: Plan, context: ApplyContext) async throws -> ApplyReport
    /// Records a run that changed nothing (no changes, refused, failed).
    func record(_ run: ReconcileRun) async throws
    /// The newest runs, newest first.
    func runs(limit: Int) async throws -> [ReconcileRun]
    /// The newest run that applied changes from a git commit, however long ago.
    func lastAppliedCommitRun() async throws -> ReconcileRun?
    /// Audit entries matching `query`, oldest first.
    func auditEntries(matching query: AuditQuery) async throws -> [AuditEntry]
    /// Checks the whole chain; with `expectedHead`, also that nothing was cut off the end.
    func verifyAudit(expectedHead: AuditHead?) async throws -> AuditChain.Verdict
    /// The last entry's `seq:hash`, nil for an empty log.
    func auditHead() async throws -> AuditHead?
    /// Pending invitations, by team then email.
    func pendingInvitations() async throws -> [Invitation]
    /// The pending invitation for `email` in `team`, if any.
    func pendingInvitation(team: String, email: Email) async throws -> Invitation?
    /// The invitation with `id`, whatever its status.
    func invitation(id: Int64) async throws -> Invitation?
    /// Makes the invitee a member with the invitation's role, if `id` is pending and `email`
    /// is the invitee's; audited as `invite.accept` by `email`.
    func acceptInvitation(id: Int64, email: Email, at time: Date) async throws
    /// Raises (or lowers) the spend-limit ceiling of `team`; audited.
    func setCeiling(team: String, to ceiling: SpendLimit, actor: String, at time: Date) async throws

    // MARK: What `roster serve` needs

    /// The state version alone, cheaply: whether anything changed since a run.
    func stateVersion() async throws -> Int64
    /// Every team with its counts, by slug.
    func teamSummaries() async throws -> [TeamSummary]
    /// Pending invitations of `teams` only, by team then email (what one admin may see,
    /// without reading a large organisation's every invitation).
    func pendingInvitations(teams: [String]) async throws -> [Invitation]
    /// One team's summary; nil when there is no such team.
    func teamSummary(_ slug: String) async throws -> TeamSummary?
    /// The members of `team` with their roles; nil when there is no such team.
    func members(team: String) async throws -> [Email: Role]?
    /// The teams `email` belongs to, with the role in each.
    func roles(of email: Email) async throws -> [String: Role]

    /// Takes or renews the lease `name` for `holder` when it is free, expired or already
    /// `holder`'s, for `ttl` from `now`; returns whoever holds it afterwards.
    func acquireLease(_ name: String, holder: String, ttl: Duration, now: Date) async throws -> Lease
    /// Gives the lease up, if `holder` has it, so another may take it at once.
    func releaseLease(_ name: String, holder: String) async throws
    /// The lease's current record, expired or not; nil if never taken or released.
    func lease(_ name: String) async throws -> Lease?

    /// Stores a new API key (hashed) for `email`.
    func createAPIKey(_ key: APIKeySecret, email: Email, createdBy: String, at time: Date) async throws -> APIKey
    /// The key with `id`, active or revoked.
    func apiKey(id: String) async throws -> APIKey?
    /// Keys, newest first; only `email`'s when given.
    func apiKeys(email: Email?) async throws -> [APIKey]
    /// Revokes the key; false when there is no active key with `id`.
    func revokeAPIKey(id: String, at time: Date) async throws -> Bool
}

/// Who applies a plan and on whose behalf, for the audit log and the run record.
public struct ApplyContext: Sendable {
    /// The reconciler's identity (`roster` unless configured) or a person's email.
    public var actor: String
    /// The commit's author for changes from git.
    public var onBehalfOf: String?
    public var runID: String
    public var now: @Sendable () -> Date
    /// How long to wait for another writer before giving up (`StoreError.locked`).
    public var lockTimeout: Duration
    /// What the run is, for `roster status` ("apply", "reconcile").
    public var trigger: String

    public init(
        actor: String = "roster", onBehalfOf: String? = nil, runID: String = UUID().uuidString.lowercased(),
        now: @escaping @Sendable () -> Date = Date.init, lockTimeout: Duration = .seconds(30), trigger: String = "apply"
    ) {
        self.actor = actor
        self.onBehalfOf = onBehalfOf
        self.runID = runID
        self.now = now
        self.lockTimeout = lockTimeout
        self.trigger = trigger
    }
}

/// What an apply did.
public struct ApplyReport: Sendable, Equatable {
    public var runID: String
    public var applied: Int
    public var stateVersion: Int64
    public var auditHead: AuditHead?
}

/// One reconcile or apply run.
public struct ReconcileRun: Sendable, Equatable, Codable {
    public enum Result: String, Sendable, Codable { case applied, noChanges = "no-changes", refused, failed }

    public var id: String
    public var trigger: String
    public var startedAt: Date
    public var finishedAt: Date
    public var repository: String?
    public var ref: String?
    public var commit: String?
    public var author: String?
    public var result: Result
    public var changes: Int
    public var message: String?

    public init(
        id: String, trigger: String, startedAt: Date, finishedAt: Date, repository: String? = nil, ref: String? = nil,
        commit: String? = nil, author: String? = nil, result: Result, changes: Int = 0, message: String? = nil
    ) {
        self.id = id
        self.trigger = trigger
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.repository = repository
        self.ref = ref
        self.commit = commit
        self.author = author
        self.result = result
        self.changes = changes
        self.message = message
    }
}

/// An invitation as the store holds it. Its link is derived from `id` and `nonce` with
/// the secret key (see `InvitationTokens`); the store alone cannot make one.
public struct Invitation: Sendable, Equatable {
    public enum Status: String, Sendable { case pending, accepted, revoked }

    public var id: Int64
    public var team: String
    public var email: Email
    public var role: Role
    public var status: Status
    public var createdBy: String
    public var createdAt: Date
    public var nonce: String
}

/// Filters for `roster audit`, all optional.
public struct AuditQuery: Sendable, Equatable {
    /// Inclusive lower and exclusive upper bound, RFC 3339 UTC with milliseconds.
    public var since: String?
    public var until: String?
    /// Matches the actor or `onBehalfOf`, case-insensitively.
    public var user: String?
    public var resourceType: String?
    public var resourceID: String?
    public var action: String?
    public var team: String?
    /// Only entries of these teams (what a person may see); nil for all.
    public var teams: [String]?
    /// Only the newest `limit` entries (still printed oldest first).
    public var limit: Int?

    public init(
        since: String? = nil, until: String? = nil, user: String? = nil, resourceType: String? = nil,
        resourceID: String? = nil, action: String? = nil, team: String? = nil, teams: [String]? = nil, limit: Int? = nil
    ) {
        self.teams = teams
        self.since = since
        self.until = until
        self.user = user
        self.resourceType = resourceType
        self.resourceID = resourceID
        self.action = action
        self.team = team
        self.limit = limit
    }
}

/// A store failure a user can act on. Maps to SPEC's exit codes: `stalePlan` and `locked`
/// are refusals (3), the rest errors (1).
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable { case stalePlan, locked, notFound, invalid, corrupt, io }
    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
