import Foundation

/// The two store backends tests run on.
public enum StoreBackend: String, CaseIterable, Sendable {
    case sqlite, postgres

    /// The backend the command-line tests of this test process use: `ROSTER_TEST_STORE=sqlite`
    /// (the default) or `postgres`. A misspelt value stops the run: quietly testing SQLite
    /// again instead would look like a green PostgreSQL pass.
    public static let current: StoreBackend = {
        let value = ProcessInfo.processInfo.environment["ROSTER_TEST_STORE"] ?? ""
        if value.isEmpty { return .sqlite }
        guard let backend = StoreBackend(rawValue: value) else {
            fatalError("ROSTER_TEST_STORE=\(value): expected sqlite or postgres")
        }
        return backend
    }()

    /// For `.enabled(if:)` on tests about SQLite's files themselves.
    public static var isSQLite: Bool { current == .sqlite }
    /// For `.enabled(if:)` on tests about PostgreSQL alone.
    public static var isPostgres: Bool { current == .postgres }
}
