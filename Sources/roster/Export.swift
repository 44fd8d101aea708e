import ArgumentParser
import Foundation
import RosterCore
import RosterStore

extension Roster {
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Write the store's teams as manifests (one file per team) that plan to zero changes.",
            discussion: """
                Example:
                  roster export --dir teams
                """)

        @Option(help: ArgumentHelp("The folder to write <team>.yaml files into (created when missing).", valueName: "path"))
        var dir: String

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await Output.reportingFailures {
                let state = try await global.openStore().currentState()
                do {
                    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                    for slug in state.teams.keys.sorted() {
                        let text = try ManifestExporter.yaml(for: state.teams[slug]!)
                        try Data(text.utf8).write(to: URL(fileURLWithPath: dir).appendingPathComponent(slug + ".yaml"))
                    }
                } catch let error as SourceError {
                    throw error
                } catch {
                    throw SourceError("cannot write to \(dir): \(error.localizedDescription)")
                }
                if !global.quiet { Output.out("Exported \(state.teams.count) team\(state.teams.count == 1 ? "" : "s") to \(dir.printable).\n") }
            }
        }
    }
}
