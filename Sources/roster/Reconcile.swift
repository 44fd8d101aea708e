import ArgumentParser
import Foundation
import RosterCore
import RosterGit
import RosterStore

extension Roster {
    struct Reconcile: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One scheduled run: fetch, plan, apply within the safety rules, record the run.",
            discussion: """
                For cron or CI. No confirmation is asked. A run the rules refuse is recorded with its reason. \
                With selfHeal off (roster.yaml), changes that only undo drift are left out. \
                Exit status: 0 applied or nothing to do, 1 error, 3 refused.
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var source: SourceOptions
        @OptionGroup var safety: SafetyOptions

        @Flag(help: "Repeat every --interval until interrupted.")
        var watch = false

        @Option(help: ArgumentHelp("With --watch: time between runs, such as 30s, 5m or 1h.", valueName: "duration"))
        var interval: String = "5m"

        @Option(help: ArgumentHelp("How long to wait for another writer, in seconds.", valueName: "seconds"))
        var lockTimeout: Double = 30

        @Option(help: ArgumentHelp("Who the audit log names as the actor (default roster; also ROSTER_IDENTITY).", valueName: "name"))
        var identity: String?

        func validate() throws {
            guard Self.seconds(interval) != nil else {
                throw ValidationError("--interval takes a duration such as 30s, 5m or 1h, not \(interval).")
            }
            if lockTimeout < 0 { throw ValidationError("--lock-timeout must be 0 or more.") }
        }

        static func seconds(_ text: String) -> Double? {
            let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600]
            guard let unit = text.last.flatMap({ units[$0] }), let value = Double(text.dropLast()), value > 0 else {
                return Double(text).flatMap { $0 > 0 ? $0 : nil }
            }
            return value * unit
        }

        func run() async throws {
            guard watch else { return try await once() }
            let pause = Self.seconds(interval)!
            while true {
                do {
                    try await once()
                } catch let code as ExitCode where code != .success {
                    // Reported and recorded already; the next run tries again.
                }
                try await Task.sleep(for: .seconds(pause))
            }
        }

        private func once() async throws {
            try await Output.reportingFailures {
                let store = try global.openStore()
                let started = Date()
                let runID = UUID().uuidString.lowercased()
                let trigger = "reconcile"
                func record(_ result: ReconcileRun.Result, _ revision: SourceRevision?, _ message: String) async throws {
                    try await store.record(ReconcileRun(
                        id: runID, trigger: trigger, startedAt: started, finishedAt: Date(), repository: revision?.repository,
                        ref: revision?.ref, commit: revision?.commit, author: revision?.author, result: result, message: message))
                }
                let manifestSource: any ManifestSource
                do {
                    manifestSource = try source.makeSource()
                } catch let error as SourceError {
                    try await record(.failed, nil, error.message)
                    throw error
                }
                let outcome = try await Reconciler.plan(
                    source: manifestSource, loader: source.loader, store: store, overrides: safety.overrides)
                // A single run exits right after; a --watch loop must free each run's state.
                if !watch { Output.keepUntilExit(outcome) }
                guard var plan = outcome.plan, outcome.errors.isEmpty else {
                    let count = outcome.errors.filter { $0.severity == .error }.count
                    try await record(.failed, manifestSource.revision, "\(count) error\(count == 1 ? "" : "s"): \(outcome.errors.first?.message ?? "")")
                    _ = try PlanPrinter.requirePlannable(outcome, global: global)
                    return
                }
                if !outcome.load.config.reconcile.selfHeal {
                    do {
                        plan = try await withoutDriftHealing(plan, store: store, outcome: outcome)
                    } catch let refusal as Refusal {
                        try await record(.refused, manifestSource.revision, refusal.message)
                        throw refusal
                    }
                }
                PlanPrinter.print(plan, format: .text, global: global, asked: false)
                if outcome.rules.exceedsRemovals(plan) {
                    let message = "the plan removes \(plan.removalCount) members or invitations, over maxRemovals (\(outcome.rules.maxRemovals))"
                    try await record(.refused, manifestSource.revision, message)
                    throw Refusal(message: message + "; nothing was applied (--allow-mass-removal lifts the limit for one run)")
                }
                let context = ApplyContext(
                    actor: identity ?? ProcessInfo.processInfo.environment["ROSTER_IDENTITY"] ?? "roster",
                    onBehalfOf: plan.source?.author, runID: runID,
                    lockTimeout: .milliseconds(Int64(lockTimeout * 1000)), trigger: trigger)
                let report = try await store.apply(plan, context: context)
                if !global.quiet && report.applied > 0 {
                    Output.out("Applied \(report.applied) change\(report.applied == 1 ? "" : "s"); store version \(report.stateVersion).\n")
                }
            }
        }

        /// With selfHeal off: leaves out the changes that would only undo drift, that is the
    /// ones the last applied commit's manifests would also make now. Without such a commit
    /// there is nothing to judge drift by, and the run is refused rather than healing.
    private func withoutDriftHealing(_ plan: Plan, store: any Store, outcome: Reconciler.Outcome) async throws -> Plan {
        guard let repo = source.repo else {
            var kept = plan
            kept.warnings.append("selfHeal is off, but drift can only be told apart from changes with a --repo source: the whole plan applies")
            return kept
        }
        guard let last = try await store.lastAppliedCommitRun(), let commit = last.commit else { return plan }
        let previous: LoadResult
        do {
            previous = try await source.loader.load(from: try GitSource(repository: repo, ref: commit, cacheDirectory: source.cacheDir))
        } catch let error as SourceError {
            throw Refusal(
                message: "selfHeal is off, and the last applied commit \(commit.prefix(12)) cannot be read from \(repo) "
                    + "(\(error.message)); apply once with `roster apply` to set a new baseline")
        }
        guard previous.isValid else { return plan }
        let current = try await store.currentState()
        let healing = Set(Reconciler.plan(previous, current: current, rules: outcome.rules, source: nil).plan?.changes ?? [])
        let changes = plan.changes.filter { !healing.contains($0) }
        var kept = Plan(source: plan.source, stateVersion: plan.stateVersion, changes: changes, warnings: plan.warnings)
        kept.maxRemovals = plan.maxRemovals
        if changes.count < plan.changes.count {
            kept.warnings.append(
                "selfHeal is off: \(plan.changes.count - changes.count) change(s) that would undo drift were left out")
        }
        return kept
    }
}
}
