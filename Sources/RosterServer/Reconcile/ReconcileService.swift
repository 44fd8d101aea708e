public import Foundation
public import Logging
#if canImport(Glibc)
import Glibc
#endif
import RosterCore
public import RosterNotify
public import RosterReconcile
public import RosterStore
public import ServiceLifecycle

/// The controller: keeps the store in step with the repository. It runs on an interval
/// (with jitter), at once when triggered (webhooks), with backoff after failures, and only
/// while it holds the store's reconciler lease, so one process per store applies and
/// another takes over when it dies. On graceful shutdown a run in flight finishes (its
/// transaction commits or rolls back as a whole) and the lease is released.
public struct ReconcileService: Service {
    /// The lease's name in the store.
    public static let leaseName = "reconciler"

    /// Builds the run for a trigger ("startup", "interval", "webhook:github", …), skipping it
    /// when the source and store are still at `skip` (a run that was refused or failed
    /// there is retried on the next change, not on every tick).
    public typealias RequestFactory = @Sendable (_ trigger: String, _ skip: Reconciler.Checkpoint?) -> Reconciler.RunRequest

    let store: any Store
    let configuration: ServerConfiguration
    let makeRequest: RequestFactory
    let trigger: ReconcileTrigger
    let status: ReconcileStatus
    let metrics: RosterMetrics
    let logger: Logger
    let now: @Sendable () -> Date
    /// Where each run's events go (`--notify-url`); only the lease holder runs, so only it sends.
    public var notifier: Notifier?

    public init(
        store: any Store, configuration: ServerConfiguration, makeRequest: @escaping RequestFactory,
        trigger: ReconcileTrigger, status: ReconcileStatus, metrics: RosterMetrics, logger: Logger,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.store = store
        self.configuration = configuration
        self.makeRequest = makeRequest
        self.trigger = trigger
        self.status = status
        self.metrics = metrics
        self.logger = logger
        self.now = now
    }

