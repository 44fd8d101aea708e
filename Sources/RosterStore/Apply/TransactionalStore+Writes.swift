public import Foundation
public import RosterCore

// The backend-neutral writes: what applying a plan, accepting an invitation and setting a
// ceiling do, and in which order, over any backend's `StoreTransaction`.
extension TransactionalStore {
    /// Applies `plan` in one transaction: refused unless the store is still at the plan's
    /// state version (and, with a fence, the writer still holds its lease); one audit entry
    /// per change, chained after the log's head; the state version bumped once; the run
    /// recorded.
    public func apply(_ plan: Plan, context: ApplyContext) async throws -> ApplyReport {
        let feed = ChangeFeed(plan.changes, invitationExpireAfter: plan.invitationExpireAfter, blockSize: Transaction.rowsPerBlock)
        // A finished plan's feed is never abandoned, and its plan is the one it was made of.
        return try await apply(
            feed, stateVersion: plan.stateVersion, source: plan.source, context: context,
            isBulk: plan.changes.count >= WritePurpose.bulkChanges
        ) { _ in (plan, context.cacheUpdate) }!
    }

    public func makeChangeFeed() -> ChangeFeed { ChangeFeed(blockSize: Transaction.rowsPerBlock) }

    /// Applies the changes `feed` delivers as they come, in one transaction, as `apply(_:)`
    /// does; once the feed has ended and every change in it is written, `finish` gives the
    /// plan they are (and the plan cache's update). When the feed is abandoned, or `finish`
    /// gives nil or a plan of other changes, everything is rolled back and nil is returned.
    public func apply(
        streaming feed: ChangeFeed, stateVersion: Int64, source: Plan.Source?, context: ApplyContext,
        finish: @Sendable (ChangeFeed) async throws -> (plan: Plan, cacheUpdate: PlanCacheUpdate?)?
    ) async throws -> ApplyReport? {
        do {
            // A streamed apply is a first apply: every team and invitation of the manifests.
            return try await apply(feed, stateVersion: stateVersion, source: source, context: context, isBulk: true, finish: finish)
        } catch {
            // Whatever stopped the writer (the sealer ends with the feed), nothing was written.
            if feed.isAbandoned { return nil }
            // The producer stops feeding a writer that is gone.
            feed.abandon()
            throw error
        }
    }

    private func apply(
        _ feed: ChangeFeed, stateVersion: Int64, source: Plan.Source?, context: ApplyContext, isBulk: Bool,
        finish: (ChangeFeed) async throws -> (plan: Plan, cacheUpdate: PlanCacheUpdate?)?
    ) async throws -> ApplyReport? {
        let started = context.now()
        let purpose = WritePurpose(
            trigger: context.trigger, actor: context.actor, lockTimeout: context.lockTimeout, isBulk: isBulk)
        return try await withTransaction(purpose) { transaction in
            // First, before the state version's lock: a writer outside Roster then waits for
            // this transaction at its first row instead of holding one the triggers' lock needs.
            try await transaction.suspendChangeMarks()
            try await Self.requireFence(context.fence, transaction, now: context.now())
            let version = try await transaction.lockedStateVersion()
            guard version == stateVersion else {
                throw StoreError(
                    .stalePlan,
                    "stale plan: it was made against store version \(stateVersion), the store is now at version \(version); plan again")
            }
            let write = AuditWrite(
                time: Timestamp.string(context.now()), actor: context.actor, onBehalfOf: context.onBehalfOf,
                commit: source?.commit, runID: context.runID)
            let head = try await transaction.auditHead()
            let sealer = BackgroundSealer<Transaction.AuditRows>(feed, of: write, continuing: AuditSealer(after: head, write))
            defer { sealer.stop() }
            // An invitation names who invited: the commit's author when the change came from git.
            // The plan says how long links work; they start now, when they are made (the
            // feed knows once its first block is in).
            let now = context.now
            let (written, last) = try await transaction.write(
                feed, sealedBy: sealer, inviter: context.onBehalfOf ?? context.actor, write: write
            ) { feed.invitationExpireAfter.map { Timestamp.string(now().addingTimeInterval($0)) } }
            let auditHead = last.map { AuditHead(seq: $0.lastSeq, hash: AuditChain.hex($0.lastDigest)) } ?? head
            guard !feed.isAbandoned, let (plan, cacheUpdate) = try await finish(feed),
                plan.changes.count == written, plan.stateVersion == stateVersion
            else {
                feed.abandon()
                throw CancellationError()
            }
            // The plan was made against this very state version, so after it every team is
            // what the load declares, but for the unsettled ones; a saved plan's load is not
            // at hand, and the teams it changed are compared again next time.
            if let cacheUpdate {
                try await transaction.updatePlanCache(cacheUpdate)
            } else if !plan.changes.isEmpty {
                try await transaction.markChanged(Set(plan.changes.map(\.team)))
            }
            try await transaction.resumeChangeMarks()
            var newVersion = version
            if !plan.changes.isEmpty {
                try await transaction.finishAudit(write, firstSeq: (head?.seq ?? 0) + 1, lastSeq: auditHead!.seq)
                newVersion += 1
                try await transaction.setStateVersion(newVersion)
            }
            let runID = try await transaction.record(
                ReconcileRun(
                    id: context.runID, trigger: context.trigger, startedAt: started, finishedAt: context.now(),
                    repository: plan.source?.repository, ref: plan.source?.ref, commit: plan.source?.commit,
                    author: context.onBehalfOf, result: plan.changes.isEmpty ? .noChanges : .applied,
                    changes: plan.changes.count, message: Self.expiryMessage(plan), stateVersion: newVersion,
                    drift: context.drift))
            return ApplyReport(runID: runID, applied: plan.changes.count, stateVersion: newVersion, auditHead: auditHead)
        }
    }

