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
                let parameters = request.query
                let readable = viewer.teams(where: .accessAuditLogs)
                // The team is typed (a datalist suggests the first teams): a select of every
                // team an admin of thousands administers would be most of the page.
                values["teams"] = readable.prefix(Self.suggestedTeams).map { ["name": $0] }
                values["resourceTypes"] = AuditFilter.resourceTypes.map { ["name": $0, "selected": $0 == parameters["resourceType"]] }
                values["actions"] = AuditAction.allCases.map { ["name": $0.rawValue, "selected": $0.rawValue == parameters["action"]] }
                for name in ["since", "until", "user", "resourceId", "team", "run", "limit"] { values[name] = parameters[name] ?? "" }
                let query: AuditQuery
                do throws(AuditFilter.Problem) {
                    query = try AuditFilter(parameters).query(for: viewer)
                } catch .forbidden(let reason) {
                    return environment.pages.message("Not allowed", "You cannot see this: \(reason).", status: .forbidden, base: base)
                } catch .invalid(let reason) {
                    values["error"] = reason
                    return environment.pages.render("audit", values, status: .badRequest)
                }
                let entries = try await environment.store.auditEntries(matching: query)
                values["entries"] = entries.map { AuditView($0, links: environment.configuration.repositoryWebURL).page }
                if entries.count == query.limit, let oldest = entries.first {
                    var older = parameters
                    older["before"] = String(oldest.seq)
                    values["older"] = "/audit?" + RunHistory.query(older)
                }
                return environment.pages.render("audit", values)
            }
        }
    }

    /// Teams the audit page's team field suggests.
    static let suggestedTeams = 100
}
