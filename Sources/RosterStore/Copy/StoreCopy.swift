public import RosterCore

/// A store that can be read whole and loaded whole: what `roster store copy` needs of a backend.
public protocol CopyableStore: Store {
    /// Hands every record to `sink`, a page at a time, from one consistent snapshot, in an
    /// order that loads (users, teams, ceilings, memberships, invitations, runs, API keys,
    /// the audit log, the state version). Leases are not copied: they belong to running
    /// processes, not to the data.
    func export(_ sink: (StoreRecords) async throws -> Void) async throws
    /// Runs `body` with a loader inside one transaction of this store, which must be empty
    /// (`StoreError.notEmpty` otherwise): everything `body` loads lands, or nothing does.
    func importing(_ body: (any StoreLoader) async throws -> Void) async throws
}

/// Loads records into a store inside `CopyableStore.importing`.
public protocol StoreLoader: AnyObject {
    func load(_ records: StoreRecords) async throws
}

/// What `roster store copy` did.
public struct StoreCopyReport: Sendable, Equatable {
    /// Rows copied, by kind (`teams`, `audit`, …).
    public var rows: [String: Int]
    /// The copied log's head, verified in the target.
    public var auditHead: AuditHead?
    public var stateVersion: Int64
}

/// Moves a whole store into an empty one (either backend to either), then verifies that
/// the target's audit chain is intact and ends at the source's head.
public enum StoreCopy {
    public static func copy(from source: any CopyableStore, to target: any CopyableStore) async throws -> StoreCopyReport {
        var rows: [String: Int] = [:]
        var version: Int64 = 0
        try await target.importing { loader in
            try await source.export { records in
                switch records {
                case .stateVersion(let value): version = value
                default: rows[records.kind, default: 0] += records.count
                }
                try await loader.load(records)
            }
        }
        let sourceHead = try await source.auditHead()
        switch try await target.verifyAudit(expectedHead: sourceHead) {
        case .intact(let count, let head):
            guard count == rows["audit", default: 0], head == sourceHead else {
                throw StoreError(
                    .corrupt,
                    "the copied audit log has \(count) entries ending at \(head.map { "\($0)" } ?? "nothing"), the source's ends at \(sourceHead.map { "\($0)" } ?? "nothing")")
            }
            return StoreCopyReport(rows: rows, auditHead: head, stateVersion: version)
        case .broken(let seq, let reason):
            throw StoreError(.corrupt, "the copied audit log does not verify at entry \(seq): \(reason)")
        }
    }
}

extension StoreRecords {
    /// The kind's name, as reports print it.
    public var kind: String {
        switch self {
        case .users: "users"
        case .teams: "teams"
        case .ceilings: "ceilings"
        case .memberships: "memberships"
        case .invitations: "invitations"
        case .runs: "runs"
        case .apiKeys: "apiKeys"
        case .audit: "audit"
        case .stateVersion: "stateVersion"
        }
    }
}
