public import Foundation
public import RosterCore

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
    /// The lease the writer must still hold when its transaction commits (a `roster serve`
    /// replica's); nil for a person's command. A writer that lost it writes nothing.
    public var fence: Fence?
    /// Changes of the plan that undo drift, recorded with the run.
    public var drift: RunDrift?
    /// What the plan's load writes into the plan cache; nil (a saved plan) marks the teams the
    /// plan changes instead, so the next plan compares them again.
    public var cacheUpdate: PlanCacheUpdate?

    public init(
        actor: String = "roster", onBehalfOf: String? = nil, runID: String = UUID().uuidString.lowercased(),
        now: @escaping @Sendable () -> Date = Date.init, lockTimeout: Duration = .seconds(30), trigger: String = "apply",
        fence: Fence? = nil, drift: RunDrift? = nil, cacheUpdate: PlanCacheUpdate? = nil
    ) {
        self.cacheUpdate = cacheUpdate
        self.drift = drift
        self.fence = fence
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

    public init(runID: String, applied: Int, stateVersion: Int64, auditHead: AuditHead?) {
        self.runID = runID
        self.applied = applied
        self.stateVersion = stateVersion
        self.auditHead = auditHead
    }
}


/// A lease a write is fenced by: it applies only while `holder` still holds lease `name`
/// (checked inside the write's transaction, so a writer paused past its lease's expiry
/// cannot write after another took over).
public struct Fence: Sendable, Equatable {
    public var name: String
    public var holder: String

    public init(name: String, holder: String) {
        self.name = name
        self.holder = holder
    }
}
