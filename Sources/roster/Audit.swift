import ArgumentParser
import Foundation
import RosterCore
import RosterStore

extension Roster {
    struct Audit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "audit",
            abstract: "Query and check the audit log: `roster audit` lists entries, oldest first.",
            discussion: """
                Examples:
                  roster audit --team ml-research --since 2026-11-01
                  roster audit --run RUN_ID --format json   (ids: apply, reconcile, status)
                  roster audit verify --head "$(cat audit-head.txt)"
                """,
            subcommands: [List.self, Verify.self, Head.self])

        @OptionGroup(title: "Filters") var filters: AuditFilters

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await filters.list(global: global)
        }

        /// The same as `roster audit` with no subcommand, for scripts that name it.
        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "list",
                abstract: "Audit entries, oldest first (what `roster audit` does without a subcommand).",
                discussion: """
                    Example:
                      roster audit list --user dana@example.com --action member.remove
                    """)

            @OptionGroup(title: "Filters") var filters: AuditFilters

            @OptionGroup var global: GlobalOptions

            func run() async throws {
                try await filters.list(global: global)
            }
        }

        struct Verify: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "verify",
                abstract: "Check the hash chain; name the first broken entry.",
                discussion: """
                    Example:
                      roster audit verify --head "$(cat audit-head.txt)"

                    Exit status: 0 intact, 1 broken or unreadable.
                    """)

            @Option(help: ArgumentHelp("The SEQ:HASH printed by `roster audit head` earlier, kept outside the database: also detects entries cut off the end.", valueName: "seq:hash"))
            var head: String?

            @OptionGroup var global: GlobalOptions

            /// The filters are `roster audit`'s, parsed wherever they are written: given here
            /// they would be ignored, so they are refused instead.
            @ParentCommand var audit: Audit

            func validate() throws {
                if let head, AuditHead(head) == nil {
                    throw ValidationError("--head takes SEQ:HASH as `roster audit head` prints it, not \(head).")
                }
            }

            func run() async throws {
                try audit.filters.requireNone(for: "verify", reason: "it checks the whole chain")
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
                commandName: "head",
                abstract: "Print the last entry's SEQ:HASH, to keep outside the database.",
                discussion: """
                    Example:
                      roster audit head > audit-head.txt
                    """)

            @OptionGroup var global: GlobalOptions
            @ParentCommand var audit: Audit

            func run() async throws {
                try audit.filters.requireNone(for: "head", reason: "it prints the last entry of the whole log")
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
