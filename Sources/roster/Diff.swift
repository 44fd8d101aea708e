import ArgumentParser
import Foundation
import RosterCore
import RosterGit
import RosterReconcile
import RosterStore

extension Roster {
    struct Diff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "What a change to the manifests means: the plan of --head against the state --base declares.",
            discussion: """
                Example (for a pull request):
                  roster diff --repo . --base origin/main --head HEAD --format markdown

                The store is not needed; spend limits above the default ceiling are flagged as needing an \
                operator's approval. Exit status: 0 (2 with --detailed-exitcode and changes), 1 invalid manifests.
                """)

        @Option(help: ArgumentHelp("The repository (a path or URL; default the current folder).", valueName: "path-or-url"))
        var repo: String = "."

        @Option(help: "The ref the change starts from (the pull request's base).")
        var base: String

        @Option(help: "The ref with the change (the pull request's head).")
        var head: String

        @Option(help: ArgumentHelp("Where fetched repositories are kept.", valueName: "path"))
        var cacheDir: String?

        @Option(help: "text, markdown or json.")
        var format: Roster.PlanCommand.Format = .text

        @Flag(help: "Exit 2 when the change has an effect.")
        var detailedExitcode = false

        @OptionGroup var output: OutputOptions
        /// Accepted, for scripts that pass the store to every command; never opened.
        @OptionGroup(visibility: .hidden) var store: StoreOptions

        func run() async throws {
            try await Output.reportingFailures {
                let loader = ManifestLoader()
                let baseSource = try GitSource(repository: repo, ref: base, cacheDirectory: cacheDir)
                let baseLoad = try await loader.load(from: baseSource)
                guard baseLoad.isValid else {
                    Output.err("The base (\(base.printable)) has invalid manifests:\n" + DiagnosticRenderer.text(baseLoad.diagnostics, color: false))
                    if format == .markdown {
                        Output.out(DiagnosticRenderer.markdown(
                            baseLoad.diagnostics, heading: "The base (\(base.printable)) has invalid manifests; nothing was compared."))
                    }
                    throw ExitCode(1)
                }
                let headSource = try GitSource(repository: repo, ref: head, cacheDirectory: cacheDir)
                let headLoad = try await loader.load(from: headSource)
                let now = Date()
                let rules = PlanRules(headLoad.config, now: now)
                var outcome = Reconciler.plan(
                    headLoad, current: CurrentState(declaredBy: baseLoad.teams, now: now), rules: rules,
                    source: Reconciler.planSource(headSource))
                guard headLoad.isValid else {
                    outcome.plan = nil
                    outcome.errors = headLoad.diagnostics
                    _ = try PlanPrinter.requirePlannable(outcome, output: output, format: format)
                    return
                }
                // Without the store, ceilings are unknown: what the default would refuse is a
                // note for reviewers, not a failure of the pull request.
                var plan = outcome.plan!
                plan.base = Reconciler.planSource(baseSource)
                plan.warnings += outcome.errors.map { "\($0.location): \($0.message)" }
                plan.warnings += Planner.pastExpiries(in: headLoad.teams, changedSince: baseLoad.teams, now: now)
                    .map { "\($0.location): \($0.message)" }
                PlanPrinter.print(plan, format: format, output: output)
                if detailedExitcode && !plan.isEmpty { throw ExitCode(2) }
            }
        }
    }
}
