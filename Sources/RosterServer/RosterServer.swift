import Foundation
public import Hummingbird
import HTTPTypes
import Logging
public import ServiceLifecycle

/// `roster serve`: the HTTP side (webhooks, invitation pages, sign-in, status, audit, JSON
/// API, health and metrics) and the reconcile service, in one Hummingbird application.
public enum RosterServer {
    /// Every route, without a socket (router tests use this directly).
    public static func router(_ environment: ServerEnvironment) -> Router<RosterRequestContext> {
        let router = Router(context: RosterRequestContext.self)
        router.add(middleware: SecurityHeadersMiddleware(logger: environment.logger))
        OperationsController(environment: environment).addRoutes(to: router)
        WebhookController(environment: environment).addRoutes(to: router)
        InvitationController(environment: environment).addRoutes(to: router)
        SignInController(environment: environment).addRoutes(to: router)
        StatusController(environment: environment).addRoutes(to: router)
        let api = router.group("api/v1")
        APIController(environment: environment).addRoutes(to: api)
        TeamPages(environment: environment).addRoutes(to: router, api: api)
        RunHistory(environment: environment).addRoutes(to: router, api: api)
        return router
    }

    /// The application: the router on `configuration`'s address, with `services` (the
    /// reconcile service) run alongside and shut down gracefully with it.
    public static func application(_ environment: ServerEnvironment, services: [any Service] = []) -> some ApplicationProtocol {
        let configuration = environment.configuration
        let idle = configuration.idleTimeout.components
        return Application(
            router: router(environment),
            server: .http1(configuration: .init(idleTimeout: .nanoseconds(idle.seconds * 1_000_000_000 + idle.attoseconds / 1_000_000_000))),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: "roster"),
            services: services, logger: environment.logger)
    }

    /// Runs the application until SIGTERM or SIGINT, then shuts down gracefully: the
    /// listener stops, requests and a reconcile in flight finish, the lease is released.
    public static func run(_ environment: ServerEnvironment, services: [any Service] = []) async throws {
        try await application(environment, services: services).runService()
    }
}
