import ArgumentParser
import Foundation

/// `roster`: team accounts as code.
@main
struct Roster: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roster",
        abstract: "Team accounts as code: manifests in git, reconciled into the team store.",
        discussion: """
            Start with `roster validate --repo .`, then `roster plan --repo .` and `roster apply --repo .`. \
            Each command's --help shows an example.
            """,
        version: "0.1.0",
        subcommands: [
            Validate.self, PlanCommand.self, Apply.self, Reconcile.self, Diff.self, Status.self, Audit.self, Export.self,
            Invite.self, Team.self, Serve.self, APIKeyCommand.self, StoreCommand.self, Schema.self, Codeowners.self,
        ]
    )

    /// ArgumentParser's `main`, with "did you mean" for a mistyped subcommand (it suggests
    /// only options) and help that lists the store and key options last.
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            var command = try await asyncParseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure, let message = UnknownCommand.message(for: arguments, root: Self.self) {
                Output.err("Error: \(message)\n")
                Foundation.exit(ExitCode.validationFailure.rawValue)
            }
            if code == .success, let help = HelpLayout.storeOptionsLast(fullMessage(for: error)) {
                print(help)
                Foundation.exit(0)
            }
            exit(withError: error)
        }
    }
}
