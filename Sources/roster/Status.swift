import ArgumentParser
import Foundation
import RosterCore
import RosterReconcile
import RosterStore

extension Roster {
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "Last runs, pending invitations, and with a source (--repo/--dir) the drift against it.",
            discussion: """
                Examples:
                  roster status
                  roster status --repo . --runs 5
                """)

        enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

        @OptionGroup var source: SourceOptions

        @Option(help: ArgumentHelp("How many runs to show.", valueName: "n"))
        var runs: Int = 10

        @Option(help: "text or json.")
        var format: Format = .text

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await Output.reportingFailures {
                source.prepare()
                let store = try await global.openStore()
                let recent = try await store.runs(limit: max(1, runs))
                var drift: Plan?
                if source.repo != nil || source.dir != nil {
                    let outcome = try await Reconciler.plan(
                        source: try source.makeSource(), loader: source.loader, store: store, overrides: .init(),
                        allDeclarations: false)
                    drift = try PlanPrinter.requirePlannable(outcome, output: global.output)
                }
                switch format {
                case .json:
                    // Every pending invitation, a page at a time: the report's JSON is written as
                    // the pages are read, never held whole (a million invitations are 300 MB of it).
                    let report = StatusReport(runs: recent, pending: [], drift: drift)
                    var writer = try report.streamingJSON()
                    Output.out(writer.start())
                    try await store.forEachPendingInvitationPage { page in Output.out(try writer.add(page)) }
                    Output.out(writer.end())
                case .text:
                    // The first 50 and how many in all: two indexed queries, whatever the count.
                    let pending = try await store.allPendingInvitations(after: nil, limit: 50)
                    Output.out(text(recent, pending, total: try await store.pendingInvitationCount(), drift))
                }
            }
        }

        private func text(_ runs: [ReconcileRun], _ pending: [Invitation], total: Int, _ drift: Plan?) -> String {
            let now = Date()
            var out = "Runs (newest first):\n"
            if runs.isEmpty { out += "  none yet\n" }
            for run in runs {
                let commit = run.commit.map { " \($0.prefix(12))" } ?? ""
                let author = run.author.map { " by \($0)" } ?? ""
                let repeats = run.repeats > 1 ? " ×\(run.repeats), last \(Timestamp.string(run.lastSeenAt ?? run.finishedAt))" : ""
                let line = "  \(Timestamp.string(run.startedAt)) \(run.trigger) \(run.result.rawValue)\(commit)\(author)\(repeats): "
                    + "\(run.changes) change\(run.changes == 1 ? "" : "s")" + (run.message.map { " — \($0)" } ?? "")
                    + " (run \(run.id))"
                out += line.printable + "\n"
            }
            out += "\nPending invitations: \(total)\n"
            for invitation in pending.prefix(50) {
                out += "  \(invitation.team): \(invitation.email) as \(invitation.role.rawValue), since \(Timestamp.string(invitation.createdAt))".printable
                    + " (\(InviteListing.ageAndExpiry(invitation, now: now)))\n"
            }
            if total > pending.count { out += "  … and \(total - pending.count) more (roster invite list lists them all)\n" }
            if let drift {
                out += "\nDrift against the source: "
                out += drift.isEmpty ? "none.\n" : "\(drift.summary.total) change\(drift.summary.total == 1 ? "" : "s") to apply.\n" + PlanRenderer.summaryLine(drift) + "\n"
                // Each difference in the store's terms and git's, the first 50.
                for change in drift.changes.prefix(50) {
                    let held = change.before.map { "the store holds \($0)" } ?? "the store has none"
                    let declared = change.after.map { "git declares \($0)" } ?? "git declares none"
                    out += "  \(change.team): \(change.action.rawValue) \(change.subject) — \(held), \(declared)\n"
                }
                if drift.changes.count > 50 { out += "  … and \(drift.changes.count - 50) more (roster plan lists them all)\n" }
            }
            return out
        }
    }
}
