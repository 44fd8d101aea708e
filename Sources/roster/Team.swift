import ArgumentParser
import Foundation
import RosterCore
import RosterStore

extension Roster {
    struct Team: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "team",
            abstract: "Operator commands for teams.", subcommands: [Ceiling.self])

        struct Ceiling: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "ceiling",
                abstract: "Approve a team's spend-limit ceiling (audited); manifests may set limits up to it.",
                discussion: """
                    Example:
                      roster team ceiling --team ml-research --per-hour 120 --actor ops@example.com

                    The team need not exist yet: approve the ceiling, then apply the manifest that creates it.
                    """)

            @Option(help: "The team's slug.")
            var team: String

            @Option(help: ArgumentHelp("The ceiling in US dollars per hour (at most two decimals).", valueName: "dollars"))
            var perHour: String

            @Option(help: ArgumentHelp("Who approves it, for the audit log (default $USER).", valueName: "name"))
            var actor: String?

            @OptionGroup var lock: LockOptions

            @OptionGroup var global: GlobalOptions

            func validate() throws {
                guard TeamSlug.isValid(team) else { throw ValidationError("--team \(team) is not a valid team slug.") }
                guard case .success = SpendLimit.parse(perHour) else {
                    throw ValidationError("--per-hour takes dollars such as 150 or 99.50, not \(perHour).")
                }
            }

            func run() async throws {
                try await Output.reportingFailures {
                    guard case .success(let ceiling) = SpendLimit.parse(perHour) else { return }
                    let who = actor ?? ProcessInfo.processInfo.environment["USER"] ?? "operator"
                    try await global.openStore().setCeiling(team: team, to: ceiling, actor: who, at: Date(), lockTimeout: lock.duration)
                    if !global.quiet { Output.out("Spend-limit ceiling of \(team) is now $\(ceiling)/h.\n") }
                }
            }
        }
    }
}
