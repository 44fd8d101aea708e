public import Foundation
public import RosterCore

/// One write transaction of a backend: the primitives that applying a plan, accepting an
/// invitation and setting a ceiling are made of (`TransactionalStore`). Each backend writes
/// these in its own SQL; what they add up to, and in which order, is decided once, in
/// `TransactionalStore+Writes.swift`.
///
/// A transaction is used by one task at a time, from `TransactionalStore.withTransaction`'s
/// body only, and not after the body returns.
public protocol StoreTransaction: AnyObject {
    /// The backend's layout of audit rows, filled on the sealing thread.
    associatedtype AuditRows: AuditRowLayout

    /// Entries the sealer hands over at a time, and changes `perform` gets at a time.
    static var rowsPerBlock: Int { get }

    /// The state version, read so that no other write can change it before this
    /// transaction ends.
    func lockedStateVersion() async throws -> Int64
    /// Sets the state version (one more than `lockedStateVersion()` after any change).
    func setStateVersion(_ version: Int64) async throws
    /// Whether `fence.holder` still holds the lease `fence.name` at `now`, read so that the
    /// lease cannot change hands before this transaction ends.
    func holdsLease(_ fence: Fence, at now: Date) async throws -> Bool

    /// Carries out `changes` in order, each checked to find the store as the plan expected;
    /// a change that does not throws `ApplyRejection.error`. Invitations name `inviter`, and
    /// new ones expire at `invitationsExpireAt` (nil: never). `invite.renew` gives the
    /// invitation a new nonce (so a new link) and its `after` expiry. Consecutive calls
    /// continue the same plan.
    func perform(
        _ changes: ArraySlice<Change>, inviter: String, at time: String, invitationsExpireAt: String?
    ) async throws

    /// Writes the changes `feed` delivers until it ends, each block as `perform` does and
    /// then its audit entries, from `sealer`, as `appendAudit` does; new invitations expire
    /// at `invitationsExpireAt()`, asked once the first block is in. Returns how many changes
    /// were written and the last block of entries. The default takes a turn of the backend
    /// for each call; a backend may write the whole stream in one.
    func write(
        _ feed: ChangeFeed, sealedBy sealer: BackgroundSealer<AuditRows>, inviter: String, write: AuditWrite,
        invitationsExpireAt: @escaping @Sendable () -> String?
    ) async throws -> (written: Int, last: BackgroundSealer<AuditRows>.Block?)

    /// The audit log's last entry, read inside the transaction: the chain continues from it.
    func auditHead() async throws -> AuditHead?
    /// Appends entries sealed after the head, in order; all of one `write`.
    func appendAudit(_ rows: AuditRows, of write: AuditWrite) async throws
    /// Ends `write`'s entries: they run from `firstSeq` to `lastSeq`.
    func finishAudit(_ write: AuditWrite, firstSeq: Int64, lastSeq: Int64) async throws

    /// Stops the state tables' triggers from marking changed teams until
    /// `resumeChangeMarks()`, for the rest of this transaction only: an apply marks what it
    /// changed itself, once, instead of a trigger firing for each of a million rows.
    func suspendChangeMarks() async throws
    /// Turns the triggers back on (before the transaction commits).
    func resumeChangeMarks() async throws
    /// Marks `teams` as changed since the plan cache was written.
    func markChanged(_ teams: Set<String>) async throws
    /// Writes `update` into the plan cache and leaves only its unsettled teams marked.
    func updatePlanCache(_ update: PlanCacheUpdate) async throws

    /// Records a run, or counts it on the newest record when it repeats it
    /// (`ReconcileRun.isRepeated(by:)`); returns the id it is recorded under.
    func record(_ run: ReconcileRun) async throws -> String

    /// The invitation with `id`, whatever its status.
    func invitation(id: Int64) async throws -> Invitation?
    /// Makes `invitation`'s invitee a member with its role (admin for the team's owner) and
    /// marks it accepted.
    func accept(_ invitation: Invitation, at time: String) async throws

    /// The approved spend-limit ceiling of `team` (80.00 unless raised).
    func ceiling(team: String) async throws -> SpendLimit
    /// Sets it.
    func setCeiling(team: String, to ceiling: SpendLimit, by actor: String, at time: String) async throws

