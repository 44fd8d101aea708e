import Logging
import PostgresNIO
public import RosterStore

/// LISTEN/NOTIFY on one channel carries the wake-ups.
extension PostgresStore: ReconcileSignals {
    static let signalChannel = "roster_reconcile"

    public func signalReconcile(_ reason: String) async throws {
        let logger = logger
        try await withConnection { connection in
            try await Self.execute("SELECT pg_notify(\(Self.signalChannel), \(reason))", on: connection, logger)
        }
    }

    public func reconcileSignals() -> AsyncStream<String> {
        let client = client
        let logger = logger
        return AsyncStream { continuation in
            let listener = Task {
                // One connection held for listening; after it fails (the database restarted),
                // listen again after a pause.
                while !Task.isCancelled {
                    do {
                        try await client.withConnection { connection in
                            try await connection.listen(on: Self.signalChannel) { notifications in
                                for try await notification in notifications { continuation.yield(notification.payload) }
                            }
                        }
                    } catch {
                        logger.debug("listening for reconcile signals failed; retrying", metadata: ["error": "\(error)"])
                    }
                    try? await Task.sleep(for: .seconds(1))
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in listener.cancel() }
        }
    }
}
