import ArgumentParser
import Foundation
import RosterCore
import RosterStore

extension Roster {
    struct Audit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Query and check the audit log.", subcommands: [Query.self, Verify.self, Head.self],
            defaultSubcommand: Query.self)

        struct Query: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "list", abstract: "Audit entries, oldest first (the default: `roster audit --team t`).")

            enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, csv }

            @OptionGroup var global: GlobalOptions

            @Option(help: ArgumentHelp("From this time, inclusive: RFC 3339 or YYYY-MM-DD (UTC).", valueName: "time"))
            var since: String?
            @Option(help: ArgumentHelp("Before this time, exclusive: RFC 3339 or YYYY-MM-DD (UTC).", valueName: "time"))
            var until: String?
            @Option(help: ArgumentHelp("The actor or the commit author (onBehalfOf), case-insensitive.", valueName: "email"))
            var user: String?
            @Option(help: ArgumentHelp("team, member or invite.", valueName: "type"))
            var resourceType: String?
            @Option(help: ArgumentHelp("A team slug, or <team>/<email>.", valueName: "id"))
            var resourceId: String?
            @Option(help: ArgumentHelp("A dotted action, such as member.role.update.", valueName: "action"))
            var action: String?
            @Option(help: "A team slug.")
            var team: String?
            @Option(help: ArgumentHelp("Only the entries of one run: the id `apply`, `reconcile` and `status` print.", valueName: "id"))
            var run: String?
            @Option(help: ArgumentHelp("Only the newest N entries.", valueName: "n"))
            var limit: Int?
            @Option(help: "text, json or csv.")
            var format: Format = .text

            func validate() throws {
                if let since, Timestamp.bound(since) == nil {
                    throw ValidationError("--since takes RFC 3339 (2026-11-23T10:00:00Z) or a date (2026-11-23), not \(since).")
                }
                if let until, Timestamp.bound(until) == nil {
                    throw ValidationError("--until takes RFC 3339 (2026-11-23T10:00:00Z) or a date (2026-11-23), not \(until).")
                }
                if let resourceType, AuditResourceType(rawValue: resourceType) == nil {
                    let names = AuditResourceType.allCases.map(\.rawValue).joined(separator: ", ")
                    throw ValidationError("--resource-type is one of \(names), not \(resourceType).")
                }
                if let limit, limit < 1 { throw ValidationError("--limit must be 1 or more.") }
                if let action, AuditAction(rawValue: action) == nil {
                    throw ValidationError(
                        "--action \(action) is not an audit action; the actions are "
                            + AuditAction.allCases.map(\.rawValue).joined(separator: ", ") + ".")
                }
            }

            func run() async throws {
                try await Output.reportingFailures {
                    let query = AuditQuery(
                        since: since.flatMap(Timestamp.bound), until: until.flatMap(Timestamp.bound), user: user,
                        resourceType: resourceType, resourceID: resourceId?.lowercased(), action: action, team: team,
                        runID: self.run, limit: limit)
                    let entries = try await global.openStore().auditEntries(matching: query)
                    switch format {
                    case .text: Output.out(AuditRenderer.text(entries))
                    case .json: Output.out(AuditRenderer.json(entries))
                    case .csv: Output.out(AuditRenderer.csv(entries))
                    }
                }
            }
        }

        struct Verify: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Check the hash chain; name the first broken entry.",
                discussion: "Exit status: 0 intact, 1 broken or unreadable.")

            @OptionGroup var global: GlobalOptions

            @Option(help: ArgumentHelp("The SEQ:HASH printed by `roster audit head` earlier, kept outside the database: also detects entries cut off the end.", valueName: "seq:hash"))
            var head: String?

            func validate() throws {
                if let head, AuditHead(head) == nil {
                    throw ValidationError("--head takes SEQ:HASH as `roster audit head` prints it, not \(head).")
                }
            }

            func run() async throws {
                try await Output.reportingFailures {
                    switch try await global.openStore().verifyAudit(expectedHead: head.flatMap(AuditHead.init)) {
                    case .intact(let count, let last):
                        if !global.quiet {
                            Output.out("Audit log intact: \(count) entr\(count == 1 ? "y" : "ies")" + (last.map { ", head \($0)" } ?? "") + ".\n")
                        }
                    case .broken(let seq, let reason):
                        Output.err("Audit log broken at entry \(seq): \(reason.printable).\n")
                        throw ExitCode(1)
                    }
                }
            }
        }

        struct Head: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Print the last entry's SEQ:HASH, to keep outside the database.")

            @OptionGroup var global: GlobalOptions

            func run() async throws {
                try await Output.reportingFailures {
                    guard let head = try await global.openStore().auditHead() else {
                        throw StoreError(.notFound, "the audit log is empty")
                    }
                    Output.out("\(head)\n")
                }
            }
        }
    }
}
