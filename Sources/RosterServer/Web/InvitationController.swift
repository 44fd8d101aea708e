import Foundation
import Hummingbird
import Logging
import HTTPTypes
import RosterCore
import RosterStore

/// `GET /invite/<token>`: the invitation (team, role, who invited, what the role allows)
/// with a "Join team" form; `POST` joins. Unknown, used and revoked tokens get the same page.
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
            var response = environment.pages.render("invite", values(invitation, team, token: token, csrf: csrf.token))
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
            var page = values(invitation, team, token: token, csrf: form.csrf)
            guard let email = Email(form.email), email == invitation.email else {
                page["error"] = "This invitation is not for that email address. Use the address the invitation was sent to."
                return environment.pages.render("invite", page, status: .unprocessableContent)
            }
            do {
                try await environment.store.acceptInvitation(id: invitation.id, email: email, at: environment.now())
            } catch let error as StoreError where error.kind == .notFound {
                return invalid()
            }
            environment.logger.info("invitation accepted", metadata: ["team": "\(invitation.team)", "email": "\(email)"])
            page["email"] = email.value
            page["title"] = "Joined \(team.displayName)"
            return environment.pages.render("joined", page)
        }
    }

    /// The pending invitation a token is the link of, with its team.
    private func lookUp(_ token: String) async throws -> (Invitation, TeamSummary)? {
        guard token.utf8.count <= 128, let id = InvitationTokens.invitationID(in: token),
            let invitation = try await environment.store.invitation(id: id), invitation.status == .pending,
            environment.tokens.matches(token, invitation), let team = try await environment.store.teamSummary(invitation.team)
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
