import ArgumentParser
import RosterCore

extension Roster {
    struct Schema: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "schema",
            abstract: "Print the JSON Schema of the manifests (for editors and yaml-language-server).",
            discussion: """
                Example:
                  roster schema > roster.schema.json
                """)

        func run() {
            Output.out(ManifestSchema.json + "\n")
        }
    }
}
