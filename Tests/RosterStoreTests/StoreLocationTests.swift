import Foundation
import Testing

@testable import RosterStore

@Suite("Store URLs: --store and ROSTER_STORE")
struct StoreLocationTests {
    @Test("a PostgreSQL URL gives its parts, percent-decoded, and prints without the password", arguments: [
        ("postgres://roster:s3cret@db.example.com:6543/teams", "db.example.com", 6543, "roster", "s3cret", "teams",
            PostgresLocation.TLSMode.prefer, "postgres://roster@db.example.com:6543/teams"),
        ("postgresql://ann@127.0.0.1/roster?sslmode=verify-full", "127.0.0.1", 5432, "ann", nil, "roster", .verifyFull,
            "postgres://ann@127.0.0.1:5432/roster?sslmode=verify-full"),
        ("postgres://ann:p%2Fw%40rd%3A1@h/db?sslmode=disable", "h", 5432, "ann", "p/w@rd:1", "db", .disable,
            "postgres://ann@h:5432/db?sslmode=disable"),
        ("postgres://ann:x@h/db?sslmode=require", "h", 5432, "ann", "x", "db", .require, "postgres://ann@h:5432/db?sslmode=require"),
    ] as [(String, String, Int, String, String?, String, PostgresLocation.TLSMode, String)])
    func postgres(
        _ text: String, _ host: String, _ port: Int, _ user: String, _ password: String?, _ database: String,
        _ tls: PostgresLocation.TLSMode, _ shown: String
    ) throws {
        guard case .postgres(let location) = try StoreLocation(parsing: text) else {
            Issue.record("\(text) is not a PostgreSQL location")
            return
        }
        #expect(location.host == host && location.port == port && location.user == user)
        #expect(location.password == password && location.database == database && location.tls == tls)
        #expect(location.description == shown)
        #expect(StoreLocation.postgres(location).description == shown)
    }

    @Test("sqlite:PATH is a path, relative or absolute")
    func sqlite() throws {
        #expect(try StoreLocation(parsing: "sqlite:roster.db") == .sqlite(path: "roster.db"))
        #expect(try StoreLocation(parsing: "sqlite:/var/lib/roster/roster.db") == .sqlite(path: "/var/lib/roster/roster.db"))
    }

    @Test("what does not parse is refused with a message that never holds the password", arguments: [
        ("postgres://ann:Pw/Secret@host/db", "Pw/Secret"),
        ("postgres://ann:hunter2@/db", "hunter2"),
        ("postgres://ann:hunter2@host", "hunter2"),
        ("postgres://ann:hunter2@host/db?sslmode=maybe", "hunter2"),
        ("postgres://ann:hunter2@host/db?password=x", "hunter2"),
        ("postgres://:hunter2@host/db", "hunter2"),
        ("mysql://ann:hunter2@host/db", "hunter2"),
        ("sqlite:", "sqlite"),
    ])
    func refused(_ text: String, _ secret: String) {
        do {
            _ = try StoreLocation(parsing: text)
            Issue.record("\(text) parsed")
        } catch {
            #expect(!error.message.isEmpty)
            if secret != "sqlite" { #expect(!error.message.contains(secret), "\(error.message)") }
        }
    }

    @Test("redacting hides any password before the last @, whatever it holds")
    func redacting() {
        #expect(StoreLocation.redacting("postgres://ann:Pw/S@cret@host/db") == "postgres://ann:***@host/db")
        #expect(StoreLocation.redacting("postgres://ann@host/db") == "postgres://ann@host/db")
        #expect(StoreLocation.redacting("sqlite:roster.db") == "sqlite:roster.db")
    }
}
