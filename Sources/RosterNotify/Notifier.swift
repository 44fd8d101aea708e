import AsyncHTTPClient
import Crypto
public import Foundation
public import Logging
import NIOCore
import NIOHTTP1
import RosterCore
public import RosterReconcile
public import RosterStore

/// Sends events to the receivers without ever making a run wait: a run hands its outcome
/// over (a non-blocking yield into a bounded queue) and goes on; a task turns outcomes into
/// events, and one task per receiver posts them in order, retrying with exponential backoff.
/// A full queue drops the event and counts it. A slow or dead receiver holds up only its own
/// queue.
///
/// `finish(within:)` must be called before the notifier goes away (a second call does
/// nothing): it drains what is queued for at most the given time, then gives up, and closes
/// the HTTP client.
public final class Notifier: Sendable {
    /// What happened to one delivery attempt or event, the `result` of
    /// `roster_notifications_total`.
    public enum Result: String, Sendable, CaseIterable {
        /// A receiver answered 2xx.
        case sent
        /// An attempt failed and will be tried again.
        case retried
        /// Given up: a 4xx answer, the attempts used up, or stopped at exit.
        case failed
        /// Not queued: the queue was full.
        case dropped
    }

    private enum Work: Sendable {
        case outcome(Reconciler.RunOutcome, any Store)
        case events([NotificationEvent])
    }

    /// What a receiver's task needs: no reference back to the notifier.
    fileprivate struct Sender: Sendable {
        let client: HTTPClient
        let configuration: NotifyConfiguration
        let logger: Logger
        let record: @Sendable (Result) -> Void
    }

    private let configuration: NotifyConfiguration
    private let intake: AsyncStream<Work>.Continuation
    private let preparer: Task<Void, Never>
    private let workers: [Task<Void, Never>]
    private let client: HTTPClient
    private let logger: Logger
    private let record: @Sendable (Result) -> Void

    /// A notifier for `configuration`; `tokens` make invitation links (nil: events without
    /// links); `record` counts each result (the server's `/metrics`).
    public init(
        configuration: NotifyConfiguration, tokens: InvitationTokens?, logger: Logger,
        record: @escaping @Sendable (Result) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.logger = logger
        self.record = record
        // Redirects are not followed: a body with links goes to the URL it was given for and
        // nowhere else.
        client = HTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup,
            configuration: HTTPClient.Configuration(redirectConfiguration: .disallow))
        let sender = Sender(client: client, configuration: configuration, logger: logger, record: record)
        let capacity = max(configuration.queueCapacity, 1)
        var lanes: [AsyncStream<NotificationEvent>.Continuation] = []
        var workers: [Task<Void, Never>] = []
        for destination in configuration.destinations {
            let (events, lane) = AsyncStream.makeStream(of: NotificationEvent.self, bufferingPolicy: .bufferingOldest(capacity))
            lanes.append(lane)
            workers.append(Task {
                for await event in events { await sender.deliver(event, to: destination) }
            })
        }
        self.workers = workers
        let (work, intake) = AsyncStream.makeStream(of: Work.self, bufferingPolicy: .bufferingOldest(capacity))
        self.intake = intake
        let destinations = configuration.destinations
        preparer = Task {
            // Drift that stays (selfHeal off) is told when it appears or changes, not on every run.
            var lastDrift = 0
            for await item in work {
                var events = await Self.events(for: item, configuration: configuration, tokens: tokens, logger: logger, record: record)
                if case .outcome(let outcome, _) = item, let drift = outcome.drift {
                    if drift == lastDrift { events.removeAll { $0.event == .driftFound } }
                    lastDrift = drift
                }
                for event in events {
                    for (lane, destination) in zip(lanes, destinations) where !event.event.isInvitation || destination.receivesLinks {
                        if case .enqueued = lane.yield(event) { continue }
                        record(.dropped)
                    }
                }
            }
            for lane in lanes { lane.finish() }
        }
    }

    /// Hands a finished run over; returns at once. Its events (and, for receivers trusted with
    /// links, the invitations it created or renewed) follow.
    public func notify(_ outcome: Reconciler.RunOutcome, store: any Store) {
        guard outcome.run != nil else { return }
        if case .enqueued = intake.yield(.outcome(outcome, store)) { return }
        record(.dropped)
    }

    /// Queues `events` as they are; returns at once.
    public func notify(_ events: [NotificationEvent]) {
        guard !events.isEmpty else { return }
        if case .enqueued = intake.yield(.events(events)) { return }
        record(.dropped)
    }

    /// Stops taking events, delivers what is queued for at most `limit` (retries included),
    /// gives up on the rest and closes the HTTP client. Never waits longer than `limit` plus
    /// the time cancelled requests take to stop.
    public func finish(within limit: Duration) async {
        intake.finish()
        let (preparer, workers) = (self.preparer, self.workers)
        let drained = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await preparer.value
                for worker in workers { await worker.value }
                return true
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return false
            }
            let first = await group.next() ?? true
            if !first {
                preparer.cancel()
                for worker in workers { worker.cancel() }
            }
            // Ends the timer when the queues drained first.
            group.cancelAll()
            await group.waitForAll()
            return first
        }
        if !drained { logger.warning("gave up on notifications still queued after \(limit)") }
        try? await client.shutdown()
    }

    // MARK: Events

    private static func events(
        for work: Work, configuration: NotifyConfiguration, tokens: InvitationTokens?, logger: Logger,
        record: @Sendable (Result) -> Void
    ) async -> [NotificationEvent] {
        switch work {
        case .events(let events):
            return events
        case .outcome(let outcome, let store):
            var events = RunEvents.events(for: outcome, linkBase: configuration.linkBase)
            guard let run = outcome.run, run.result == .applied, configuration.wantsInvitations else { return events }
            do {
                let (invitations, left) = try await RunEvents.invitations(
                    of: run, store: store, tokens: tokens, linkBase: configuration.linkBase ?? "",
                    limit: configuration.queueCapacity)
                events += invitations
                let receivers = configuration.destinations.filter(\.receivesLinks).count
                for _ in 0..<(left * receivers) { record(.dropped) }
            } catch {
                logger.warning("cannot read the run's invitations for notifications", metadata: ["run": "\(run.id)", "error": "\(error)"])
            }
            return events
        }
    }
}

