public import Foundation
import Hummingbird
public import Logging
public import RosterStore

/// Everything the routes share: the store, the configuration, keys, the reconciler's
/// status and trigger, metrics, templates, the clock.
public struct ServerEnvironment: Sendable {
    public let store: any Store
    public let configuration: ServerConfiguration
    public let trigger: ReconcileTrigger
    public let status: ReconcileStatus
    public let metrics: RosterMetrics
    public let logger: Logger
    let tokens: InvitationTokens
    let sessions: SessionCookie
    let deliveries: DeliveryLog
    let pages: Pages
    let forms: Forms
    let attempts: RateLimiter
    let now: @Sendable () -> Date

    /// `secretKey` is the store's secret key (`SecretKeyFile`): it signs invitation links
    /// and session cookies.
    public init(
        store: any Store, configuration: ServerConfiguration, secretKey: Data, logger: Logger,
        metrics: RosterMetrics = RosterMetrics(), trigger: ReconcileTrigger = ReconcileTrigger(),
        status: ReconcileStatus = ReconcileStatus(), now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.store = store
        self.configuration = configuration
        self.trigger = trigger
        self.status = status
        self.metrics = metrics
        self.logger = logger
        self.tokens = InvitationTokens(keyBytes: secretKey)
        self.sessions = SessionCookie(configuration: configuration)
        self.deliveries = DeliveryLog()
        self.pages = Pages()
        self.forms = Forms(configuration: configuration, sessions: sessions, keyBytes: secretKey)
        self.attempts = RateLimiter(perMinute: configuration.signInRateLimit)
        self.now = now
    }

    var authenticator: Authenticator { Authenticator(store: store, sessions: sessions, now: now) }

    /// Nil when the client may make another attempt at `route` now; else a 429 page with
    /// `Retry-After`, counted in `roster_rate_limited_total`.
    func rateLimit(_ route: String, _ context: RosterRequestContext) async -> Response? {
        guard let wait = await attempts.attempt(context.clientAddress, now: now()) else { return nil }
        metrics.rateLimited(route: route)
        logger.notice("rate limited", metadata: ["route": "\(route)", "client": "\(context.clientAddress)"])
        let seconds = max(1, wait.components.seconds)
        return pages.message(
            "Too many attempts", "Too many attempts from your address. Try again in \(seconds) seconds.",
            status: .tooManyRequests, headers: [.retryAfter: String(seconds)])
    }
}
