import Foundation
import Hummingbird
import Logging
import HTTPTypes
import RosterStore

/// Browser sign-in with an API key, to a session kept in the store and a cookie holding its
/// secret (HttpOnly, SameSite=Lax; `__Host-`, Secure when the base URL is https), and
/// sign-out, which ends the session in the store for every replica. Attempts are rate
/// limited per client address.
struct SignInController: Sendable {
    let environment: ServerEnvironment

    struct SignInForm: Decodable, CSRFProtected {
        var csrf: String
        var key: String
        var next: String?
    }

    struct SignOutForm: Decodable, CSRFProtected {
        var csrf: String
    }

    func addRoutes(to router: Router<RosterRequestContext>) {
        router.get("signin") { request, _ in
            let csrf = environment.forms.csrfToken(for: request)
            var response = environment.pages.render(
                "signin", ["title": "Sign in", "csrf": csrf.token, "next": Self.localPath(request.uri.queryParameters["next"].map(String.init))])
            response.setCookies([csrf.setCookie])
            return response
        }
        router.post("signin") { request, context in
            if let limited = await environment.rateLimit("signin", context) { return limited }
            guard let form = try await environment.forms.submitted(SignInForm.self, from: request) else {
                return environment.pages.message(
                    "Please try again", "The form could not be accepted: it may have expired or come from another site. Open the sign-in page again.", status: .forbidden)
            }
            guard let key = APIKeySecret(parsing: form.key), let viewer = try await environment.authenticator.viewer(key) else {
                return environment.pages.render(
                    "signin",
                    ["title": "Sign in", "csrf": form.csrf, "next": Self.localPath(form.next), "error": "That API key is not valid."],
                    status: .unauthorized)
            }
            let lifetime = environment.configuration.sessionLifetime
            let now = environment.now()
            let secret = SessionCookie.newSecret()
            try await environment.store.createSession(
                Session(
                    id: Session.id(forSecret: secret), keyID: viewer.keyID, createdAt: now,
                    expiresAt: now.addingTimeInterval(lifetime.seconds)))
            environment.logger.info("signed in", metadata: ["email": "\(viewer.email)", "key": "\(viewer.keyID)"])
            var response = Response.seeOther(Self.localPath(form.next))
            response.setCookies([environment.sessions.cookie(secret: secret, lifetime: lifetime)])
            return response
        }
        router.post("signout") { request, _ in
            guard try await environment.forms.submitted(SignOutForm.self, from: request) != nil else {
                return environment.pages.message("Please try again", "The form could not be accepted: it may have expired.", status: .forbidden)
            }
            // Ended in the store, so a copy of the cookie is worth nothing on any replica.
            if let secret = environment.sessions.secret(in: request),
                try await environment.store.endSession(id: Session.id(forSecret: secret), at: environment.now())
            {
                environment.logger.info("signed out")
            }
            var response = Response.seeOther("/signin")
            response.setCookies([environment.sessions.cleared()])
            return response
        }
    }

    /// Where to go after signing in: a path on this server only (never `//host` or a URL).
    static func localPath(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.hasPrefix("/\\"),
            next.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7f })
        else { return "/" }
        return next
    }
}
