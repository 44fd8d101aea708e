import ArgumentParser
import Foundation
import Logging
import RosterCore
import RosterGit
import RosterNotify
import RosterReconcile
import RosterServer
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
        private var notifyDrainLimit: Duration { Seconds.duration(notifyWait) }

        func validate() throws {
            guard Self.seconds(interval) != nil else {
                throw ValidationError("--interval takes a duration such as 30s, 5m or 1h, up to a year, not \(interval).")
            }
            try Seconds.check(lockTimeout, flag: "--lock-timeout")
            try Seconds.check(notifyWait, flag: "--notify-wait")
        }

        /// A duration such as 30s, 5m, 1h or 90 (seconds), more than 0 and at most a year; nil
        /// for anything else (`inf` and `1e300` parse as numbers too, and no timer holds them).
        static func seconds(_ text: String) -> Double? {
            let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600]
            let seconds: Double?
            if let unit = text.last.flatMap({ units[$0] }), let value = Double(text.dropLast()) {
                seconds = value * unit
            } else {
                seconds = Double(text)
            }
            guard let seconds, seconds > 0, seconds <= 366 * 86_400 else { return nil }
            return seconds
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
            let pause = Duration.milliseconds(Int64(Self.seconds(interval)! * 1000))
            // No jitter or backoff here: one process on a timer, as cron would run it.
            let schedule = ReconcileSchedule(interval: pause, jitter: 0, backoffBase: pause, backoffCap: pause)
            while true {
                var due: Date?
                do {
                    due = try await once(notifier)
                } catch let code as ExitCode where code != .success {
                    // Reported and recorded already; the next run tries again.
                }
                // A member's access that ends before the next interval ends on time, as under
                // `roster serve`: the wait is cut short to that instant (always after this run).
                try await Task.sleep(for: schedule.delay(pause, until: due, now: Date()).delay)
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

        /// One run; returns the next instant at which time alone changes its plan (a member's
        /// expiry), when it planned one.
        @discardableResult
        private func once(_ notifier: Notifier?) async throws -> Date? {
            var due: Date?
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
                due = outcome.nextTimeDependentChange
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
            return due
        }

        /// The run these options describe.
        func request(trigger: String) -> Reconciler.RunRequest {
            source.runRequest(
                trigger: trigger, identity: identity, lockTimeout: lockTimeout, overrides: safety.overrides)
        }
    }
}
