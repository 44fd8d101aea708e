import Foundation
import Hummingbird
import HTTPTypes
import RosterCore

extension ServerEnvironment {
    /// Runs `body` for a signed-in viewer with the values every signed-in page needs; sends
    /// anyone else to the sign-in page, coming back here after.
    func signedIn(_ request: Request, _ body: (Viewer, [String: Any]) async throws -> Response) async throws -> Response {
        guard let viewer = try await authenticator.session(request) else {
            let next = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
            let encoded = next.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "/-_.~"))) ?? "/"
            return Response.seeOther("/signin?next=" + encoded)
        }
        let csrf = forms.csrfToken(for: request)
        var response = try await body(viewer, ["viewer": ["email": viewer.email.value], "csrf": csrf.token])
        response.setCookies([csrf.setCookie])
        return response
    }

    /// What the page header shows on a page anyone may open (an invitation): the viewer and a
    /// sign-out form when the request has a session, else nothing (the header's "Sign in").
    func header(_ request: Request) async throws -> [String: Any] {
        guard let viewer = try await authenticator.session(request) else { return [:] }
        return ["viewer": ["email": viewer.email.value]]
    }

    /// Runs `body` for the viewer an API key names: 401 without a valid, active key.
    func authorized(_ request: Request, _ body: (Viewer) async throws -> Response) async throws -> Response {
        guard let viewer = try await authenticator.bearer(request) else {
            var response = APIController.error(.unauthorized, "a valid API key is needed: Authorization: Bearer <key>")
            response.headers[.wwwAuthenticate] = "Bearer realm=\"roster\""
            return response
        }
        return try await body(viewer)
    }
}

extension Request {
    /// The query's parameters by name, the first of each (a page link never repeats one).
    var query: [String: String] {
        Dictionary(uri.queryParameters.map { (String($0.key), String($0.value)) }, uniquingKeysWith: { first, _ in first })
    }
}

/// How many rows a page shows, from `?limit=` (within 1...`maximum`, else `preset`).
func pageSize(_ text: String?, preset: Int = 50, maximum: Int = 200) -> Int {
    guard let text, let value = Int(text), (1...maximum).contains(value) else { return preset }
    return value
}
