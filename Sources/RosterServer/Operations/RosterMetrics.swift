import CoreMetrics
import Foundation
import Metrics
public import Prometheus

/// The server's metrics, through swift-metrics with a Prometheus registry of its own (so
/// several servers in one test process do not share counters). `/metrics` prints the registry.
public struct RosterMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    public let factory: PrometheusMetricsFactory

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        // Reconcile runs take from milliseconds (nothing to do) to a minute (a large first apply).
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .seconds(2), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(120),
        ]
        self.factory = factory
    }

    /// A run finished with `result` after `duration`.
    func run(result: String, duration: Duration) {
        Counter(label: "roster_reconcile_runs_total", dimensions: [("result", result)], factory: factory).increment()
        Metrics.Timer(label: "roster_reconcile_duration_seconds", dimensions: [], factory: factory)
            .record(duration: duration)
    }

    /// Changes applied, by action.
    func applied(_ counts: [String: Int]) {
        for (action, count) in counts {
            Counter(label: "roster_changes_applied_total", dimensions: [("action", action)], factory: factory)
                .increment(by: count)
        }
    }

    func drift(_ count: Int) {
        Gauge(label: "roster_drift_changes", dimensions: [], factory: factory).record(count)
    }

    func lastSuccess(_ date: Date) {
        Gauge(label: "roster_last_success_timestamp_seconds", dimensions: [], factory: factory)
            .record(date.timeIntervalSince1970)
    }

    func webhook(provider: String, result: String) {
        Counter(label: "roster_webhook_deliveries_total", dimensions: [("provider", provider), ("result", result)], factory: factory)
            .increment()
    }

    /// An attempt at `route` ("signin", "join") refused by the per-client rate limit.
    func rateLimited(route: String) {
        Counter(label: "roster_rate_limited_total", dimensions: [("route", route)], factory: factory).increment()
    }

    /// 1 while this process holds the reconciler's lease, 0 otherwise, labelled with its name.
    func lease(instance: String, held: Bool) {
        Gauge(label: "roster_lease_held", dimensions: [("instance", instance)], factory: factory).record(held ? 1 : 0)
    }

    /// The Prometheus text format.
    func text() -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
