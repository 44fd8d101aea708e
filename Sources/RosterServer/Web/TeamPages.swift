import Foundation
import Hummingbird
import HTTPTypes
import RosterCore
import RosterReconcile
import RosterStore

/// The team pages, `/teams` and `/teams/<slug>`, and `GET /api/v1/teams/{team}`: what the
/// console's Team page shows, to each viewer as far as their role in that team allows —
/// members to members, invitation links to those who may invite, the spend limit and
/// ceiling to those who may view billing, recent audit entries to those who may read it.
struct TeamPages: Sendable {
    let environment: ServerEnvironment

    static let teamsPerPage = 100
    static let membersPerPage = 200
    static let recentAudit = 20

    struct Member: Encodable {
        var email: String
        var role: String
        /// When a temporary member's access ends (UTC, RFC 3339), and that as "expires in 3 days".
        var expires: String?
        var expiresIn: String?
    }

    typealias PendingInvitation = StatusSnapshot.PendingInvitation

    struct Capability: Encodable {
        var permission: String
        var title: String
        var allowed: Bool
    }

    struct Declaration: Encodable {
        var file: String
        var line: Int
        var commit: String?
        var url: String?
    }

    /// One team as one viewer may see it.
    struct Detail: Encodable {
        var slug: String
        var displayName: String
        var owner: String
        var role: String
        var membersTotal: Int
        var members: [Member]
        /// Pass as `after` for the next page of members; nil on the last.
        var membersNext: String?
        /// Nil unless the viewer's role may invite members.
        var pendingInvitations: [PendingInvitation]?
        /// Nil unless the viewer's role may view billing.
        var spendLimit: String?
        var ceiling: String?
        /// The viewer's column of the permission matrix, every row.
        var permissions: [Capability]
        /// Nil unless the viewer's role may read audit logs.
        var recentAudit: [AuditView]?
        /// Where git declares the team, at the commit this server last read; nil when unknown.
        var declaredIn: Declaration?
        /// The YAML to add a member (changes go through git).
        var newMemberYAML: String
    }

    func addRoutes(to router: Router<RosterRequestContext>, api: RouterGroup<RosterRequestContext>) {
        router.get("teams") { request, _ in
            try await environment.signedIn(request) { viewer, base in
                let after = request.query["after"] ?? ""
                let slugs = viewer.roles.keys.sorted().filter { $0 > after }
                let page = Array(slugs.prefix(Self.teamsPerPage))
                let summaries = try await environment.store.teamSummaries(page)
                var values = base
                values["title"] = "Teams"
                values["total"] = viewer.roles.count
                values["one"] = viewer.roles.count == 1
                values["teams"] = summaries.map { summary -> [String: Any] in
                    let role = viewer.roles[summary.slug] ?? .basic
                    return [
                        "slug": summary.slug, "displayName": summary.displayName, "role": role.rawValue,
                        "members": summary.members, "pending": role.allows(.inviteMembers) ? String(summary.pendingInvitations) : "",
                    ]
                }
                if slugs.count > page.count, let last = page.last { values["next"] = "/teams?after=" + last }
                return environment.pages.render("teams", values)
            }
        }
        router.get("teams/:team") { request, context in
            try await environment.signedIn(request) { viewer, base in
                guard let detail = try await detail(context.parameters.get("team") ?? "", viewer, after: request.query["after"]) else {
                    return environment.pages.message(
                        "No such team", "There is no such team, or you are not a member of it.", status: .notFound, base: base)
                }
                var values = base
                values["title"] = detail.displayName
                values.merge(Self.values(detail)) { _, new in new }
                return environment.pages.render("team", values)
            }
        }
        api.get("teams/:team") { request, context in
            try await environment.authorized(request) { viewer in
                let team = context.parameters.get("team") ?? ""
                guard let detail = try await detail(team, viewer, after: request.query["after"]) else {
                    return APIController.error(.forbidden, "you are not a member of team \(team)")
                }
                return APIController.json(detail)
            }
        }
    }

