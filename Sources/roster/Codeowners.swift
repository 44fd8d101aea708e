import ArgumentParser
import Foundation
import RosterCore

extension Roster {
    struct Codeowners: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "codeowners",
            abstract: "Write a CODEOWNERS file that asks each team's admins to review changes to its manifest.",
            discussion: """
                Examples:
                  roster codeowners                    (writes .github/CODEOWNERS here)
                  roster codeowners --repo . --check   (in CI: is the committed one current?)

                Each manifest file is owned by the admins of the teams it declares; with \
                spec.policy.teamCreators, they own every other file (new teams' files, roster.yaml) and the \
                files of teams whose only admin is the owner. Exit status: 0 written or up to date, \
                1 invalid manifests or (with --check) a missing or out-of-date file.
                """)

        @OptionGroup var source: SourceOptions

        @Option(help: ArgumentHelp("The file, from the repository's root; - prints it.", valueName: "path"))
        var out: String = CodeOwners.defaultPath

        @Flag(help: "Write nothing: exit 1 when the file at --out (in the folder, or in the commit --ref names) is not what would be written.")
        var check = false

        @OptionGroup var output: OutputOptions
        /// Accepted, for scripts that pass the store to every command; never opened.
        @OptionGroup(visibility: .hidden) var store: StoreOptions

        func validate() throws {
            let parts = out.split(separator: "/")
            if out.isEmpty || out.hasPrefix("/") || parts.contains("..") {
                throw ValidationError("--out \(out) is not a path inside the repository; use a relative path without \"..\".")
            }
            if check && out == "-" { throw ValidationError("--check compares with a file: give --out a path, not -.") }
            if !check && out != "-", let repo = source.repo, repo.contains("://") {
                throw ValidationError("--repo \(repo) is not a local folder to write into; use --check, --out - or --dir.")
            }
        }

        func run() async throws {
            try await Output.reportingFailures {
                let manifests = try source.makeSource()
                let load = try await source.loader.load(from: manifests)
                defer { Output.keepUntilExit(load) }
                guard load.isValid else {
                    Output.err(DiagnosticRenderer.text(load.diagnostics, color: output.colorOutput && isatty(2) == 1))
                    Output.err("Invalid manifests: no CODEOWNERS was written.\n")
                    throw ExitCode(1)
                }
                let text = CodeOwners.file(for: load.teams, teamCreators: load.config.policy.teamCreators)
                if out == "-" { return Output.out(text) }
                let root = source.dir ?? source.repo ?? "."
                if check {
                    guard let entry = try manifests.entry(at: out).entries.first else {
                        Output.err("error: \(out.printable) is missing; write it with `roster codeowners` and commit it.\n")
                        throw ExitCode(1)
                    }
                    let committed = try? manifests.makeReader().read(entry, maxSize: source.loader.maxFileSize).get()
                    guard let committed, String(decoding: committed.bytes, as: UTF8.self) == text else {
                        Output.err("error: \(out.printable) is out of date; run `roster codeowners` and commit it.\n")
                        throw ExitCode(1)
                    }
                    if !output.quiet { Output.out("\(out.printable) is up to date (\(load.teams.count) teams).\n") }
                    return
                }
                let url = URL(fileURLWithPath: root).appendingPathComponent(out)
                do {
                    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                    try Data(text.utf8).write(to: url)
                } catch {
                    throw SourceError("cannot write \(url.path): \(error.localizedDescription)")
                }
                if !output.quiet { Output.out("Wrote \(url.path.printable) (\(load.teams.count) teams).\n") }
            }
        }
    }
}
