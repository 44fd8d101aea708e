/// Wake-ups passed between processes on one store: a `roster serve` replica that receives a
/// webhook tells the one holding the lease, which runs at once. Backends that cannot
/// (one SQLite file is one machine's) do not conform; replicas then pick the push up on
/// their next interval.
public protocol ReconcileSignals: Sendable {
    /// Tells every process listening on this store that a run is wanted, and why.
    func signalReconcile(_ reason: String) async throws
    /// The reasons signalled by any process, as they come, until the task is cancelled;
    /// reconnects by itself when the database goes away and comes back.
    func reconcileSignals() -> AsyncStream<String>
}
