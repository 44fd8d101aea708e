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

        /// Teams read from the store at a time: an export of ten thousand teams of a hundred
        /// never holds the million memberships at once.
        static let teamsPerRead = 200

        func run() async throws {
            try await Output.reportingFailures {
                let store = try await global.openStore()
                // Every change to the store moves its version: pages read at the version read
                // first are one snapshot of it.
                let version = try await store.stateVersion()
                let slugs = try await store.teamSummaries(nil).map(\.slug)
                do {
                    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                    for start in stride(from: 0, to: slugs.count, by: Self.teamsPerRead) {
                        let page = try await store.currentState(teams: Set(slugs[start..<min(start + Self.teamsPerRead, slugs.count)]))
                        guard page.version == version else {
                            throw SourceError(
                                "the store changed while it was exported (version \(version), now \(page.version)); "
                                    + "the files in \(dir.printable) may mix the two: export again")
                        }
                        for slug in page.teams.keys.sorted() {
                            try Self.write(try ManifestExporter.yaml(for: page.teams[slug]!), to: dir + "/" + slug + ".yaml")
                        }
                    }
                } catch let error as SourceError {
                    throw error
                } catch {
                    throw SourceError("cannot write to \(dir): \(error.localizedDescription)")
                }
                if !global.quiet { Output.out("Exported \(slugs.count) team\(slugs.count == 1 ? "" : "s") to \(dir.printable).\n") }
            }
        }

        /// Writes `text` to `path` (created, or replaced), without syncing it to disk: an export
        /// is files to commit, not a store, and `Data.write` syncs every file (a fifth of
        /// exporting ten thousand teams).
        static func write(_ text: String, to path: String) throws {
            let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            func failure() -> SourceError { SourceError("cannot write \(path.printable): \(String(cString: strerror(errno)))") }
            guard descriptor >= 0 else { throw failure() }
            var bytes = text
            let complete = bytes.withUTF8 { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Foundation.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 && errno == EINTR { continue }
                    guard written > 0 else { return false }
                    offset += written
                }
                return true
            }
            let error = complete ? nil : failure()
            // A failed close can be the write failing late (a full disk, a network file system).
            guard close(descriptor) == 0, complete else { throw error ?? failure() }
        }
    }
}
