
/// Where Roster keeps the current state, the audit log and the record of runs: every
/// capability a command or `roster serve` needs, composed. Backends: `SQLiteStore`
/// (RosterSQLite, embedded, the default) and `PostgresStore` (RosterPostgres). Each
/// implements the reads and a `StoreTransaction`; applying plans, accepting invitations and
/// raising ceilings are the backend-neutral algorithms of `TransactionalStore`.
public protocol Store: StateStore, PlanCacheStore, AuditLog, RunLog, InvitationStore, LeaseStore, APIKeyStore, SessionStore {
    /// Where the store is, with any password left out: safe to print.
    var displayName: String { get }
    /// Ends the store's connections; the store is not used afterwards.
    func close() async
}

extension Store {
    public func close() async {}
}
