import ArgumentParser
import Foundation
import Logging
import RosterCore
import RosterGit
import RosterNotify
import RosterReconcile
import RosterStore

extension Roster {
    struct Reconcile: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reconcile",
            abstract: "One scheduled run: fetch, plan, apply within the safety rules, record the run.",
            discussion: """
                Example:
                  roster reconcile --repo https://github.com/org/teams.git --ref main

                For cron or CI. No confirmation is asked. A run the rules refuse is recorded with its reason. \
                With selfHeal off (roster.yaml), changes that only undo drift are left out. \
                Exit status: 0 applied or nothing to do, 1 error, 3 refused.
                """)

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

        @OptionGroup var notify: NotifyOptions
        @OptionGroup var global: GlobalOptions
        @OptionGroup(title: HelpLayout.linkTitle) var links: LinkOptions

        @Option(help: ArgumentHelp(
            "How long to wait at exit for notifications still queued, in seconds; what is left then is given up.",
            valueName: "seconds"))
        var notifyWait: Double = 10

        /// How long `reconcile` waits at exit for its notifications to be delivered.
        private var notifyDrainLimit: Duration { .milliseconds(Int64(notifyWait * 1000)) }

        func validate() throws {
            guard Self.seconds(interval) != nil else {
                throw ValidationError("--interval takes a duration such as 30s, 5m or 1h, not \(interval).")
            }
            if lockTimeout < 0 { throw ValidationError("--lock-timeout must be 0 or more.") }
            // Up to a day: a bound, not a way to hang a job on a receiver.
            guard notifyWait >= 0, notifyWait <= 86_400 else {
                throw ValidationError("--notify-wait takes seconds from 0 to 86400, not \(notifyWait).")
            }
        }

        static func seconds(_ text: String) -> Double? {
            let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600]
            guard let unit = text.last.flatMap({ units[$0] }), let value = Double(text.dropLast()), value > 0 else {
                return Double(text).flatMap { $0 > 0 ? $0 : nil }
            }
            return value * unit
        }

        func run() async throws {
            var notifier: Notifier?
            try await Output.reportingFailures { notifier = try makeNotifier() }
            guard watch else {
                // The run's events are delivered (or given up on) before the exit status.
                do {
                    try await once(notifier)
                } catch {
                    await notifier?.finish(within: notifyDrainLimit)
                    throw error
                }
                await notifier?.finish(within: notifyDrainLimit)
                return
            }
            let pause = Self.seconds(interval)!
            while true {
                do {
                    try await once(notifier)
                } catch let code as ExitCode where code != .success {
                    // Reported and recorded already; the next run tries again.
                }
                try await Task.sleep(for: .seconds(pause))
            }
        }

        /// The notifier for `--notify-url`/`--notify-links`, nil without them. Run pages link
        /// to `--base-url` when one is given.
        private func makeNotifier() throws -> Notifier? {
            guard var configuration = try notify.configuration(linkBase: links.explicitBaseURL) else { return nil }
            let tokens = notify.wantsLinks ? try links.invitationTokens(store: global) : nil
            if tokens != nil, configuration.linkBase == nil { configuration.linkBase = links.linkBaseURL }
            // Warnings only (a receiver given up on): the command's own output stays the plan.
            var logger = Logger(label: "roster") { PrintableLogHandler(wrapped: StreamLogHandler.standardError(label: $0)) }
            logger.logLevel = .warning
            return Notifier(configuration: configuration, tokens: tokens, logger: logger)
        }

        private func once(_ notifier: Notifier?) async throws {
            try await Output.reportingFailures {
                let store = try await global.openStore()
                let outcome: Reconciler.RunOutcome
                do {
                    outcome = try await Reconciler.run(request(trigger: "reconcile"), store: store)
                } catch {
                    notifier?.notify([RunEvents.error(error, trigger: "reconcile")])
                    throw error
                }
                notifier?.notify(outcome, store: store)
                guard let run = outcome.run else { return }
                if run.result == .failed { try PlanPrinter.failing(outcome.errors, planned: outcome.plan != nil, output: global.output) }
                if let plan = outcome.plan { PlanPrinter.print(plan, format: .text, output: global.output, asked: false) }
                if run.result == .refused {
                    let lift = run.message?.contains("maxRemovals") == true ? " (--allow-mass-removal lifts the limit for one run)" : ""
                    throw Refusal(message: (run.message ?? "refused") + "; nothing was applied" + lift)
                }
                if let report = outcome.report, report.applied > 0 {
                    Output.out(
                        "Applied \(report.applied) change\(report.applied == 1 ? "" : "s") (run \(report.runID)); "
                            + "store version \(report.stateVersion).\n")
                }
            }
        }

        /// The run these options describe.
        func request(trigger: String) -> Reconciler.RunRequest {
            source.runRequest(
                trigger: trigger, identity: identity, lockTimeout: lockTimeout, overrides: safety.overrides)
        }
    }
}
