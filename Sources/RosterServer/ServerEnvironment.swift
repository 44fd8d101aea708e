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
        self.sessions = SessionCookie(keyBytes: secretKey)
        self.deliveries = DeliveryLog()
        self.pages = Pages()
        self.forms = Forms(configuration: configuration)
        self.now = now
    }

    var authenticator: Authenticator { Authenticator(store: store, sessions: sessions, now: now) }
}