    /// The team as `viewer` may see it; nil when they are not a member (or there is no such team).
    func detail(_ slug: String, _ viewer: Viewer, after: String?) async throws -> Detail? {
        guard let role = viewer.roles[slug], let summary = try await environment.store.teamSummaries([slug]).first,
            let members = try await environment.store.members(team: slug)
        else { return nil }
        let store = environment.store
        let sorted = members.map { Member(email: $0.key.value, role: $0.value.rawValue) }.sorted { $0.email < $1.email }
        let after = after ?? ""
        let rest = sorted.drop { $0.email <= after }
        var page = Array(rest.prefix(Self.membersPerPage))
        // Expiries are git's (the manifests the server last read), kept in memory by team.
        if let expiries = await environment.status.declarations?.expiries[slug] {
            let now = environment.now()
            for index in page.indices {
                guard let email = Email(page[index].email), let expires = expiries[email] else { continue }
                page[index].expires = Expiry.text(expires)
                page[index].expiresIn = Expiry.phrase(expires, now: now)
            }
        }
        var invitations: [PendingInvitation]?
        if role.allows(.inviteMembers) {
            invitations = try await store.pendingInvitations(teams: [slug]).map { PendingInvitation($0, environment) }
        }
        var audit: [AuditView]?
        if role.allows(.accessAuditLogs) {
            audit = try await store.auditEntries(matching: AuditQuery(team: slug, teams: [slug], limit: Self.recentAudit))
                .reversed().map { AuditView($0, links: environment.configuration.repositoryWebURL) }
        }
        var declaration: Declaration?
        if let declarations = await environment.status.declarations, let place = declarations.places[slug] {
            declaration = Declaration(
                file: place.file, line: place.line, commit: declarations.commit,
                url: declarations.commit.flatMap { commit in
                    environment.configuration.repositoryWebURL?.link(commit: commit, path: place.file, line: place.line)
                })
        }
        let billing = role.allows(.viewBilling)
        return Detail(
            slug: slug, displayName: summary.displayName, owner: summary.owner, role: role.rawValue,
            membersTotal: sorted.count, members: page, membersNext: rest.count > page.count ? page.last?.email : nil,
            pendingInvitations: invitations, spendLimit: billing ? summary.spendLimit : nil, ceiling: billing ? summary.ceiling : nil,
            permissions: Permission.allCases.map { Capability(permission: $0.rawValue, title: $0.title, allowed: role.allows($0)) },
            recentAudit: audit, declaredIn: declaration,
            newMemberYAML: "    - email: new.person@example.com\n      role: basic\n")
    }

    static func values(_ detail: Detail) -> [String: Any] {
        var values: [String: Any] = [
            "slug": detail.slug, "displayName": detail.displayName, "owner": detail.owner, "role": detail.role,
            "membersTotal": detail.membersTotal, "members": detail.members.map { member -> [String: Any] in
                var values: [String: Any] = ["email": member.email, "role": member.role]
                if let expires = member.expires, let phrase = member.expiresIn { values["expiry"] = ["at": expires, "phrase": phrase] }
                return values
            },
            "permissions": detail.permissions.map { ["title": $0.title, "allowed": $0.allowed] },
            "newMemberYAML": detail.newMemberYAML,
        ]
        if let next = detail.membersNext {
            values["membersNext"] = "/teams/\(detail.slug)?after=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        }
        if let invitations = detail.pendingInvitations {
            values["mayInvite"] = [
                "invitations": invitations.map { invitation -> [String: Any] in
                    var values: [String: Any] = [
                        "email": invitation.email, "role": invitation.role, "createdAt": invitation.createdAt,
                        "age": invitation.age, "link": invitation.link,
                    ]
                    if let phrase = invitation.expiresIn, let at = invitation.expiresAt { values["expiry"] = ["at": at, "phrase": phrase] }
                    return values
                }
            ]
        }
        if let spendLimit = detail.spendLimit { values["billing"] = ["spendLimit": spendLimit, "ceiling": detail.ceiling ?? ""] }
        if let audit = detail.recentAudit { values["audit"] = ["entries": audit.map(\.page)] }
        if let declared = detail.declaredIn {
            // No commit (a folder source) leaves `shortCommit` out: Mustache renders a section
            // for an empty string too.
            var place: [String: Any] = ["file": declared.file, "line": declared.line]
            if let commit = declared.commit, !commit.isEmpty { place["shortCommit"] = String(commit.prefix(12)) }
            if let url = declared.url { place["url"] = url }
            values["declared"] = place
        }
        return values
    }
}
