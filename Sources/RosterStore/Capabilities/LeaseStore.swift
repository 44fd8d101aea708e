public import Foundation

/// Named leases with a time to live: one reconciler per store across processes and machines.
public protocol LeaseStore: Sendable {
    /// Takes or renews the lease `name` for `holder` when it is free, expired or already
    /// `holder`'s, for `ttl` from `now`; returns whoever holds it afterwards.
    func acquireLease(_ name: String, holder: String, ttl: Duration, now: Date) async throws -> Lease
    /// Gives the lease up, if `holder` has it, so another may take it at once.
    func releaseLease(_ name: String, holder: String) async throws
    /// The lease's current record, expired or not; nil if never taken or released.
    func lease(_ name: String) async throws -> Lease?
}
