import ArgumentParser
import Foundation
import RosterCore
import RosterGit
import RosterReconcile
import RosterStore

extension Roster {
    struct Diff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "diff",
            abstract: "What a change to the manifests means: the plan of --head against the state --base declares.",
            discussion: """
                Example (for a pull request):
                  roster diff --repo . --base origin/main --head HEAD --format markdown

                The store is not needed; spend limits above the default ceiling are flagged as needing an \
                operator's approval. Each team's changes are checked against the author's role in the base \
                (see `roster codeowners`). Exit status: 0 (2 with --detailed-exitcode and changes), 1 invalid \
                manifests, 3 with --require-authorized when the author may not make every change.
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

        @Flag(help: "Decode every manifest of both trees, not only the files that differ between them.")
        var noCache = false

        @Option(help: ArgumentHelp("Whose permissions to check (default: the head commit's author).", valueName: "email"))
        var author: String?

        @Flag(help: "Exit 3 when the author may not make every change (for a required pull-request check).")
        var requireAuthorized = false

        func validate() throws {
            if let author, Email(author) == nil { throw ValidationError("--author \(author) is not an email address.") }
        }

        @OptionGroup var output: OutputOptions
        /// Accepted, for scripts that pass the store to every command; never opened.
        @OptionGroup(visibility: .hidden) var store: StoreOptions

        func run() async throws {
            try await Output.reportingFailures {
                let loader = ManifestLoader()
                let baseSource = try GitSource(repository: repo, ref: base, cacheDirectory: cacheDir)
                let headSource = try GitSource(repository: repo, ref: head, cacheDirectory: cacheDir)
                // Only the files that differ between the trees are decoded: a pull request
                // costs its size, whatever the size of the organisation.
                let (baseLoad, headLoad) = try await loader.loadChange(base: baseSource, head: headSource, everything: noCache)
                guard baseLoad.isValid else {
                    Output.err("The base (\(base.printable)) has invalid manifests:\n" + DiagnosticRenderer.text(baseLoad.diagnostics, color: false))
                    if format == .markdown {
                        Output.out(DiagnosticRenderer.markdown(
                            baseLoad.diagnostics, heading: "The base (\(base.printable)) has invalid manifests; nothing was compared."))
                    }
                    throw ExitCode(1)
                }
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
                plan.authority = ChangeAuthority.check(
                    plan.changes, before: outcome.current!, teamCreators: baseLoad.config.policy.teamCreators,
                    author: (author ?? headLoad.revision?.author).flatMap(Email.init))
                plan.warnings += Planner.pastExpiries(in: headLoad.teams, changedSince: baseLoad.teams, now: now)
                    .map { "\($0.location): \($0.message)" }
                PlanPrinter.print(plan, format: format, output: output)
                try requireAuthority(plan)
                if detailedExitcode && !plan.isEmpty { throw ExitCode(2) }
            }
        }
    }
}
