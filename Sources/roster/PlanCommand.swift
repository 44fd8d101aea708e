import ArgumentParser
import Foundation
import RosterCore
import RosterReconcile
import RosterStore

extension Roster {
    struct PlanCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "plan",
            abstract: "Show what applying the manifests would change in the store.",
            discussion: """
                Examples:
                  roster plan --repo . --ref main
                  roster plan --repo . --out plan.json   (then: roster apply plan.json)
                  roster plan --repo . --format markdown  (for a pull-request comment)

                A large plan shows the first \(PlanRenderer.TextLimits.standard.changesPerTeam) changes of each of \
                its first \(PlanRenderer.TextLimits.standard.teams) teams; --verbose shows all.

                Exit status: 0 success (with --detailed-exitcode: no changes), 2 changes (with --detailed-exitcode), \
                1 invalid manifests or a plan the rules forbid, 64 usage error.
                """)

        enum Format: String, ExpressibleByArgument, CaseIterable { case text, markdown, json }

        @OptionGroup var source: SourceOptions
        @OptionGroup var safety: SafetyOptions

        @Option(help: "text, markdown (for a pull-request comment) or json.")
        var format: Format = .text

        @Option(help: ArgumentHelp("Save the plan (JSON) for `roster apply FILE`.", valueName: "file"))
        var out: String?

        @Flag(help: "Exit 2 when the plan has changes, 0 when it has none.")
        var detailedExitcode = false

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await Output.reportingFailures {
                source.prepare()
                let store = try await global.openStore()
                let outcome = try await Reconciler.plan(
                    source: try source.makeSource(), loader: source.loader, store: store, overrides: safety.overrides,
                    allDeclarations: false)
                let plan = try PlanPrinter.requirePlannable(outcome, output: global.output, format: format)
                Output.keepUntilExit(outcome)
                if let out {
                    try PlanFile.save(plan, to: out)
                    if !global.quiet { Output.err("Saved the plan to \(out); apply it with `roster apply \(out)`.\n") }
                }
                // Saved with --quiet: the file is the output.
                PlanPrinter.print(plan, format: format, output: global.output, asked: out == nil)
                if detailedExitcode && !plan.isEmpty { throw ExitCode(2) }
            }
        }
    }
}

/// Printing plans and the problems that stop them, shared by plan, apply, diff and reconcile.
enum PlanPrinter {
    /// The plan, or the printed reasons there is none (invalid manifests, forbidden changes).
    static func requirePlannable(
        _ outcome: Reconciler.Outcome, output: OutputOptions, format: Roster.PlanCommand.Format = .text
    ) throws -> Plan {
        guard let plan = outcome.plan, outcome.errors.isEmpty else {
            try failing(outcome.errors, planned: outcome.plan != nil, output: output, format: format)
        }
        return plan
    }

    /// Prints why there is no plan (invalid manifests, or a plan that breaks rules) and exits 1;
    /// with `--format markdown` also on standard output, for the pull-request comment.
    static func failing(
        _ errors: [Diagnostic], planned: Bool, output: OutputOptions, format: Roster.PlanCommand.Format = .text
    ) throws -> Never {
        Output.err(DiagnosticRenderer.text(errors, color: output.colorOutput && isatty(2) == 1))
        let count = errors.filter { $0.severity == .error }.count
        let summary =
            planned
            ? "The plan breaks \(count) rule\(count == 1 ? "" : "s"); nothing will be applied."
            : "Invalid manifests: \(count) error\(count == 1 ? "" : "s"); nothing was planned."
        Output.err(summary + "\n")
        if format == .markdown { Output.out(DiagnosticRenderer.markdown(errors, heading: summary)) }
        throw ExitCode(1)
    }

    /// Prints `plan`; with `--quiet`, only when the plan is what the command was asked for (`asked`).
    static func print(_ plan: Plan, format: Roster.PlanCommand.Format, output: OutputOptions, asked: Bool = true) {
        switch format {
        case .json:
            Output.out(PlanRenderer.json(plan))
        case .markdown:
            Output.out(PlanRenderer.markdown(plan))
        case .text:
            for warning in plan.warnings { Output.err("warning: \(warning.printable)\n") }
            if !output.quiet || (asked && !plan.isEmpty) { Output.out(PlanRenderer.text(plan, color: output.colorOutput, limits: output.verbose ? nil : .standard)) }
        }
    }
}

/// Saved plans: the plan's JSON, read back for `roster apply FILE`.
enum PlanFile {
    static func save(_ plan: Plan, to path: String) throws {
        do {
            try Data(PlanRenderer.json(plan).utf8).write(to: URL(fileURLWithPath: path))
        } catch {
            throw SourceError("cannot write the plan to \(path): \(error.localizedDescription)")
        }
    }

    static func load(_ path: String) throws -> Plan {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SourceError("cannot read the plan file \(path)")
        }
        let plan: Plan
        do {
            plan = try JSONDecoder().decode(Plan.self, from: data)
        } catch {
            throw SourceError("\(path) is not a Roster plan (\(error))")
        }
        guard plan.formatVersion == Plan.currentFormatVersion else {
            throw SourceError("\(path) is a plan in format \(plan.formatVersion); this Roster reads format \(Plan.currentFormatVersion)")
        }
        return plan
    }
}
