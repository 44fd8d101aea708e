import Foundation
import Hummingbird
import Logging
import HTTPTypes
import RosterStore

/// Browser sign-in with an API key, to a signed session cookie (HttpOnly, SameSite=Lax,
/// Secure when the base URL is https), and sign-out.
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
        router.post("signin") { request, _ in
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
            let expires = environment.now().addingTimeInterval(lifetime.seconds)
            let cookie = Cookie(
                name: SessionCookie.name, value: environment.sessions.value(keyID: viewer.keyID, expires: expires),
                maxAge: Int(lifetime.components.seconds), path: "/", secure: environment.configuration.isHTTPS, httpOnly: true,
                sameSite: .lax)
            environment.logger.info("signed in", metadata: ["email": "\(viewer.email)", "key": "\(viewer.keyID)"])
            var response = Response.seeOther(Self.localPath(form.next))
            response.setCookies([cookie])
            return response
        }
        router.post("signout") { request, _ in
            guard try await environment.forms.submitted(SignOutForm.self, from: request) != nil else {
                return environment.pages.message("Please try again", "The form could not be accepted: it may have expired.", status: .forbidden)
            }
            var response = Response.seeOther("/signin")
            response.setCookies([
                Cookie(name: SessionCookie.name, value: "", maxAge: 0, path: "/", secure: environment.configuration.isHTTPS, httpOnly: true, sameSite: .lax)
            ])
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
