import CoreMetrics
import Metrics
public import RosterNotify
public import ServiceLifecycle

/// Keeps the notifier for as long as the server runs. Listed before the reconcile service,
/// it is shut down after it (ServiceLifecycle stops services in reverse order), so the last
/// run's events are queued before the queue drains, for at most `drainLimit`.
public struct NotificationService: Service {
    let notifier: Notifier
    let drainLimit: Duration

    public init(notifier: Notifier, drainLimit: Duration = .seconds(5)) {
        self.notifier = notifier
        self.drainLimit = drainLimit
    }

    public func run() async throws {
        // Returns on graceful shutdown; throws on cancellation, which ends the service too.
        try? await gracefulShutdown()
        await notifier.finish(within: drainLimit)
    }
}

extension RosterMetrics {
    /// One notification result: `roster_notifications_total{result}`.
    public func notification(_ result: Notifier.Result) {
        Counter(label: "roster_notifications_total", dimensions: [("result", result.rawValue)], factory: factory).increment()
    }
}
