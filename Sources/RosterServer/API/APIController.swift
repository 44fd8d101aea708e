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
                // Paged by slug: `after` is the last one's, `limit` at most 1,000.
                let parameters = request.query
                let limit = pageSize(parameters["limit"], preset: 500, maximum: 1_000)
                let after = parameters["after"] ?? ""
                let slugs = viewer.roles.keys.sorted().filter { $0 > after }
                let page = Array(slugs.prefix(limit))
                let teams = try await environment.store.teamSummaries(page)
                var response = Self.json(teams.map { TeamView($0, role: viewer.roles[$0.slug]!) })
                if slugs.count > page.count, let last = page.last {
                    response.headers[Self.link] = "</api/v1/teams?" + RunHistory.query(["after": last, "limit": String(limit)]) + ">; rel=\"next\""
                }
                return response
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
                let inviting = viewer.teams(where: .inviteMembers)
                guard !inviting.isEmpty else {
                    return Self.error(.forbidden, "only team admins see invitations; you are admin in no team")
                }
                // Paged by team and email: `after` is the last one's `team/email`, `limit` at most 1,000.
                let parameters = request.query
                let limit = pageSize(parameters["limit"], preset: 500, maximum: 1_000)
                let after = parameters["after"].flatMap(InvitationCursor.init)
                // One more than the page, to know whether another follows.
                let found = try await environment.store.pendingInvitations(teams: inviting, after: after, limit: limit + 1)
                let page = found.prefix(limit)
                var response = Self.json(page.map { StatusSnapshot.PendingInvitation($0, environment) })
                if found.count > limit, let last = page.last {
                    let cursor = InvitationCursor(team: last.team, email: last.email.value).text
                    response.headers[Self.link] = "</api/v1/invitations?" + RunHistory.query(["after": cursor, "limit": String(limit)]) + ">; rel=\"next\""
                }
                return response
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

    /// `Link: <…>; rel="next"` on a list with more after it, as GitHub's API pages.
    static let link = HTTPField.Name("Link")!

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