    /// Stores a new API key (its hash, never its secret).
    func insert(_ key: APIKey) async throws
    /// Marks the key with `id` revoked at `time`; the key as it was, nil when there is no
    /// active key with `id`.
    func revokeAPIKey(id: String, at time: String) async throws -> APIKey?
}

extension StoreTransaction {
    public func write(
        _ feed: ChangeFeed, sealedBy sealer: BackgroundSealer<AuditRows>, inviter: String, write: AuditWrite,
        invitationsExpireAt: @escaping @Sendable () -> String?
    ) async throws -> (written: Int, last: BackgroundSealer<AuditRows>.Block?) {
        var expireAt: String?
        var index = 0
        var written = 0
        var last: BackgroundSealer<AuditRows>.Block?
        while let changes = await feed.block(index) {
            if index == 0 { expireAt = invitationsExpireAt() }
            try await perform(changes, inviter: inviter, at: write.time, invitationsExpireAt: expireAt)
            guard let block = await sealer.block(index) else { throw CancellationError() }
            try await appendAudit(block.rows, of: write)
            last = block
            written += changes.count
            index += 1
        }
        return (written, last)
    }
}

/// A store whose writes are `StoreTransaction`s: it gets `apply`, `acceptInvitation`,
/// `setCeiling`, `createAPIKey` and `revokeAPIKey` from the backend-neutral algorithms.
public protocol TransactionalStore: Sendable {
    associatedtype Transaction: StoreTransaction

    /// Runs `body` in one write transaction: committed when `body` returns, rolled back
    /// when it throws. Waits up to `purpose.lockTimeout` for other writers
    /// (`StoreError.locked`, naming who holds the lock where the backend knows).
    func withTransaction<Result: Sendable>(
        _ purpose: WritePurpose, _ body: (Transaction) async throws -> Result
    ) async throws -> Result
}

/// Why a write transaction is taken, for the lock's holder and its timeout.
public struct WritePurpose: Sendable {
    /// "apply", "reconcile", "accept", "ceiling", …
    public var trigger: String
    public var actor: String
    public var lockTimeout: Duration
    /// A write of many rows into a store that holds no team (a first apply, a store copy),
    /// which a backend may write another way: SQLite then writes its file through a
    /// rollback journal instead of the write-ahead log, when nothing else has it open.
    public var isBulk: Bool

    /// Changes from which an apply is a bulk write (`isBulk`).
    public static let bulkChanges = 5_000

    public init(trigger: String, actor: String, lockTimeout: Duration, isBulk: Bool = false) {
        self.trigger = trigger
        self.actor = actor
        self.lockTimeout = lockTimeout
        self.isBulk = isBulk
    }
}

/// What every audit entry of one write shares, stored once per write by backends that can.
public struct AuditWrite: Sendable, Equatable {
    public var time: String
    public var actor: String
    public var onBehalfOf: String?
    public var commit: String?
    /// Nil for changes a person makes outside runs (accepting, ceilings).
    public var runID: String?

    public init(time: String, actor: String, onBehalfOf: String?, commit: String?, runID: String?) {
        self.time = time
        self.actor = actor
        self.onBehalfOf = onBehalfOf
        self.commit = commit
        self.runID = runID
    }
}

/// A backend's rows for sealed audit entries. Filled on the sealing thread, so that laying
/// rows out costs the writer nothing.
public protocol AuditRowLayout: Sendable {
    /// Room for `capacity` entries, all of `write`.
    init(capacity: Int, write: AuditWrite)
    /// Adds the next entry.
    mutating func add(_ entry: SealedAuditEntry)
    /// Entries added.
    var count: Int { get }
}

/// One sealed entry, as handed to `AuditRowLayout.add` (valid for that call only).
public struct SealedAuditEntry {
    public var seq: Int64
    public var action: AuditAction
    /// The resource id is `resourceTeam/subject`, or `resourceTeam` alone when `subject` is nil.
    public var resourceTeam: String
    public var subject: String?
    public var team: String?
    /// JSON text, nil for none.
    public var before: String?
    public var after: String?
    /// The entry's SHA-256, 32 bytes.
    public var digest: UnsafeRawBufferPointer

    /// The action's name.
    public var actionName: String { action.rawValue }
    public var resourceType: String { action.resourceType.rawValue }
}
