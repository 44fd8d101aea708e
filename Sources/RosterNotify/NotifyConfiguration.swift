public import Foundation

/// Where events go and how hard Roster tries: the receivers, the signing secret, the queue
/// and the retry policy (`docs/notifications.md`).
public struct NotifyConfiguration: Sendable {
    /// One receiver.
    public struct Destination: Sendable, Hashable {
        /// An http or https URL; the event is POSTed to it.
        public var url: URL
        /// Whether it is trusted with invitation events and their links (`--notify-links`).
        public var receivesLinks: Bool

        public init(url: URL, receivesLinks: Bool) {
            self.url = url
            self.receivesLinks = receivesLinks
        }
    }

    /// After a failed attempt, wait `base` × 2^(attempt − 1), at most `cap`; give up after
    /// `attempts` in all.
    public struct RetryPolicy: Sendable, Equatable {
        public var attempts: Int
        public var base: Duration
        public var cap: Duration

        public init(attempts: Int = 6, base: Duration = .seconds(1), cap: Duration = .seconds(60)) {
            self.attempts = attempts
            self.base = base
            self.cap = cap
        }

        /// The wait after failed attempt number `attempt` (1-based).
        public func delay(after attempt: Int) -> Duration {
            let factor = 1 << min(max(attempt - 1, 0), 30)
            return min(base * factor, cap)
        }
    }

    public var destinations: [Destination]
    /// HMAC-SHA256 key for `X-Roster-Signature-256`; nil sends bodies unsigned.
    public var secret: Data?
    /// Events waiting for each receiver, at most; more are dropped and counted.
    public var queueCapacity: Int
    public var retry: RetryPolicy
    /// How long one attempt may take, connecting included.
    public var requestTimeout: Duration
    /// The server's base URL, for run pages and invitation links; nil leaves run pages out.
    public var linkBase: String?

    public init(
        destinations: [Destination], secret: Data? = nil, queueCapacity: Int = 1000, retry: RetryPolicy = RetryPolicy(),
        requestTimeout: Duration = .seconds(10), linkBase: String? = nil
    ) {
        self.destinations = destinations
        self.secret = secret
        self.queueCapacity = queueCapacity
        self.retry = retry
        self.requestTimeout = requestTimeout
        self.linkBase = linkBase.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
    }

    /// Whether any receiver takes invitation events (the store is read for them only then).
    public var wantsInvitations: Bool { destinations.contains(where: \.receivesLinks) }
}
