import Foundation
import Hummingbird
import HTTPTypes
import RosterCore
import RosterStore

/// The signed-in pages: status at `/` and the audit log at `/audit` (team admins only, and
/// only their teams' entries).
struct StatusController: Sendable {
    let environment: ServerEnvironment

    func addRoutes(to router: Router<RosterRequestContext>) {
        router.get("/") { request, _ in
            try await environment.signedIn(request) { viewer, base in
                var values = try await StatusSnapshot.make(environment, viewer: viewer).page
                values.merge(base) { _, new in new }
                values["title"] = "Status"
                return environment.pages.render("status", values)
            }
        }
        router.get("audit") { request, _ in
            try await environment.signedIn(request) { viewer, base in
                var values = base
                values["title"] = "Audit log"
                let parameters = Dictionary(
                    request.uri.queryParameters.map { (String($0.key), String($0.value)) }, uniquingKeysWith: { first, _ in first })
                let readable = viewer.teams(where: .accessAuditLogs)
                values["teams"] = readable.map { ["name": $0, "selected": $0 == parameters["team"]] }
                values["resourceTypes"] = AuditFilter.resourceTypes.map { ["name": $0, "selected": $0 == parameters["resourceType"]] }
                for name in ["since", "until", "user", "resourceId", "action", "limit"] { values[name] = parameters[name] ?? "" }
                let query: AuditQuery
                do throws(AuditFilter.Problem) {
                    query = try AuditFilter(parameters).query(for: viewer)
                } catch .forbidden(let reason) {
                    return environment.pages.message("Not allowed", "You cannot see this: \(reason).", status: .forbidden, base: base)
                } catch .invalid(let reason) {
                    values["error"] = reason
                    return environment.pages.render("audit", values, status: .badRequest)
                }
                values["entries"] = try await environment.store.auditEntries(matching: query).map(Self.values)
                return environment.pages.render("audit", values)
            }
        }
    }

    static func values(_ entry: AuditEntry) -> [String: Any] {
        [
            "seq": entry.seq, "time": entry.time, "actor": entry.actor, "onBehalfOf": entry.onBehalfOf ?? "",
            "action": entry.action, "resourceType": entry.resourceType, "resourceID": entry.resourceID,
            "before": entry.before ?? "", "after": entry.after ?? "", "commit": entry.commit.map { String($0.prefix(12)) } ?? "",
        ]
    }
}