    public func refreshPlanCache(_ update: PlanCacheUpdate, asOf version: Int64, lockTimeout: Duration) async throws -> Bool {
        let purpose = WritePurpose(trigger: "apply", actor: "roster", lockTimeout: lockTimeout)
        return try await withTransaction(purpose) { transaction in
            // A change made since the plan is marked; the cache must not clear that mark.
            guard try await transaction.lockedStateVersion() == version else { return false }
            try await transaction.updatePlanCache(update)
            return true
        }
    }

    /// Makes the invitee a member with the invitation's role, if `id` is pending and `email`
    /// is the invitee's; audited as `invite.accept` by `email`.
    public func acceptInvitation(id: Int64, email: Email, at date: Date, lockTimeout: Duration) async throws {
        let purpose = WritePurpose(trigger: "accept", actor: email.value, lockTimeout: lockTimeout)
        try await withTransaction(purpose) { transaction in
            // Every write takes the state version first: two people accepting one invitation
            // at once are then one after the other, and the second finds it accepted.
            let version = try await transaction.lockedStateVersion()
            // An expired link gets the answer a revoked one gets.
            guard let invitation = try await transaction.invitation(id: id), invitation.isUsable(at: date),
                invitation.email == email
            else { throw StoreError(.notFound, InvitationTokens.notValid) }
            let write = AuditWrite(time: Timestamp.string(date), actor: email.value, onBehalfOf: nil, commit: nil, runID: nil)
            try await transaction.accept(invitation, at: write.time)
            try await Self.appendEntry(
                .inviteAccept, resourceTeam: invitation.team, subject: email.value, before: nil,
                after: ChangeValue.role(invitation.role).jsonText, write: write, version: version, transaction)
        }
    }

    /// Raises (or lowers) the spend-limit ceiling of `team`; audited. Nothing happens when it
    /// is already `ceiling`.
    public func setCeiling(team: String, to ceiling: SpendLimit, actor: String, at date: Date, lockTimeout: Duration) async throws {
        let purpose = WritePurpose(trigger: "ceiling", actor: actor, lockTimeout: lockTimeout)
        try await withTransaction(purpose) { transaction in
            let version = try await transaction.lockedStateVersion()
            let current = try await transaction.ceiling(team: team)
            guard current != ceiling else { return }
            let write = AuditWrite(time: Timestamp.string(date), actor: actor, onBehalfOf: nil, commit: nil, runID: nil)
            try await transaction.setCeiling(team: team, to: ceiling, by: actor, at: write.time)
            try await Self.appendEntry(
                .spendLimitCeilingUpdate, resourceTeam: team, subject: nil, before: current.jsonNumber,
                after: ceiling.jsonNumber, write: write, version: version, transaction)
        }
    }

