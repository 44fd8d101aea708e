public import Foundation

/// When the next scheduled run starts: the interval after a run that completed, exponential
/// backoff after failures, each with jitter. Pure, so tests can pin the random source.
public struct ReconcileSchedule: Sendable {
    public var interval: Duration
    public var jitter: Double
    public var backoffBase: Duration
    public var backoffCap: Duration

    public init(interval: Duration, jitter: Double, backoffBase: Duration, backoffCap: Duration) {
        self.interval = interval
        self.jitter = min(max(jitter, 0), 0.5)
        self.backoffBase = backoffBase
        self.backoffCap = backoffCap
    }

    /// The wait after `failures` failed runs in a row (0 after a completed run), scaled by
    /// `random` from 1 − jitter to 1 + jitter.
    public func delay(afterFailures failures: Int, using random: inout some RandomNumberGenerator) -> Duration {
        let base: Duration
        if failures == 0 {
            base = interval
        } else {
            // 2^(failures - 1) without overflowing: past the cap doubling changes nothing.
            let doublings = min(failures - 1, 30)
            base = min(backoffBase * (1 << doublings), backoffCap)
        }
        guard jitter > 0 else { return base }
        let factor = Double.random(in: (1 - jitter)...(1 + jitter), using: &random)
        return base * factor
    }

    /// The wait of `scheduled`, cut short to end at `due` (the next instant time alone
    /// changes the plan: a member's expiry) when that comes first, so access ends on time
    /// rather than at the next interval. `byExpiry` says the wait was cut, so the run is
    /// recorded as started by the expiry and not skipped as unchanged. Pure: `now` is given.
    public func delay(_ scheduled: Duration, until due: Date?, now: Date) -> (delay: Duration, byExpiry: Bool) {
        guard let due else { return (scheduled, false) }
        let left = due.timeIntervalSince(now)
        guard left < Double(scheduled.components.seconds) + Double(scheduled.components.attoseconds) / 1e18 else {
            return (scheduled, false)
        }
        return (.milliseconds(max(0, Int64((left * 1000).rounded(.up)))), true)
    }
}
