import ArgumentParser
import Foundation
import Logging
import RosterCore
import RosterNotify
import RosterServer
import RosterStore
import ServiceLifecycle

extension Roster {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "serve",
            abstract: "Run the controller: reconcile on an interval and on webhooks; serve invitations, status and metrics.",
            discussion: """
                Example:
                  roster serve --repo https://github.com/org/teams.git --listen 0.0.0.0:8080 --base-url https://roster.example.com

                One process per store applies changes (a lease in the store); start a second on the same store and it \
                stands by, taking over when the first stops or dies. SIGTERM or SIGINT stops cleanly: a run in flight \
                finishes, the lease is released, exit 0.
                """)

        @OptionGroup var source: SourceOptions
        @OptionGroup var safety: SafetyOptions

        @Option(help: ArgumentHelp("Address and port to listen on.", valueName: "host:port"))
        var listen: String = "127.0.0.1:8080"

        @Option(help: ArgumentHelp("Time between runs, such as 30s, 5m or 1h (jittered ±10%).", valueName: "duration"))
        var interval: String = "5m"

        @Option(help: ArgumentHelp(
            "File holding the webhooks' shared secret (a trailing newline is ignored; also ROSTER_WEBHOOK_SECRET_FILE).",
            valueName: "path"))
        var webhookSecretFile: String?

        @Option(help: ArgumentHelp("Who the audit log names as the actor (default roster; also ROSTER_IDENTITY).", valueName: "name"))
        var identity: String?

        @Option(help: ArgumentHelp("How long a run waits for another writer, in seconds.", valueName: "seconds"))
        var lockTimeout: Double = 30

        @Option(help: ArgumentHelp(
            "How long the reconciler's lease lasts unrenewed, such as 10s: a standby takes over within this and a third of it after the holder dies.",
            valueName: "duration"))
        var leaseTTL: String = "10s"

        @Option(help: ArgumentHelp(
            "Sign-in and join attempts one client address may make a minute (then 429 with Retry-After); 0 turns the limit off.",
            valueName: "n"))
        var signInLimit: Int = 10

        @Option(help: ArgumentHelp(
            "Link pages into the repository's web view: a URL with {commit}, {path} and {line}, such as https://github.com/org/teams/blob/{commit}/{path}#L{line}.",
            valueName: "template"))
        var repoWebURL: String?

        @Option(help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error, critical.", valueName: "level"))
        var logLevel: String = "info"

        @OptionGroup var notify: NotifyOptions
        @OptionGroup var global: GlobalOptions
        @OptionGroup(title: HelpLayout.linkTitle) var links: LinkOptions

        func validate() throws {
            guard Self.address(listen) != nil else {
                throw ValidationError("--listen takes host:port, such as 127.0.0.1:8080 or 0.0.0.0:8080, not \(listen).")
            }
            guard Reconcile.seconds(interval) != nil else {
                throw ValidationError("--interval takes a duration such as 30s, 5m or 1h, up to a year, not \(interval).")
            }
            guard let ttl = Reconcile.seconds(leaseTTL), ttl >= 1 else {
                throw ValidationError("--lease-ttl takes a duration from 1s up to a year, such as 30s, not \(leaseTTL).")
            }
            try Seconds.check(lockTimeout, flag: "--lock-timeout")
            if signInLimit < 0 { throw ValidationError("--sign-in-limit must be 0 or more.") }
            if safety.allowMassRemoval {
                throw ValidationError("--allow-mass-removal is for one run (roster apply or reconcile), not for a server.")
            }
            if let repoWebURL, RepositoryWebURL(repoWebURL) == nil {
                throw ValidationError(
                    "--repo-web-url takes an http or https URL with {commit} (and {path}, {line}), such as "
                        + "https://github.com/org/teams/blob/{commit}/{path}#L{line}, not \(repoWebURL).")
            }
            guard Logger.Level(rawValue: logLevel) != nil else {
                throw ValidationError("--log-level is one of trace, debug, info, notice, warning, error, critical.")
            }
            if let text = links.explicitBaseURL {
                guard let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
                    throw ValidationError("--base-url takes an http or https URL, not \(text).")
                }
            }
        }

        /// `--base-url` (or ROSTER_BASE_URL); without one, the `--listen` address, so that a
        /// browser's Origin on the pages matches.
        var serverBaseURL: URL {
            if let text = links.explicitBaseURL, let url = URL(string: text) { return url }
            let (host, port) = Self.address(listen) ?? ("127.0.0.1", 8080)
            return ServerConfiguration.defaultBaseURL(host: host, port: port)
        }

        static func address(_ text: String) -> (host: String, port: Int)? {
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port)
            else { return nil }
            var host = String(text[..<colon])
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            return host.isEmpty ? nil : (host, port)
        }

        func run() async throws {
            let level = Logger.Level(rawValue: logLevel)!
            LoggingSystem.bootstrap { label in
                var handler = PrintableLogHandler(wrapped: StreamLogHandler.standardError(label: label))
                handler.logLevel = level
                return handler
            }
            let logger = Logger(label: "roster")
            try await Output.reportingFailures {
                let store = try await global.openStore()
                let (host, port) = Self.address(listen)!
                let configuration = ServerConfiguration(
                    host: host, port: port, baseURL: serverBaseURL,
                    interval: .seconds(Reconcile.seconds(interval)!), leaseTTL: .seconds(Reconcile.seconds(leaseTTL)!),
                    trackedRef: source.repo == nil ? "HEAD" : source.ref ?? "HEAD", webhookSecret: try webhookSecret(logger),
                    signInRateLimit: signInLimit, repositoryWebURL: repoWebURL.flatMap(RepositoryWebURL.init))
                let secretKey = try links.secretKey(store: global)
                let environment = ServerEnvironment(store: store, configuration: configuration, secretKey: secretKey, logger: logger)
                let source = source
                let (identity, lockTimeout, overrides) = (identity, lockTimeout, safety.overrides)
                var reconciler = ReconcileService(
                    store: store, configuration: configuration,
                    makeRequest: { trigger, skip in
                        source.runRequest(
                            trigger: trigger, identity: identity, lockTimeout: lockTimeout, overrides: overrides, skip: skip)
                    },
                    trigger: environment.trigger, status: environment.status, metrics: environment.metrics, logger: logger)
                let metrics = environment.metrics
                let notifier = try notify.configuration(linkBase: configuration.linkBase).map { settings in
                    Notifier(configuration: settings, tokens: InvitationTokens(keyBytes: secretKey), logger: logger) { result in
                        metrics.notification(result)
                    }
                }
                reconciler.notifier = notifier
                if links.explicitBaseURL == nil, ["0.0.0.0", "::"].contains(host) {
                    logger.warning(
                        "no --base-url: links and the pages' origin check use \(configuration.linkBase); set --base-url to the address people use")
                }
                logger.info(
                    "starting", metadata: ["listen": "\(listen)", "baseURL": "\(configuration.linkBase)", "instance": "\(configuration.instance)"])
                // The notifier is listed first so that it stops last, after the reconciler's last run.
                let services: [any Service] = (notifier.map { [NotificationService(notifier: $0)] } ?? []) + [reconciler]
                do {
                    try await RosterServer.run(environment, services: services)
                } catch {
                    // The server never started (the port taken): nothing is queued, but the
                    // notifier's HTTP client must still be closed.
                    await notifier?.finish(within: .zero)
                    throw error
                }
                logger.info("stopped")
            }
        }

        /// The webhook secret from `--webhook-secret-file` or ROSTER_WEBHOOK_SECRET_FILE, if any.
        private func webhookSecret(_ logger: Logger) throws -> Data? {
            let environment = ProcessInfo.processInfo.environment
            guard let path = webhookSecretFile ?? environment["ROSTER_WEBHOOK_SECRET_FILE"].flatMap({ $0.isEmpty ? nil : $0 }) else {
                logger.warning("no --webhook-secret-file: webhooks will be refused (401); runs happen on the interval only")
                return nil
            }
            return try SecretFile.read(path, what: "webhook secret file", ownerOnly: false)
        }
    }
}