extension Notifier.Sender {
    /// Posts `event` to `destination` until it is answered 2xx, refused with a 4xx, or the
    /// attempts are used up. The URL is never logged whole: a chat webhook's path is its
    /// secret. Neither is the body (it may hold a link).
    func deliver(_ event: NotificationEvent, to destination: NotifyConfiguration.Destination) async {
        let body = event.body()
        var request = HTTPClientRequest(url: destination.url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "roster")
        request.headers.add(name: NotificationSignature.eventHeader, value: event.event.rawValue)
        request.headers.add(name: NotificationSignature.deliveryHeader, value: event.id)
        if let secret = configuration.secret {
            request.headers.add(name: NotificationSignature.header, value: NotificationSignature.sign(body, secret: secret))
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        let timeout = TimeAmount.nanoseconds(
            configuration.requestTimeout.components.seconds * 1_000_000_000
                + configuration.requestTimeout.components.attoseconds / 1_000_000_000)
        let policy = configuration.retry
        var problem = ""
        var log = logger
        log[metadataKey: "receiver"] = "\(destination.url.host ?? "?")"
        log[metadataKey: "event"] = "\(event.event.rawValue)"
        log[metadataKey: "delivery"] = "\(event.id)"
        for attempt in 1...max(policy.attempts, 1) {
            if Task.isCancelled { break }
            do {
                let response = try await client.execute(request, timeout: timeout)
                // Read to the end so the connection can be used again; what it says is not needed.
                for try await _ in response.body {}
                let code = Int(response.status.code)
                if (200..<300).contains(code) {
                    record(.sent)
                    return
                }
                if (400..<500).contains(code) && code != 408 && code != 429 {
                    // The receiver refuses this event (a wrong URL, a revoked webhook): another
                    // attempt would be refused too.
                    log.warning("notification refused by the receiver", metadata: ["status": "\(code)"])
                    record(.failed)
                    return
                }
                problem = "HTTP \(code)"
            } catch {
                problem = "\(error)"
            }
            guard attempt < policy.attempts, !Task.isCancelled else { break }
            record(.retried)
            log.debug("notification attempt failed; retrying", metadata: ["attempt": "\(attempt)", "problem": "\(problem)"])
            do { try await Task.sleep(for: policy.delay(after: attempt)) } catch { break }
        }
        log.warning("gave up on a notification", metadata: ["problem": "\(problem)"])
        record(.failed)
    }
}

/// The proof that a body comes from this Roster: `sha256=<hex HMAC-SHA256 of the body>` in
/// `X-Roster-Signature-256`, as GitHub signs its webhooks, under `--notify-secret-file`.
public enum NotificationSignature {
    /// The signature header's name.
    public static let header = "X-Roster-Signature-256"
    /// The header with the event's delivery id (the same on every retry).
    public static let deliveryHeader = "X-Roster-Delivery"
    /// The header with the event's kind (`run.refused`, …).
    public static let eventHeader = "X-Roster-Event"

    /// The header's value for `body`.
    public static func sign(_ body: Data, secret: Data) -> String {
        "sha256=" + AuditChain.hex(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: secret)))
    }

    /// Whether `signature` is `body`'s under `secret` (constant time), as a receiver checks it.
    public static func verify(_ signature: String, body: Data, secret: Data) -> Bool {
        ConstantTime.equal(sign(body, secret: secret).utf8, signature.utf8)
    }
}
