import ArgumentParser
import Foundation
import RosterPostgres
import RosterSQLite
import RosterStore

/// The output flags every command takes.
struct OutputOptions: ParsableArguments {
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

    func validate() throws {
        if quiet && verbose { throw ValidationError("--quiet and --verbose cannot be used together.") }
    }
}

/// Which store: `--store` and its password.
struct StoreOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The store: sqlite:PATH (default sqlite:roster.db) or postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|require|verify-full] (also ROSTER_STORE).",
            valueName: "url"))
    var store: String?

    @Option(
        help: ArgumentHelp(
            "A file holding the PostgreSQL store's password (else the URL's, or PGPASSWORD).", valueName: "path"))
    var storePasswordFile: String?

    func validate() throws {
        _ = try storeLocation()
    }

    private var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// The store `--store` (or ROSTER_STORE) names, with its password from the URL,
    /// `--store-password-file` or PGPASSWORD, in that order.
    func storeLocation() throws -> StoreLocation {
        let text = store ?? environment["ROSTER_STORE"].flatMap { $0.isEmpty ? nil : $0 } ?? "sqlite:roster.db"
        var location: StoreLocation
        do {
            location = try StoreLocation(parsing: text)
        } catch {
            throw ValidationError(error.message)
        }
        if case .postgres(var postgres) = location, postgres.password == nil {
            if let storePasswordFile {
                guard let contents = FileManager.default.contents(atPath: storePasswordFile) else {
                    throw ValidationError("--store-password-file \(storePasswordFile) cannot be read.")
                }
                // A trailing newline, as editors and `echo` leave, is not part of the password.
                var password = String(decoding: contents, as: UTF8.self)
                while password.hasSuffix("\n") || password.hasSuffix("\r") { password.removeLast() }
                postgres.password = password
            } else if let password = environment["PGPASSWORD"], !password.isEmpty {
                postgres.password = password
            }
            location = .postgres(postgres)
        }
        return location
    }
}

/// What commands that use the store take: the output flags, then the store options (shown
/// last in `--help`, where they matter least to a newcomer).
struct GlobalOptions: ParsableArguments {
    @OptionGroup var output: OutputOptions

    @OptionGroup(title: HelpLayout.storeTitle) var storeOptions: StoreOptions

    var quiet: Bool { output.quiet }
    var verbose: Bool { output.verbose }
    var colorOutput: Bool { output.colorOutput }

    func storeLocation() throws -> StoreLocation { try storeOptions.storeLocation() }

    /// Opens the store (connecting and migrating a PostgreSQL one).
    func openStore() async throws -> any Store {
        try await Self.open(try storeLocation())
    }

    /// Opens the store at `location`.
    static func open(_ location: StoreLocation) async throws -> any CopyableStore {
        switch location {
        case .sqlite(let path): try SQLiteStore(path: path)
        case .postgres(let location): try await PostgresStore(location)
        }
    }
}

/// The invitation key and link address, for the commands that make or check links.
struct LinkOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The secret key file for invitation links (default <database>.key; also ROSTER_SECRET_KEY_FILE).", valueName: "path"))
    var secretKeyFile: String?

    @Option(help: ArgumentHelp("Base URL of invitation links (default http://127.0.0.1:8080, for roster serve its --listen address; also ROSTER_BASE_URL).", valueName: "url"))
    var baseURL: String?

    private var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// Invitation tokens under the secret key, created beside the database on first use.
    func invitationTokens(store: GlobalOptions) throws -> InvitationTokens {
        InvitationTokens(keyBytes: try secretKey(store: store))
    }

    /// The secret key (invitation links, session cookies): `--secret-key-file`, or beside a
    /// SQLite database on first use. A PostgreSQL store has no file to sit beside, and its
    /// key must be the same file on every replica: it is required.
    func secretKey(store: GlobalOptions) throws -> Data {
        let configured = secretKeyFile ?? environment["ROSTER_SECRET_KEY_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        if let configured { return try SecretKeyFile.load(path: configured) }
        switch try store.storeLocation() {
        case .sqlite(let path): return try SecretKeyFile.load(path: path + ".key")
        case .postgres:
            throw ValidationError(
                "A PostgreSQL store needs the invitation key file: pass --secret-key-file PATH (or set ROSTER_SECRET_KEY_FILE), the same file on every replica.")
        }
    }

    /// The base URL of invitation links.
    var linkBaseURL: String { explicitBaseURL ?? "http://127.0.0.1:8080" }

    /// `--base-url` or ROSTER_BASE_URL, if either is given (`roster serve` defaults to its
    /// `--listen` address instead).
    var explicitBaseURL: String? {
        baseURL ?? environment["ROSTER_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }
}
