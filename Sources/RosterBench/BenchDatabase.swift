import Foundation

/// The PostgreSQL database `--store postgres://…` names: the benchmark drops and recreates
/// it around runs with the PostgreSQL client tools (psql, createdb, dropdb). Its password
/// reaches children only as PGPASSWORD: it is never printed nor put on a command line.
struct BenchDatabase {
    var host: String
    var port: Int
    var user: String
    var database: String
    /// The URL's query (`sslmode=…`), kept for roster.
    var query: String?
    /// The URL's sslmode, for the client tools' PGSSLMODE.
    var sslmode: String?
    private var password: String?

    /// Nil unless `text` is a postgres:// URL naming a user and a database; the password
    /// comes from the URL, else from our PGPASSWORD.
    init?(url text: String) {
        guard text.hasPrefix("postgres://") || text.hasPrefix("postgresql://"),
            let components = URLComponents(string: text), let host = components.host, !host.isEmpty,
            let user = components.percentEncodedUser?.removingPercentEncoding, !user.isEmpty,
            let database = String(components.path.drop { $0 == "/" }).removingPercentEncoding, !database.isEmpty
        else { return nil }
        self.host = host
        port = components.port ?? 5432
        self.user = user
        self.database = database
        query = components.percentEncodedQuery
        sslmode = components.queryItems?.first { $0.name == "sslmode" }?.value
        password = components.percentEncodedPassword?.removingPercentEncoding
            ?? ProcessInfo.processInfo.environment["PGPASSWORD"]
    }

    /// What the client tools cannot drop or be told to drop by mistake.
    var isSystemDatabase: Bool { database == "postgres" || database.hasPrefix("template") }

    /// The URL roster is given: the password left out (it reads PGPASSWORD).
    var url: String {
        var components = URLComponents()
        components.scheme = "postgres"
        components.user = user
        components.host = host
        components.port = port
        components.path = "/" + database
        components.percentEncodedQuery = query
        return components.string!
    }

    /// Our environment with PGPASSWORD set, for roster and the client tools.
    var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["PGPASSWORD"] = password
        if let sslmode { environment["PGSSLMODE"] = sslmode }
        return environment
    }

    /// An empty database of that name, whatever was there before.
    func recreate() {
        drop()
        client("createdb", ["--encoding=UTF8", "--template=template0", database])
    }

    /// The database gone, if it was there (dropdb waits for exited clients' sessions to end).
    func drop() {
        client("dropdb", ["--if-exists", database])
    }

    /// The database's size on the server, in bytes.
    func sizeBytes() -> Int {
        Int(client("psql", ["-X", "-q", "-A", "-t", "-d", database, "-c", "select pg_database_size(current_database())"]))
            ?? 0
    }

    /// Whether the server answers with these credentials, with its version.
    func serverVersion() -> String {
        client("psql", ["-X", "-q", "-A", "-t", "-d", "postgres", "-c", "show server_version"])
    }

    /// Runs a PostgreSQL client tool against the server, never prompting (`-w`), and returns
    /// its standard output (see `output(of:)`).
    @discardableResult
    private func client(_ tool: String, _ arguments: [String]) -> String {
        var environment = environment
        environment["PGOPTIONS"] = "-c client_min_messages=warning"  // not "database … does not exist, skipping"
        return output(
            of: "/usr/bin/env", [tool, "-h", host, "-p", "\(port)", "-U", user, "-w"] + arguments, environment: environment)
    }
}
