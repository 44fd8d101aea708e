import Foundation
import Hummingbird
import Logging
import HTTPTypes
import RosterCore
import RosterStore

/// `GET /invite/<token>`: the invitation (team, role, who invited, what the role allows)
/// with a "Join team" form; `POST` joins and redirects (303) to `GET /invite/<token>/joined`,
/// so a reload never posts again. Unknown, used and revoked tokens get the same page.
struct InvitationController: Sendable {
    let environment: ServerEnvironment

    struct JoinForm: Decodable, CSRFProtected {
        var csrf: String
        var email: String
    }

    func addRoutes(to router: Router<RosterRequestContext>) {
        router.get("invite/:token") { request, context in
            guard let token = context.parameters.get("token"), let (invitation, team) = try await lookUp(token) else {
                return invalid()
            }
            let csrf = environment.forms.csrfToken(for: request)
            let page = values(invitation, team, token: token, csrf: csrf.token).merging(try await environment.header(request)) { $1 }
            var response = environment.pages.render("invite", page)
            response.setCookies([csrf.setCookie])
            return response
        }
        router.post("invite/:token") { request, context in
            if let limited = await environment.rateLimit("join", context) { return limited }
            guard let token = context.parameters.get("token"), let (invitation, team) = try await lookUp(token) else {
                return invalid()
            }
            guard let form = try await environment.forms.submitted(JoinForm.self, from: request) else {
                return environment.pages.message(
                    "Please try again", "The form could not be accepted: it may have expired or come from another site. Open the invitation link again and join from there.",
                    status: .forbidden)
            }
            guard let email = Email(form.email), email == invitation.email else {
                var page = values(invitation, team, token: token, csrf: form.csrf).merging(try await environment.header(request)) { $1 }
                page["error"] = "This invitation is not for that email address. Use the address the invitation was sent to."
                // What was typed comes back (Mustache escapes it), to correct rather than retype.
                page["typed"] = form.email
                return environment.pages.render("invite", page, status: .unprocessableContent)
            }
            do {
                try await environment.store.acceptInvitation(id: invitation.id, email: email, at: environment.now())
            } catch let error as StoreError where error.kind == .notFound {
                return invalid()
            }
            environment.logger.info("invitation accepted", metadata: ["team": "\(invitation.team)", "email": "\(email)"])
            return Response.seeOther("/invite/\(token)/joined")
        }
        // Who may see this page: whoever holds the link of an invitation that has been
        // accepted and whose invitee is still in its team. The token is the secret (an HMAC
        // the server alone can make, checked like the invitation page's), so guessing URLs
        // learns nothing: an unknown, tampered, pending or revoked token, or one whose member
        // has since left, gets the same "not valid" page as every other bad link. Holding a
        // valid token already meant being able to join, so telling its holder "you joined"
        // reveals nothing they could not have done themselves; it needs no session, because
        // the invitee has none yet. The role and permissions shown are the member's current
        // ones, so a later role change is not misreported.
        router.get("invite/:token/joined") { request, context in
            guard let token = context.parameters.get("token"), let invitation = try await invitation(token, status: .accepted),
                let team = try await environment.store.teamSummary(invitation.team),
                let role = try await environment.store.roles(of: invitation.email)[invitation.team]
            else {
                return invalid()
            }
            // The header's sign-out form, when signed in, needs a token of its own.
            let csrf = environment.forms.csrfToken(for: request)
            var page = values(invitation, team, token: token, csrf: csrf.token).merging(try await environment.header(request)) { $1 }
            page["title"] = "Joined \(team.displayName)"
            page["email"] = invitation.email.value
            page["role"] = role.rawValue
            page["permissions"] = Permission.allCases.filter(role.allows).map(\.title)
            var response = environment.pages.render("joined", page)
            response.setCookies([csrf.setCookie])
            return response
        }
    }

    /// The invitation a token is the link of, when its signature matches and it has `status`.
    /// An expired pending invitation is refused at the very step a revoked one is (before the
    /// signature is checked), so its link gets the same page by the same path.
    private func invitation(_ token: String, status: Invitation.Status) async throws -> Invitation? {
        guard token.utf8.count <= 128, let id = InvitationTokens.invitationID(in: token),
            let invitation = try await environment.store.invitation(id: id), invitation.status == status,
            status != .pending || !invitation.hasExpired(at: environment.now()),
            environment.tokens.matches(token, invitation)
        else { return nil }
        return invitation
    }

    /// The pending invitation a token is the link of, with its team.
    private func lookUp(_ token: String) async throws -> (Invitation, TeamSummary)? {
        guard let invitation = try await invitation(token, status: .pending),
            let team = try await environment.store.teamSummary(invitation.team)
        else { return nil }
        return (invitation, team)
    }

    private func values(_ invitation: Invitation, _ team: TeamSummary, token: String, csrf: String) -> [String: Any] {
        [
            "title": "Join \(team.displayName)", "team": team.slug, "teamName": team.displayName,
            "role": invitation.role.rawValue, "inviter": invitation.createdBy, "token": token, "csrf": csrf,
            "permissions": Permission.allCases.filter(invitation.role.allows).map(\.title),
        ]
    }

    private func invalid() -> Response {
        environment.pages.render("invalid", ["title": "Invitation not valid"], status: .notFound)
    }
}