    /// Stores a new API key for `email`, audited as `apikey.create` by `createdBy` in the
    /// same transaction. The entry names the key's id and person, never its secret.
    public func createAPIKey(_ key: APIKeySecret, email: Email, createdBy: String, at time: Date) async throws -> APIKey {
        let record = APIKey(id: key.id, email: email, secretHash: key.hash, createdAt: time, createdBy: createdBy)
        try await withTransaction(WritePurpose(trigger: "apikey", actor: createdBy, lockTimeout: .seconds(30))) { transaction in
            // Taken for its lock: audit entries are appended one writer at a time.
            _ = try await transaction.lockedStateVersion()
            try await transaction.insert(record)
            let write = AuditWrite(time: Timestamp.string(time), actor: createdBy, onBehalfOf: nil, commit: nil, runID: nil)
            try await Self.appendEntry(
                .apiKeyCreate, resourceTeam: key.id, subject: nil, team: nil, before: nil, after: Self.keyJSON(record),
                write: write, transaction)
        }
        return record
    }

    /// Revokes the key with `id`, audited as `apikey.revoke` by `actor`; false when there is
    /// no active key with `id` (and nothing is written).
    public func revokeAPIKey(id: String, by actor: String, at time: Date) async throws -> Bool {
        try await withTransaction(WritePurpose(trigger: "apikey", actor: actor, lockTimeout: .seconds(30))) { transaction in
            _ = try await transaction.lockedStateVersion()
            let write = AuditWrite(time: Timestamp.string(time), actor: actor, onBehalfOf: nil, commit: nil, runID: nil)
            guard let record = try await transaction.revokeAPIKey(id: id, at: write.time) else { return false }
            try await Self.appendEntry(
                .apiKeyRevoke, resourceTeam: id, subject: nil, team: nil, before: Self.keyJSON(record), after: nil,
                write: write, transaction)
            return true
        }
    }

    /// What an applied run says of changes time alone made: a count, naming no team, since
    /// every viewer may read a run's message (the audit entries name each one).
    static func expiryMessage(_ plan: Plan) -> String? {
        let expired = plan.changes.count { $0.reason == .expired }
        guard expired > 0 else { return nil }
        return "\(expired) member\(expired == 1 ? "" : "s") removed or invitation\(expired == 1 ? "" : "s") revoked: expired"
    }

    /// `{"email":…}`: what an API key's audit entries record of it.
    private static func keyJSON(_ key: APIKey) -> String { "{\"email\":\(AuditChain.quote(key.email.value))}" }

    /// Appends one entry for a change made outside a plan, and bumps the state version.
    private static func appendEntry(
        _ action: AuditAction, resourceTeam: String, subject: String?, before: String?, after: String?,
        write: AuditWrite, version: Int64, _ transaction: Transaction
    ) async throws {
        try await appendEntry(
            action, resourceTeam: resourceTeam, subject: subject, team: resourceTeam, before: before, after: after,
            write: write, transaction)
        try await transaction.setStateVersion(version + 1)
    }

    /// Appends one entry after the log's head.
    private static func appendEntry(
        _ action: AuditAction, resourceTeam: String, subject: String?, team: String?, before: String?, after: String?,
        write: AuditWrite, _ transaction: Transaction
    ) async throws {
        var sealer = AuditSealer(after: try await transaction.auditHead(), write)
        var rows = Transaction.AuditRows(capacity: 1, write: write)
        sealer.seal(action, resourceTeam: resourceTeam, subject: subject, team: team, before: before, after: after, into: &rows)
        try await transaction.appendAudit(rows, of: write)
        try await transaction.finishAudit(write, firstSeq: sealer.seq, lastSeq: sealer.seq)
    }

    private static func requireFence(_ fence: Fence?, _ transaction: Transaction, now: Date) async throws {
        guard let fence else { return }
        guard try await transaction.holdsLease(fence, at: now) else {
            throw StoreError(
                .fenced,
                "\(fence.holder) no longer holds the lease \(fence.name) (another replica took over); nothing was applied")
        }
    }
}

extension AuditSealer {
    /// A sealer for the entries of `write`, following `head`.
    init(after head: AuditHead?, _ write: AuditWrite) {
        self.init(
            after: head, time: write.time, actor: write.actor, onBehalfOf: write.onBehalfOf, commit: write.commit,
            runID: write.runID)
    }
}

extension InvitationTokens {
    /// The one answer for unknown, revoked, accepted and mismatched tokens.
    public static let notValid = "this invitation link is not valid (or not for that email address)"
}
