import Foundation

/// Where a store is, as `--store` (or `ROSTER_STORE`) names it: `sqlite:PATH`, or
/// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=…]` (also `postgresql://`).
/// Its description never holds a password.
public enum StoreLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(PostgresLocation)

    /// Parses `text`; the error's message shows the text with any password left out.
    public init(parsing text: String) throws(StoreLocationError) {
        if text.hasPrefix("sqlite:") {
            let path = String(text.dropFirst("sqlite:".count))
            guard !path.isEmpty else { throw StoreLocationError("--store sqlite: needs a path, as in sqlite:roster.db.") }
            self = .sqlite(path: path)
        } else if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            self = .postgres(try PostgresLocation(parsing: text))
        } else {
            throw StoreLocationError(
                "--store takes sqlite:PATH or postgres://USER@HOST[:PORT]/DATABASE, not \(StoreLocation.redacting(text)).")
        }
    }

    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite:" + path
        case .postgres(let location): location.description
        }
    }

    /// `text` with the password of a URL's user part (everything between `//` and the last
    /// `@` before the path) replaced by `***`, for error messages about text that did not parse.
    public static func redacting(_ text: String) -> String {
        guard let scheme = text.range(of: "://") else { return text }
        let rest = text[scheme.upperBound...]
        guard let at = rest.lastIndex(of: "@") else { return text }
        let userInfo = rest[..<at]
        let user = userInfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let hasPassword = userInfo.contains(":")
        return String(text[..<scheme.upperBound]) + user + (hasPassword ? ":***" : "") + String(rest[at...])
    }
}

/// A PostgreSQL server and database.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    /// How the connection is encrypted (`?sslmode=`, as libpq names them).
    public enum TLSMode: String, Sendable, Equatable, CaseIterable {
        /// Plain TCP.
        case disable
        /// TLS when the server offers it, unverified (libpq's default).
        case prefer
        /// TLS, without verifying the server's certificate.
        case require
        /// TLS, the certificate verified against the system's trust roots and the host name.
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var user: String
    /// From the URL, `--store-password-file` or `PGPASSWORD`; never printed.
    public var password: String?
    public var database: String
    public var tls: TLSMode

    public init(host: String, port: Int = 5432, user: String, password: String?, database: String, tls: TLSMode = .prefer) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.tls = tls
    }

    init(parsing text: String) throws(StoreLocationError) {
        let shown = StoreLocation.redacting(text)
        guard let components = URLComponents(string: text), let host = components.host, !host.isEmpty else {
            throw StoreLocationError(
                "--store \(shown) is not a PostgreSQL URL; use postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE (percent-encode / @ : in a password).")
        }
        guard let user = components.percentEncodedUser.flatMap({ $0.removingPercentEncoding }), !user.isEmpty else {
            throw StoreLocationError("--store \(shown) names no user; use postgres://USER@HOST/DATABASE.")
        }
        let database = String(components.path.drop { $0 == "/" }).removingPercentEncoding ?? ""
        guard !database.isEmpty, !database.contains("/") else {
            throw StoreLocationError("--store \(shown) names no database; use postgres://USER@HOST/DATABASE.")
        }
        var tls = TLSMode.prefer
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                    throw StoreLocationError(
                        "--store: sslmode must be one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", ")), not \(item.value ?? "nothing").")
                }
                tls = mode
            default:
                throw StoreLocationError("--store: unknown URL parameter \(item.name); Roster knows sslmode.")
            }
        }
        self.init(
            host: host, port: components.port ?? 5432, user: user,
            password: components.percentEncodedPassword.flatMap { $0.removingPercentEncoding }, database: database,
            tls: tls)
    }

    /// The URL without the password.
    public var description: String {
        var components = URLComponents()
        components.scheme = "postgres"
        components.user = user
        components.host = host
        components.port = port
        components.path = "/" + database
        if tls != .prefer { components.queryItems = [URLQueryItem(name: "sslmode", value: tls.rawValue)] }
        return components.string ?? "postgres://\(user)@\(host):\(port)/\(database)"
    }
}

/// A `--store` value that does not parse; its message holds no password.
public struct StoreLocationError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
