import ArgumentParser
import Foundation
import RosterCore

extension Roster {
    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "validate",
            abstract: "Load and check the manifests; report every problem with file:line:column.",
            discussion: """
                Examples:
                  roster validate --repo .
                  roster validate --dir teams --format github

                Exit status: 0 valid (warnings allowed), 1 invalid or unreadable, 64 usage error.
                """)

        enum Format: String, ExpressibleByArgument, CaseIterable {
            case text, json, github
        }

        @OptionGroup var source: SourceOptions

        @Option(help: "text, json, or github (Actions annotation lines).")
        var format: Format = .text

        @OptionGroup var output: OutputOptions
        /// Accepted, for scripts that pass the store to every command; never opened.
        @OptionGroup(visibility: .hidden) var store: StoreOptions

        func run() async throws {
            try await Output.reportingFailures {
                let started = ContinuousClock.now
                var loader = source.loader
                loader.keepsMembers = false  // the verdict needs the checks, not the members
                let result = try await loader.load(from: try source.makeSource())
                defer { Output.keepUntilExit(result) }
                switch format {
                case .json: Output.out(DiagnosticRenderer.json(result.diagnostics))
                case .github: Output.out(DiagnosticRenderer.github(result.diagnostics))
                case .text:
                    Output.out(DiagnosticRenderer.text(result.diagnostics, color: output.colorOutput))
                    if !output.quiet || !result.isValid {
                        Output.out(summary(result) + "\n")
                    }
                    if output.verbose {
                        let elapsed = ContinuousClock.now - started
                        Output.err("read \(result.fileCount) files, \(result.byteCount) bytes in \(elapsed)\n")
                    }
                }
                if !result.isValid { throw ExitCode(1) }
            }
        }

        private func summary(_ result: LoadResult) -> String {
            let errors = result.diagnostics.filter { $0.severity == .error }.count
            let warnings = result.diagnostics.count - errors
            let files = "\(result.fileCount) file\(result.fileCount == 1 ? "" : "s")"
            let at = result.revision.map { " at \($0.ref) (\($0.commit.prefix(12)))" } ?? ""
            if errors == 0 {
                let teams = "\(result.teams.count) team\(result.teams.count == 1 ? "" : "s")"
                let warned = warnings == 0 ? "" : ", \(warnings) warning\(warnings == 1 ? "" : "s")"
                return "Valid: \(teams) in \(files)\(at)\(warned)."
            }
            // The files the errors are in, of those read: "2 errors in 1 of 4 files".
            let failing = Set(result.diagnostics.lazy.filter { $0.severity == .error && !$0.file.isEmpty }.map(\.file)).count
            let place = failing == 0 ? "reading \(files)" : failing >= result.fileCount ? "in \(failing) file\(failing == 1 ? "" : "s")" : "in \(failing) of \(files)"
            let warned = warnings == 0 ? "" : ", \(warnings) warning\(warnings == 1 ? "" : "s")"
            return "Invalid: \(errors) error\(errors == 1 ? "" : "s") \(place)\(at)\(warned)."
        }
    }
}
