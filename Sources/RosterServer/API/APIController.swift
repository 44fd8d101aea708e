import Foundation
import Hummingbird
import HTTPTypes
import RosterCore
import RosterStore

/// The JSON API under `/api/v1/`, authenticated with `Authorization: Bearer <api key>`:
/// 401 without a valid key, 403 when the key's person may not see what was asked. What
/// each may see follows the permission matrix of their role in each team. Its contract is
/// docs/openapi.json, served at `GET /api/v1/openapi.json`.
struct APIController: Sendable {
    let environment: ServerEnvironment

    func addRoutes(to group: RouterGroup<RosterRequestContext>) {
        // No key: clients and tools read the contract before they have one, and it holds
        // nothing that is not in the README.
        group.get("openapi.json") { _, _ in Self.raw(OpenAPIDocument.json) }
        group.get("status") { request, _ in
            try await environment.authorized(request) { viewer in Self.json(try await StatusSnapshot.make(environment, viewer: viewer)) }
        }
        group.get("teams") { request, _ in
            try await environment.authorized(request) { viewer in
                let teams = try await environment.store.teamSummaries().filter { viewer.roles[$0.slug] != nil }
                return Self.json(teams.map { TeamView($0, role: viewer.roles[$0.slug]!) })
            }
        }
        group.get("teams/:team/members") { request, context in
            try await environment.authorized(request) { viewer in
                let team = context.parameters.get("team") ?? ""
                // Not a member and no such team get the same answer, so names cannot be probed.
                guard viewer.can(.accessTeamAccount, in: team), let members = try await environment.store.members(team: team) else {
                    return Self.error(.forbidden, "you are not a member of team \(team)")
                }
                return Self.json(members.sorted { $0.key.value < $1.key.value }.map { MemberView(email: $0.key.value, role: $0.value.rawValue) })
            }
        }
        group.get("invitations") { request, _ in
            try await environment.authorized(request) { viewer in
                let snapshot = try await StatusSnapshot.make(environment, viewer: viewer)
                guard let invitations = snapshot.invitations else {
                    return Self.error(.forbidden, "only team admins see invitations; you are admin in no team")
                }
                return Self.json(invitations)
            }
        }
        group.get("audit") { request, _ in
            try await environment.authorized(request) { viewer in
                let parameters = Dictionary(
                    request.uri.queryParameters.map { (String($0.key), String($0.value)) }, uniquingKeysWith: { first, _ in first })
                let query: AuditQuery
                do throws(AuditFilter.Problem) {
                    query = try AuditFilter(parameters).query(for: viewer)
                } catch .forbidden(let reason) {
                    return Self.error(.forbidden, reason)
                } catch .invalid(let reason) {
                    return Self.error(.badRequest, reason)
                }
                return Self.raw(AuditRenderer.json(try await environment.store.auditEntries(matching: query)))
            }
        }
    }

    struct TeamView: Encodable {
        var slug: String
        var displayName: String
        var owner: String
        var role: String
        var members: Int
        var pendingInvitations: Int
        /// Billing information: only for roles that may view it.
        var spendLimit: String?

        init(_ team: TeamSummary, role: Role) {
            slug = team.slug
            displayName = team.displayName
            owner = team.owner
            self.role = role.rawValue
            members = team.members
            pendingInvitations = team.pendingInvitations
            spendLimit = role.allows(.viewBilling) ? team.spendLimit : nil
        }
    }

    struct MemberView: Encodable {
        var email: String
        var role: String
    }

    static func json(_ value: some Encodable) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return raw(String(decoding: (try? encoder.encode(value)) ?? Data("null".utf8), as: UTF8.self) + "\n")
    }

    static func raw(_ json: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
    }

    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        json(["error": message]).with(status: status)
    }
}

extension Response {
    func with(status: HTTPResponse.Status) -> Response {
        var response = self
        response.status = status
        return response
    }
}
