import Foundation
import PostgresNIO
import RosterCore
import RosterStoreTestSupport
import RosterTestSupport
import Testing

@testable import RosterPostgres
@testable import RosterStore

@Suite("PostgreSQL store: sslmode", .enabled(if: TestPostgres.offersTLS, "the server ROSTER_TEST_POSTGRES_URL names may not offer TLS"))
struct PostgresTLSTests {
    /// Whether the store's connections are encrypted, as the server sees them.
    static func encrypted(_ store: PostgresStore) async throws -> Bool {
        let logger = store.logger
        return try await store.withConnection { connection in
            try await PostgresStore.first(
                Bool.self, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", on: connection, logger) ?? false
        }
    }

    @Test("disable is plain TCP; prefer and require encrypt; verify-full refuses a certificate nobody vouches for",
        arguments: PostgresLocation.TLSMode.allCases)
    func modes(_ mode: PostgresLocation.TLSMode) async throws {
        guard case .postgres(var location) = try StoreLocation(parsing: try await TestPostgres.freshDatabaseURL()) else {
            Issue.record("the test server's URL is not a PostgreSQL URL")
            return
        }
        location.tls = mode
        switch mode {
        case .disable, .prefer, .require:
            let store = try await PostgresStore(location)
            #expect(try await Self.encrypted(store) == (mode != .disable))
            _ = try await store.stateVersion()
            await store.close()
        case .verifyFull:
            let error = await storeError { _ = try await PostgresStore(location) }
            #expect(error?.kind == .io)
            #expect(error?.message.contains("127.0.0.1") == true, "\(error?.message ?? "")")
            #expect(error?.message.contains(location.password ?? "?") == false)
        }
    }
}
