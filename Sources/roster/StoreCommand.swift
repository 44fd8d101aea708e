import ArgumentParser
import Foundation
import RosterCore
import RosterStore

extension Roster {
    struct StoreCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "store", abstract: "Operator commands for stores.", subcommands: [Copy.self])

        struct Copy: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "copy",
                abstract: "Move a whole store into an empty one (SQLite ↔ PostgreSQL), then verify it.",
                discussion: """
                    Example:
                      roster store copy --from sqlite:roster.db --to postgres://db.internal/roster

                    Copies teams, members, invitations (with their nonces: links keep working with the same \
                    --secret-key-file), ceilings, runs, API keys and the audit log with its hashes, in one \
                    transaction of the target, which must be empty. Then verifies the copied chain and prints its \
                    head. Passwords come from the URLs or PGPASSWORD. Stop `roster serve` on the source first.
                    """)

            // Strings parsed in `validate()`, not `ExpressibleByArgument`: argument parser's own
            // error for a bad value repeats the value, which may hold a password.
            @Option(help: ArgumentHelp("The store to copy: sqlite:PATH or postgres://…", valueName: "url"))
            var from: String

            @Option(help: ArgumentHelp("The empty store to fill: sqlite:PATH or postgres://…", valueName: "url"))
            var to: String

            @Flag(name: .shortAndLong, help: "Print only the audit head.")
            var quiet = false

            func validate() throws {
                if try location(from, "--from") == location(to, "--to") {
                    throw ValidationError("--from and --to are the same store.")
                }
            }

            private func location(_ text: String, _ flag: String) throws -> StoreLocation {
                do {
                    return try StoreLocation(parsing: text).withEnvironmentPassword
                } catch {
                    throw ValidationError(error.message.replacingOccurrences(of: "--store", with: flag))
                }
            }

            func run() async throws {
                try await Output.reportingFailures {
                    let from = try location(from, "--from")
                    let to = try location(to, "--to")
                    let source = try await GlobalOptions.open(from)
                    let target = try await GlobalOptions.open(to)
                    let report = try await StoreCopy.copy(from: source, to: target)
                    await source.close()
                    await target.close()
                    let head = report.auditHead.map { "\($0)" } ?? "none (empty log)"
                    if quiet {
                        Output.out(head + "\n")
                        return
                    }
                    let kinds = ["teams", "users", "memberships", "invitations", "ceilings", "runs", "apiKeys", "audit"]
                    let counts = kinds.map { "\(report.rows[$0, default: 0]) \($0 == "apiKeys" ? "API keys" : $0 == "audit" ? "audit entries" : $0)" }
                    Output.out("Copied \(from) to \(to)".printable + ": " + counts.joined(separator: ", ") + ".\n")
                    Output.out("The copied audit log verifies; state version \(report.stateVersion); audit head \(head)\n")
                }
            }
        }
    }
}

extension StoreLocation {
    /// With PGPASSWORD as the password of a PostgreSQL location that names none.
    var withEnvironmentPassword: StoreLocation {
        guard case .postgres(var location) = self, location.password == nil,
            let password = ProcessInfo.processInfo.environment["PGPASSWORD"], !password.isEmpty
        else { return self }
        location.password = password
        return .postgres(location)
    }
}
