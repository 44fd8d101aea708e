import ArgumentParser

/// `roster`: team accounts as code.
@main
struct Roster: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roster",
        abstract: "Team accounts as code: manifests in git, reconciled into the team store.",
        version: "0.1.0",
        subcommands: [
            Validate.self, PlanCommand.self, Apply.self, Reconcile.self, Diff.self, Status.self, Audit.self, Export.self,
            Invite.self, Team.self, Serve.self, APIKeyCommand.self, StoreCommand.self, Schema.self,
        ]
    )
}
