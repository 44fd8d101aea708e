import ArgumentParser
import Foundation
import RosterStore

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The store: sqlite:PATH (default sqlite:roster.db; also ROSTER_STORE).", valueName: "url"))
    var store: String?

    @Flag(help: "No colours, even on a terminal (also NO_COLOR).")
    var noColor = false

    @Flag(name: .shortAndLong, help: "Print only what was asked for and errors.")
    var quiet = false

    @Flag(name: .shortAndLong, help: "Print more about what Roster is doing.")
    var verbose = false

    /// Whether standard output gets ANSI colours: only on a terminal, never with NO_COLOR.
    var colorOutput: Bool {
        !noColor && ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) != false && isatty(1) == 1
    }

    @Option(help: ArgumentHelp("The secret key file for invitation links (default <database>.key; also ROSTER_SECRET_KEY_FILE).", valueName: "path"))
    var secretKeyFile: String?

    @Option(help: ArgumentHelp("Base URL of invitation links (default http://127.0.0.1:8080; also ROSTER_BASE_URL).", valueName: "url"))
    var baseURL: String?

    func validate() throws {
        if quiet && verbose { throw ValidationError("--quiet and --verbose cannot be used together.") }
        _ = try storeLocation()
    }

    private var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// The SQLite file `--store` (or ROSTER_STORE) names.
    func storeLocation() throws -> String {
        let url = store ?? environment["ROSTER_STORE"].flatMap { $0.isEmpty ? nil : $0 } ?? "sqlite:roster.db"
        if url.hasPrefix("sqlite:") {
            let path = String(url.dropFirst("sqlite:".count))
            guard !path.isEmpty else { throw ValidationError("--store sqlite: needs a path, as in sqlite:roster.db.") }
            return path
        }
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            throw ValidationError("PostgreSQL stores are not supported yet; use --store sqlite:PATH.")
        }
        throw ValidationError("--store takes sqlite:PATH (for example sqlite:roster.db), not \(url).")
    }

    /// Opens the store.
    func openStore() throws -> SQLiteStore {
        try SQLiteStore(path: try storeLocation())
    }

    /// Invitation tokens under the secret key, created beside the database on first use.
    func invitationTokens() throws -> InvitationTokens {
        InvitationTokens(keyBytes: try secretKey())
    }

    /// The secret key (invitation links, session cookies), created beside the database on first use.
    func secretKey() throws -> Data {
        let configured = secretKeyFile ?? environment["ROSTER_SECRET_KEY_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        return try SecretKeyFile.load(path: try configured ?? (storeLocation() + ".key"))
    }

    /// The base URL of invitation links.
    var linkBaseURL: String {
        baseURL ?? environment["ROSTER_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? "http://127.0.0.1:8080"
    }
}
