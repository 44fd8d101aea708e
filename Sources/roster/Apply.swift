import ArgumentParser
import Foundation
import RosterCore
import RosterReconcile
import RosterStore

extension Roster {
    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "apply",
            abstract: "Apply a saved plan (roster apply FILE) or plan and apply from a source.",
            discussion: """
                Examples:
                  roster apply --repo .
                  roster apply plan.json --yes

                Asks for confirmation on a terminal unless --yes. Exit status: 0 applied (or nothing to do), \
                1 error, 3 refused (stale plan, safety limit, another writer holds the lock), 64 usage error.
                """)

        @OptionGroup var source: SourceOptions
        @OptionGroup var safety: SafetyOptions

        @Argument(help: ArgumentHelp("A plan saved with `roster plan --out`.", valueName: "plan-file"))
        var planFile: String?

        @Flag(name: .shortAndLong, help: "Apply without asking.")
        var yes = false

        @Option(help: ArgumentHelp("How long to wait for another writer, in seconds.", valueName: "seconds"))
        var lockTimeout: Double = 30

        @Option(help: ArgumentHelp("Who the audit log names as the actor (default roster; also ROSTER_IDENTITY).", valueName: "name"))
        var identity: String?

        @OptionGroup var global: GlobalOptions

        func validate() throws {
            if planFile != nil && (source.repo != nil || source.dir != nil) {
                throw ValidationError("Apply a saved plan or a source (--repo/--dir), not both.")
            }
            try Seconds.check(lockTimeout, flag: "--lock-timeout")
            if !yes && isatty(0) != 1 {
                throw ValidationError("Not a terminal: pass --yes to apply without confirmation.")
            }
        }

        func run() async throws {
            try await Output.reportingFailures {
                source.prepare()
                let store = try await global.openStore()
                let plan: Plan
                let maxRemovals: Int
                var cacheUpdate: PlanCacheUpdate?
                if let planFile {
                    plan = try PlanFile.load(planFile)
                    maxRemovals = safety.overrides.maxRemovals(forSaved: plan)
                } else {
                    let source = try source.makeSource()
                    var streamed: Reconciler.StreamedApply?
                    if yes {
                        // A first apply writes while it decodes; it prints the plan once all of
                        // it is written, before the commit, as below.
                        let output = global.output
                        streamed = try await Reconciler.applyStreamed(
                            source: source, loader: self.source.loader, store: store, overrides: safety.overrides,
                            context: context(onBehalfOf: Reconciler.planSource(source).author, cacheUpdate: nil)
                        ) { outcome in
                            outcome.plan.map { PlanPrinter.print($0, format: .text, output: output, asked: false) }
                            return true
                        }
                    }
                    if case .applied(let plan, let report)? = streamed {
                        Output.keepUntilExit(plan)
                        if global.verbose {
                            Output.err("The store held no team: each team was written as soon as it was decoded.\n")
                        }
                        return Self.report(report)
                    }
                    let outcome: Reconciler.Outcome
                    if case .planned(let planned)? = streamed {
                        outcome = planned
                    } else {
                        outcome = try await Reconciler.plan(
                            source: source, loader: self.source.loader, store: store, overrides: safety.overrides,
                            allDeclarations: false)
                    }
                    plan = try PlanPrinter.requirePlannable(outcome, output: global.output)
                    Output.keepUntilExit(outcome)
                    cacheUpdate = outcome.load.cacheUpdate
                    maxRemovals = outcome.rules.allowMassRemoval ? .max : outcome.rules.maxRemovals
                }
                PlanPrinter.print(plan, format: .text, output: global.output, asked: false)
                if plan.removalCount > maxRemovals {
                    throw Refusal(
                        message: "the plan removes \(plan.removalCount) members or invitations, over maxRemovals (\(maxRemovals)); "
                            + "nothing was applied (run with --allow-mass-removal if this is intended)")
                }
                guard !plan.isEmpty else {
                    // Nothing to apply, but the tree is now what the store holds: the next plan
                    // starts from it, as after reconcile's empty runs.
                    if let cacheUpdate {
                        _ = try await store.refreshPlanCache(
                            cacheUpdate, asOf: plan.stateVersion, lockTimeout: Seconds.duration(lockTimeout))
                    }
                    return
                }
                if !yes {
                    let total = plan.summary.total
                    Output.out("\nApply \(total == 1 ? "this change" : "these \(total) changes")? Only 'yes' is accepted: ")
                    guard readLine()?.trimmingCharacters(in: .whitespaces) == "yes" else {
                        Output.err("Apply cancelled; nothing was changed.\n")
                        throw ExitCode(1)
                    }
                }
                let report = try await store.apply(
                    plan, context: context(onBehalfOf: plan.source?.author, cacheUpdate: cacheUpdate))
                Self.report(report)
            }
        }

        private func context(onBehalfOf author: String?, cacheUpdate: PlanCacheUpdate?) -> ApplyContext {
            ApplyContext(
                actor: identity ?? ProcessInfo.processInfo.environment["ROSTER_IDENTITY"] ?? "roster",
                onBehalfOf: author, lockTimeout: Seconds.duration(lockTimeout), cacheUpdate: cacheUpdate)
        }

        /// The one-line result, even with --quiet: a script learns the run id from it.
        private static func report(_ report: ApplyReport) {
            Output.out(
                "Applied \(report.applied) change\(report.applied == 1 ? "" : "s") (run \(report.runID)); "
                    + "store version \(report.stateVersion)"
                    + (report.auditHead.map { ", audit head \($0)" } ?? "") + ".\n")
        }
    }
}
