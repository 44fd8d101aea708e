import Foundation
import Hummingbird
import HTTPTypes
import RosterCore
import RosterStore

/// The run history, `/runs` and `/runs/<id>` and the same under `/api/v1/`: every signed-in
/// viewer sees the runs (they name no team), each run's reason only as far as the matrix
/// lets them read it, and a run's changes in the teams whose audit log they may read.
struct RunHistory: Sendable {
    let environment: ServerEnvironment

    /// One run as the pages and the API show it to one viewer.
    struct Run: Encodable {
        var id: String
        var trigger: String
        var startedAt: String
        var finishedAt: String
        /// Records of repeated no-change runs: how many, and when the last finished.
        var repeats: Int
        var lastSeenAt: String?
        var commit: String?
        var commitURL: String?
        var author: String?
        var result: String
        var changes: Int
        var message: String?
        var reason: StatusSnapshot.Reason?
        /// Changes made outside git the run found, those the viewer's role may see; nil when unknown.
        var drift: Drift?
    }

    /// A run's drift as one viewer may read it.
    struct Drift: Encodable {
        var count: Int
        var items: [RunDrift.Item]
        /// Drifted changes in teams or settings the viewer may not see, or past the kept ones.
        var notShown: Int
    }

    /// A page of runs.
    struct Page: Encodable {
        var runs: [Run]
        /// Records matching the filter, on every page.
        var total: Int
        /// Pass as `before` for the next (older) page; nil on the last.
        var next: String?
        var result: String?
    }

    /// One run with the changes it applied that the viewer may read.
    struct Detail: Encodable {
        var run: Run
        var changes: [AuditView]
        /// Changes of the run in teams whose audit log the viewer may not read, or beyond the page.
        var notShown: Int
    }

    static let changesShown = 200

    func addRoutes(to router: Router<RosterRequestContext>, api: RouterGroup<RosterRequestContext>) {
        router.get("runs") { request, _ in
            try await environment.signedIn(request) { viewer, base in
                guard let page = try await page(request, viewer) else {
                    return environment.pages.message("Not a filter", "result is one of applied, no-changes, refused, failed.", status: .badRequest, base: base)
                }
                var values = base
                values["title"] = "Runs"
                values["runs"] = page.runs.map(Self.values)
                values["total"] = page.total
                values["one"] = page.total == 1
                values["next"] = page.next.map { next in "/runs?" + Self.query(["result": page.result, "before": next]) } ?? ""
                values["results"] = ReconcileRun.Result.allCases.map { ["name": $0.rawValue, "selected": $0.rawValue == page.result] }
                return environment.pages.render("runs", values)
            }
        }
        router.get("runs/:id") { request, context in
            try await environment.signedIn(request) { viewer, base in
                guard let detail = try await detail(context.parameters.get("id") ?? "", viewer) else {
                    return environment.pages.message("No such run", "There is no run with that id.", status: .notFound, base: base)
                }
                var values = base
                values["title"] = "Run " + String(detail.run.id.prefix(8))
                values["run"] = Self.values(detail.run)
                values["changes"] = detail.changes.map(\.page)
                values["notShown"] = detail.notShown
                return environment.pages.render("run", values)
            }
        }
        api.get("runs") { request, _ in
            try await environment.authorized(request) { viewer in
                guard let page = try await page(request, viewer) else {
                    return APIController.error(.badRequest, "result is one of applied, no-changes, refused, failed")
                }
                return APIController.json(page)
            }
        }
        api.get("runs/:id") { request, context in
            try await environment.authorized(request) { viewer in
                guard let detail = try await detail(context.parameters.get("id") ?? "", viewer) else {
                    return APIController.error(.notFound, "no run with that id")
                }
                return APIController.json(detail)
            }
        }
    }

    private func page(_ request: Request, _ viewer: Viewer) async throws -> Page? {
        let parameters = request.query
        var result: ReconcileRun.Result?
        if let text = parameters["result"], !text.isEmpty {
            guard let value = ReconcileRun.Result(rawValue: text) else { return nil }
            result = value
        }
        let before = parameters["before"].flatMap { $0.isEmpty ? nil : $0 }
        let found = try await environment.store.runs(RunQuery(result: result, before: before, limit: pageSize(parameters["limit"])))
        return Page(
            runs: found.runs.map { view($0, viewer) }, total: found.total, next: found.hasMore ? found.runs.last?.id : nil,
            result: result?.rawValue)
    }

    private func detail(_ id: String, _ viewer: Viewer) async throws -> Detail? {
        guard let run = try await environment.store.run(id: id) else { return nil }
        let readable = viewer.teams(where: .accessAuditLogs)
        var changes: [AuditView] = []
        if !readable.isEmpty && run.changes > 0 {
            let entries = try await environment.store.auditEntries(
                matching: AuditQuery(runID: run.id, teams: readable, limit: Self.changesShown))
            changes = entries.map { AuditView($0, links: environment.configuration.repositoryWebURL) }
        }
        return Detail(run: view(run, viewer), changes: changes, notShown: max(0, run.changes - changes.count))
    }

    func view(_ run: ReconcileRun, _ viewer: Viewer) -> Run {
        Run(
            id: run.id, trigger: run.trigger, startedAt: Timestamp.string(run.startedAt), finishedAt: Timestamp.string(run.finishedAt),
            repeats: run.repeats, lastSeenAt: run.repeats > 1 ? Timestamp.string(run.lastSeenAt ?? run.finishedAt) : nil,
            commit: run.commit, commitURL: run.commit.flatMap { commit in environment.configuration.repositoryWebURL?.link(commit: commit) },
            author: run.author, result: run.result.rawValue, changes: run.changes, message: viewer.message(of: run),
            reason: run.reason.map { StatusSnapshot.Reason($0, for: viewer) },
            drift: run.drift.map { drift in
                let readable = drift.items.filter { viewer.can($0.permission, in: $0.team) }
                return Drift(count: drift.count, items: readable, notShown: drift.count - readable.count)
            })
    }

    static func values(_ run: Run) -> [String: Any] {
        var values: [String: Any] = [
            "id": run.id, "shortID": String(run.id.prefix(8)), "trigger": run.trigger, "startedAt": run.startedAt,
            "finishedAt": run.finishedAt, "result": run.result, "changes": run.changes, "author": run.author ?? "",
            "message": run.message ?? "", "commit": run.commit ?? "", "shortCommit": run.commit.map { String($0.prefix(12)) } ?? "",
        ]
        if run.repeats > 1 { values["repeats"] = ["count": run.repeats, "lastSeenAt": run.lastSeenAt ?? ""] }
        if let url = run.commitURL { values["commitURL"] = url }
        if let drift = run.drift, drift.count > 0 {
            values["drift"] = [
                "count": drift.count, "notShown": drift.notShown,
                "items": drift.items.map { ["team": $0.team, "action": $0.action, "subject": $0.subject, "store": $0.store ?? "nothing", "git": $0.git ?? "nothing"] },
            ]
        }
        if let reason = run.reason, !reason.details.isEmpty || reason.hidden > 0 {
            values["reason"] = ["details": reason.details, "hidden": reason.hidden]
        }
        return values
    }

    /// `name=value&…` of the non-empty values, escaped.
    static func query(_ pairs: [String: String?]) -> String {
        pairs.sorted { $0.key < $1.key }.compactMap { name, value in
            guard let value, !value.isEmpty else { return nil }
            return name + "=" + (value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-_.~"))) ?? "")
        }.joined(separator: "&")
    }
}