    public func run() async throws {
        metrics.lease(instance: configuration.instance, held: false)
        await withTaskCancellationOrGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await keepLease() }
                group.addTask { await reconcileLoop() }
                if let signals = store as? any ReconcileSignals {
                    group.addTask { await relaySignals(signals) }
                }
                // The loop ends on shutdown, after any run in flight; then the lease keeper stops.
                await group.next()
                group.cancelAll()
            }
        } onCancelOrGracefulShutdown: {
            Task { await trigger.close() }
        }
        // Released whether or not the last renewal said we held it (a renewal that failed under
        // load may have said no): it deletes only this process's own lease.
        let wasLeader = await status.isLeader
        try? await store.releaseLease(Self.leaseName, holder: configuration.instance)
        await status.recordLease(holder: nil, isLeader: false)
        metrics.lease(instance: configuration.instance, held: false)
        if wasLeader { logger.info("released the reconciler lease") }
    }

    // MARK: The lease

    private func keepLease() async {
        let renewal = configuration.leaseTTL / 3
        while !Task.isCancelled {
            if await trigger.closed { break }
            await refreshLease()
            try? await Task.sleep(for: renewal)
        }
    }

    private func refreshLease() async {
        let wasLeader = await status.isLeader
        let previousHolder = await status.leaseHolder
        do {
            let lease = try await store.acquireLease(
                Self.leaseName, holder: configuration.instance, ttl: configuration.leaseTTL, now: now())
            let isLeader = lease.holder == configuration.instance
            await status.recordLease(holder: lease.holder, isLeader: isLeader)
            metrics.lease(instance: configuration.instance, held: isLeader)
            let hasRun = await status.lastRun != nil
            if isLeader && !wasLeader {
                // Taking over from another server, or starting as the first.
                let tookOver = previousHolder.map { $0 != configuration.instance } ?? false
                logger.info(
                    tookOver ? "took over the reconciler lease" : "holding the reconciler lease",
                    metadata: ["instance": "\(configuration.instance)", "previous": "\(previousHolder ?? "none")"])
                await trigger.fire(tookOver ? "takeover" : hasRun ? "lease" : "startup")
            } else if !isLeader && wasLeader {
                logger.warning("lost the reconciler lease", metadata: ["holder": "\(lease.holder)"])
            } else if !isLeader && !hasRun {
                logger.debug("standing by", metadata: ["holder": "\(lease.holder)"])
            }
        } catch {
            // Without the store the lease cannot be renewed: stop applying rather than risk two
            // reconcilers (the store's writer lock and state version guard applies anyway).
            logger.error("cannot renew the reconciler lease", metadata: ["error": "\(error)"])
            if wasLeader {
                await status.recordLease(holder: nil, isLeader: false)
                metrics.lease(instance: configuration.instance, held: false)
            }
        }
    }

    /// Wakes the loop for pushes another replica received, while this one leads.
    private func relaySignals(_ signals: any ReconcileSignals) async {
        for await reason in signals.reconcileSignals() {
            if await status.isLeader { await trigger.fire(reason) }
        }
    }

    // MARK: Runs

    private func reconcileLoop() async {
        let schedule = ReconcileSchedule(
            interval: configuration.interval, jitter: configuration.jitter, backoffBase: configuration.backoffBase,
            backoffCap: configuration.backoffCap)
        var random = SystemRandomNumberGenerator()
        var failures = 0
        var skip: Skip?
        var reason: String?
        // The next member expiry the last planned run saw; kept across skipped runs, which
        // plan nothing.
        var due: Date?
        while !(await trigger.closed) {
            if let trigger = reason, await status.isLeader {
                let ran = await runOnce(trigger: trigger, failures: failures, skip: skip)
                (failures, skip) = (ran.failures, ran.skip)
                if let planned = ran.due { due = planned }
                // A cold plan of a large organisation frees hundreds of megabytes; glibc keeps
                // them mapped unless asked, and the server idles between runs.
                Self.returnFreedMemory()
            }
            let isLeader = await status.isLeader
            // A standby wakes when the lease keeper hands it the lease (a trigger).
            var delay = isLeader ? schedule.delay(afterFailures: failures, using: &random) : configuration.interval
            var byExpiry = false
            if isLeader { (delay, byExpiry) = schedule.delay(delay, until: due, now: now()) }
            await status.scheduleNext(at: isLeader ? now().addingTimeInterval(delay.seconds) : nil)
            let woken = await trigger.wait(timeout: delay)
            if await trigger.closed { break }
            reason = woken ?? (byExpiry ? "expiry" : "interval")
            if byExpiry && woken == nil {
                // Time changed the plan though neither git nor the store did: not skippable.
                // (Woken earlier by a trigger, the expiry is still ahead and stays due.)
                skip = nil
                due = nil
            }
        }
    }

    /// Where the last run left the source and the store, and whether any trigger (a refused
    /// or failed run, not retried until something changes) or only the interval (a
    /// successful one: the same commit and store version plan the same) skips a run there.
    struct Skip {
        var checkpoint: Reconciler.Checkpoint
        var anyTrigger: Bool
    }

    /// One run; returns the failure count, where the next run may be skipped, and the next
    /// instant time alone changes the plan (`.some(nil)`: none; nil: the run planned nothing,
    /// keep what was known).
    private func runOnce(trigger reason: String, failures: Int, skip: Skip?) async -> (failures: Int, skip: Skip?, due: Date??) {
        let clock = ContinuousClock()
        let started = clock.now
        var log = logger
        log[metadataKey: "trigger"] = "\(reason)"
        do {
            var request = makeRequest(reason, skip.flatMap { $0.anyTrigger || reason == "interval" ? $0.checkpoint : nil })
            // Fenced: if this process lost the lease since it last renewed it (paused past
            // the TTL, cut off from the database), the apply writes nothing.
            request.fence = Fence(name: Self.leaseName, holder: configuration.instance)
            let outcome = try await Reconciler.run(request, store: store)
            guard let run = outcome.run else {
                // Nothing to plan: the tick cost opening the source and reading the version.
                let duration = clock.now - started
                metrics.run(result: "unchanged", duration: duration)
                if skip?.anyTrigger == false { metrics.lastSuccess(now()) }
                log.debug(
                    "nothing changed since the last run; not planning",
                    metadata: ["milliseconds": "\(Int((duration.seconds * 1000).rounded()))"])
                return (failures, skip, nil)
            }
            metrics.run(result: run.result.rawValue, duration: clock.now - started)
            await status.recordRun(run, drift: outcome.drift)
            notifier?.notify(outcome, store: store)
            if let declarations = outcome.declarations { await status.recordDeclarations(declarations) }
            if let drift = outcome.drift { metrics.drift(drift) }
            log[metadataKey: "run"] = "\(run.id)"
            log[metadataKey: "commit"] = "\(run.commit?.prefix(12) ?? "-")"
            recordAuthority(outcome, log: log)
            switch run.result {
            case .applied, .noChanges:
                metrics.lastSuccess(run.finishedAt)
                if run.result == .applied, let plan = outcome.plan {
                    metrics.applied(Dictionary(grouping: plan.changes, by: \.action.rawValue).mapValues(\.count))
                }
                log.info(
                    "reconciled",
                    metadata: [
                        "result": "\(run.result.rawValue)", "changes": "\(run.changes)",
                        "drift": "\(outcome.drift.map(String.init) ?? "unknown")",
                        "milliseconds": "\(Int(((clock.now - started).seconds * 1000).rounded()))",
                    ])
                let after = Reconciler.Checkpoint(
                    commit: run.commit, stateVersion: run.stateVersion ?? outcome.checkpoint.stateVersion)
                return (0, Skip(checkpoint: after, anyTrigger: false), .some(outcome.nextTimeDependentChange))
            case .refused, .failed:
                log.warning("\(run.result.rawValue): \(run.message ?? "")")
                return (0, Skip(checkpoint: outcome.checkpoint, anyTrigger: true), .some(outcome.nextTimeDependentChange))
            }
        } catch {
            metrics.run(result: "failed", duration: clock.now - started)
            await status.recordError(at: now())
            // Once per streak of failures (a store away for an hour is one message), and not for
            // a fenced apply: the replica that took the lease over runs and tells.
            if failures == 0, (error as? StoreError)?.kind != .fenced {
                notifier?.notify([RunEvents.error(error, trigger: reason)])
            }
            log.error("reconcile failed", metadata: ["error": "\(error)", "failures": "\(failures + 1)"])
            return (failures + 1, nil, nil)
        }
    }
}

extension Duration {
    /// The duration in seconds, as a `TimeInterval`.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

extension ReconcileService {
    /// Hands memory freed by a run back to the system (glibc's `malloc_trim`, looked up at run
    /// time: Swift's Glibc module does not export `malloc.h`).
    static func returnFreedMemory() {
        #if canImport(Glibc)
        typealias Trim = @convention(c) (Int) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
        _ = unsafeBitCast(symbol, to: Trim.self)(0)
        #endif
    }
}
