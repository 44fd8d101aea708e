public import Foundation

/// How `roster serve` runs: where it listens, what links look like, how often it reconciles.
public struct ServerConfiguration: Sendable {
    /// Address and port to listen on.
    public var host: String
    public var port: Int
    /// The public URL people reach the server at; links and cookies follow it.
    public var baseURL: URL
    /// Time between scheduled runs, before jitter.
    public var interval: Duration
    /// Each wait is the interval (or backoff) times a random factor in 1 ± `jitter`, so many
    /// servers started together do not fetch together.
    public var jitter: Double
    /// After a failed run: wait `backoffBase` × 2^(failures − 1), at most `backoffCap`.
    public var backoffBase: Duration
    public var backoffCap: Duration
    /// How long the reconciler's lease lasts without renewal; renewed every third of it.
    public var leaseTTL: Duration
    /// Who this process is in the lease and the logs.
    public var instance: String
    /// The branch, tag or `HEAD` the reconciler tracks: webhooks for other refs are ignored.
    public var trackedRef: String
    /// Shared secret for webhooks; nil turns them away (401).
    public var webhookSecret: Data?
    /// Largest webhook body accepted (413 above it).
    public var webhookBodyLimit: Int
    /// How long a request body (a form, a webhook) may take to arrive (408 after).
    public var bodyReadTimeout: Duration
    /// Connections that send nothing for this long are closed.
    public var idleTimeout: Duration
    /// How long a sign-in lasts.
    public var sessionLifetime: Duration
    /// Links from the pages into the repository's web view; nil shows paths and commits as text.
    public var repositoryWebURL: RepositoryWebURL?
    /// Sign-in and join attempts a client address may make a minute (0: no limit).
    public var signInRateLimit: Int

    public init(
        host: String = "127.0.0.1", port: Int = 8080, baseURL: URL = URL(string: "http://127.0.0.1:8080")!,
        interval: Duration = .seconds(300), jitter: Double = 0.1, backoffBase: Duration = .seconds(10),
        backoffCap: Duration = .seconds(600), leaseTTL: Duration = .seconds(10),
        instance: String = ServerConfiguration.defaultInstance(), trackedRef: String = "HEAD", webhookSecret: Data? = nil,
        webhookBodyLimit: Int = 1 << 20, bodyReadTimeout: Duration = .seconds(10), idleTimeout: Duration = .seconds(30),
        sessionLifetime: Duration = .seconds(12 * 3600), signInRateLimit: Int = 10,
        repositoryWebURL: RepositoryWebURL? = nil
    ) {
        self.repositoryWebURL = repositoryWebURL
        self.host = host
        self.port = port
        self.baseURL = baseURL
        self.interval = interval
        self.jitter = jitter
        self.backoffBase = backoffBase
        self.backoffCap = backoffCap
        self.leaseTTL = leaseTTL
        self.instance = instance
        self.trackedRef = trackedRef
        self.webhookSecret = webhookSecret
        self.webhookBodyLimit = webhookBodyLimit
        self.bodyReadTimeout = bodyReadTimeout
        self.idleTimeout = idleTimeout
        self.sessionLifetime = sessionLifetime
        self.signInRateLimit = signInRateLimit
    }

    /// The base URL when none is given: the address `roster serve` listens on, so a
    /// browser's `Origin` matches it. A wildcard address (`0.0.0.0`, `::`) becomes the
    /// loopback address of its family; a server reached by another name needs `--base-url`.
    public static func defaultBaseURL(host: String, port: Int) -> URL {
        var name = host
        if name == "0.0.0.0" || name.isEmpty { name = "127.0.0.1" }
        if name == "::" { name = "::1" }
        if name.contains(":") { name = "[\(name)]" }
        return URL(string: "http://\(name):\(port)")!
    }

    /// `host:pid:random`: unique per process, readable in `roster status`.
    public static func defaultInstance() -> String {
        "\(ProcessInfo.processInfo.hostName):\(getpid()):\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// Whether cookies must be `Secure` (the base URL is https).
    var isHTTPS: Bool { baseURL.scheme?.lowercased() == "https" }

    /// `scheme://host[:port]` of the base URL, to compare with a request's `Origin`.
    var origin: String {
        let scheme = baseURL.scheme?.lowercased() ?? "http"
        let host = baseURL.host?.lowercased() ?? ""
        let port = baseURL.port.map { ":\($0)" } ?? ""
        return "\(scheme)://\(host)\(port)"
    }

    /// The base URL without a trailing slash, for links.
    public var linkBase: String {
        let text = baseURL.absoluteString
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }
}
