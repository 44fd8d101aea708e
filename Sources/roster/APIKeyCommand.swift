import ArgumentParser
import Foundation
import RosterCore
import RosterStore

extension Roster {
    struct APIKeyCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "apikey", abstract: "API keys for the server's pages and JSON API.",
            subcommands: [Create.self, List.self, Revoke.self])

        struct Create: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "create",
                abstract: "Make a key for a person; it is printed once and stored hashed.",
                discussion: """
                    Example:
                      roster apikey create --email dana@example.com

                    What the key may see follows the person's role in each team.
                    """)

            @Option(help: "The person's email.")
            var email: String

            @OptionGroup var global: GlobalOptions

            func run() async throws {
                try await Output.reportingFailures {
                    guard let address = Email(email) else { throw ValidationError("--email \(email) is not an email address.") }
                    let store = try await global.openStore()
                    let key = APIKeySecret.generate()
                    let creator = ProcessInfo.processInfo.environment["USER"] ?? "operator"
                    _ = try await store.createAPIKey(key, email: address, createdBy: creator, at: Date())
                    Output.out(key.text + "\n")
                    // Not refused: the manifest that adds the person may come later. But a key
                    // for no team sees nothing, and a typo in the email looks just like that.
                    if try await store.roles(of: address).isEmpty {
                        Output.err("warning: \(address) is in no team yet: the key signs in but sees no team until they join one.\n")
                    }
                    if !global.quiet {
                        Output.err("Key \(key.id) for \(address). It is shown only now; keep it somewhere safe.\n")
                    }
                }
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "list",
                abstract: "List keys (ids, never secrets), newest first.",
                discussion: """
                    Example:
                      roster apikey list --email dana@example.com
                    """)

            @Option(help: "Only this person's keys.")
            var email: String?

            @OptionGroup var global: GlobalOptions

            func run() async throws {
                try await Output.reportingFailures {
                    let address = try email.map { text in
                        guard let address = Email(text) else { throw ValidationError("--email \(text) is not an email address.") }
                        return address
                    }
                    for key in try await global.openStore().apiKeys(email: address) {
                        let state = key.revokedAt.map { "revoked \(Timestamp.string($0))" } ?? "active"
                        Output.out("\(key.id)  \(key.email)  created \(Timestamp.string(key.createdAt)) by \(key.createdBy)  \(state)".printable + "\n")
                    }
                }
            }
        }

        struct Revoke: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "revoke",
                abstract: "Revoke a key; its sessions end at once.",
                discussion: """
                    Example:
                      roster apikey revoke 0123456789ab
                    """)

            @Argument(help: "The key's id (the 12 hex digits after roster_), or the whole key.")
            var key: String

            @OptionGroup var global: GlobalOptions

            func run() async throws {
                try await Output.reportingFailures {
                    let id = APIKeySecret(parsing: key)?.id ?? key
                    let revoker = ProcessInfo.processInfo.environment["USER"] ?? "operator"
                    guard try await global.openStore().revokeAPIKey(id: id, by: revoker, at: Date()) else {
                        throw StoreError(.notFound, "no active API key \(id)")
                    }
                    if !global.quiet { Output.out("Revoked \(id).\n") }
                }
            }
        }
    }
}
