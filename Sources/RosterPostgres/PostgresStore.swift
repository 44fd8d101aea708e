import Foundation
public import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import RosterCore
public import RosterStore

/// The PostgreSQL store: for several `roster serve` replicas on one database, and for
/// organisations that run their databases with backups and point-in-time recovery. Writes
/// are serialised by a row lock on the state version, taken first in every write
/// transaction; migrations run under an advisory lock.
public final class PostgresStore: Store, TransactionalStore {
    public typealias Transaction = PostgresTransaction

    public let location: PostgresLocation
    let client: PostgresClient
    let logger: Logger
    private let running: Task<Void, Never>
    /// How long to wait for a connection before calling the database unreachable.
    let connectTimeout: Duration

    public var displayName: String { location.description }

    /// Connects to `location` and brings its schema up to date. Throws `StoreError.io`
    /// with a clear message when the database cannot be reached in `connectTimeout`.
    public init(_ location: PostgresLocation, connectTimeout: Duration = .seconds(10), logger: Logger? = nil) async throws {
        self.location = location
        self.connectTimeout = connectTimeout
        self.logger = logger ?? Logger(label: "roster.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
        var configuration = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: Self.clientTLS(location.tls))
        configuration.options.connectTimeout = connectTimeout
        configuration.options.maximumConnections = 8
        configuration.options.additionalStartupParameters = [
            ("application_name", "roster"),
            // A write transaction left open by a process that stopped (SIGSTOP, a paused VM)
            // would hold the writers' lock, and a lease's fence, for ever: the server ends it.
            ("idle_in_transaction_session_timeout", "10000"),
        ]
        // First one connection of its own, which says at once why it cannot log in (the
        // pool would retry a refused password until the timeout); it migrates the schema.
        var direct = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: try Self.connectionTLS(location.tls))
        direct.options.connectTimeout = .nanoseconds(Int64(connectTimeout.components.seconds) * 1_000_000_000)
        direct.options.additionalStartupParameters = configuration.options.additionalStartupParameters
        let shown = location.description
        do {
            let connection = try await PostgresConnection.connect(configuration: direct, id: 0, logger: self.logger)
            do {
                try await Self.migrate(on: connection, self.logger)
                try? await connection.close()
            } catch {
                try? await connection.close()
                throw error
            }
        } catch let error as PSQLError {
            throw Self.storeError(error, location: shown)
        }
        let client = PostgresClient(configuration: configuration, backgroundLogger: self.logger)
        self.client = client
        running = Task { await client.run() }
    }

    public func close() async {
        running.cancel()
        _ = await running.value
    }

    deinit { running.cancel() }

    /// What `mode` asks of TLS: nil for none, and whether it is required.
    private static func tls(_ mode: PostgresLocation.TLSMode) -> (configuration: TLSConfiguration, required: Bool)? {
        var unverified = TLSConfiguration.makeClientConfiguration()
        unverified.certificateVerification = .none
        switch mode {
        case .disable: return nil
        case .prefer: return (unverified, false)
        case .require: return (unverified, true)
        case .verifyFull: return (.makeClientConfiguration(), true)
        }
    }

    private static func clientTLS(_ mode: PostgresLocation.TLSMode) -> PostgresClient.Configuration.TLS {
        guard let tls = tls(mode) else { return .disable }
        return tls.required ? .require(tls.configuration) : .prefer(tls.configuration)
    }

    private static func connectionTLS(_ mode: PostgresLocation.TLSMode) throws -> PostgresConnection.Configuration.TLS {
        guard let tls = tls(mode) else { return .disable }
        let context = try NIOSSLContext(configuration: tls.configuration)
        return tls.required ? .require(context) : .prefer(context)
    }

    // MARK: Access

    /// Runs `body` on a pooled connection. A connection that does not come within
    /// `connectTimeout` (the database is down or unreachable) is a `StoreError.io`, not a
    /// wait for ever; PostgreSQL errors become `StoreError`s with the server's message.
    func withConnection<Result>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        do {
            let lease = try await leaseConnection()
            defer { lease.release() }
            return try await body(lease.connection)
        } catch let error as PSQLError {
            throw Self.storeError(error, location: location.description)
        }
    }

    /// A connection from the pool, held until `release()`. `PostgresClient` lends
    /// connections to a closure and waits without a deadline while the server is down: the
    /// closure runs in a task of its own here, which hands the connection over and holds it,
    /// so that waiting for it can be given up.
    private func leaseConnection() async throws -> LeasedConnection {
        let (handoff, handing) = AsyncThrowingStream<PostgresConnection, any Error>.makeStream()
        let (released, release) = AsyncStream<Void>.makeStream()
        let client = client
        let holder = Task {
            do {
                try await client.withConnection { connection in
                    handing.yield(connection)
                    for await _ in released {}
                }
                handing.finish()
            } catch {
                handing.finish(throwing: error)
            }
        }
        let timeout = connectTimeout
        let shown = location.description
        do {
            let connection = try await withThrowingTaskGroup(of: PostgresConnection?.self) { group in
                group.addTask {
                    for try await connection in handoff { return connection }
                    throw CancellationError()
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let connection = first else {
                    throw StoreError(
                        .io,
                        "cannot reach the PostgreSQL store \(shown): no connection within \(timeout.components.seconds) s; is the server up?")
                }
                return connection
            }
            return LeasedConnection(connection: connection, release: release)
        } catch {
            release.finish()
            holder.cancel()
            throw error
        }
    }

    /// A `StoreError` for what PostgreSQL or the connection reported (never the password).
    static func storeError(_ error: PSQLError, location: String) -> StoreError {
        if let info = error.serverInfo {
            let state = info[.sqlState] ?? ""
            let message = info[.message] ?? "unknown error"
            switch state {
            case "55P03", "40P01":
                return StoreError(.locked, "another writer holds the store's lock (\(message)); try again later or raise --lock-timeout")
            case "28P01", "28000":
                return StoreError(.io, "the PostgreSQL store \(location) refused the login: \(message)")
            case "3D000":
                return StoreError(.io, "the PostgreSQL store \(location) has no such database: \(message)")
            default:
                return StoreError(.io, "store \(location): \(message) (SQLSTATE \(state))")
            }
        }
        switch error.code {
        case .connectionError, .serverClosedConnection, .uncleanShutdown:
            let reason = error.underlying.map { "\($0)" } ?? "the connection failed"
            return StoreError(.io, "cannot reach the PostgreSQL store \(location): \(reason)")
        case .sslUnsupported:
            return StoreError(.io, "the PostgreSQL store \(location) does not offer TLS, which sslmode requires")
        default:
            return StoreError(.io, "store \(location): \(error.code)")
        }
    }

    /// Runs `query` and counts the rows it returns.
    static func count(_ query: PostgresQuery, on connection: PostgresConnection, _ logger: Logger) async throws -> Int {
        var count = 0
        for try await _ in try await connection.query(query, logger: logger) { count += 1 }
        return count
    }

    /// The first column of the first row `query` returns.
    static func first<Value: PostgresDecodable & Sendable>(
        _ type: Value.Type, _ query: PostgresQuery, on connection: PostgresConnection, _ logger: Logger
    ) async throws -> Value? {
        var first: Value?
        for try await value in try await connection.query(query, logger: logger).decode(Value.self) where first == nil {
            first = value
        }
        return first
    }

    static func execute(_ query: PostgresQuery, on connection: PostgresConnection, _ logger: Logger) async throws {
        _ = try await connection.query(query, logger: logger).collect()
    }
}

/// A pooled connection lent until `release()`.
struct LeasedConnection: Sendable {
    let connection: PostgresConnection
    private let done: AsyncStream<Void>.Continuation

    init(connection: PostgresConnection, release: AsyncStream<Void>.Continuation) {
        self.connection = connection
        done = release
    }

    func release() { done.finish() }
}
