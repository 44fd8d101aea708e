import Foundation
import Hummingbird
import HTTPTypes
import RosterStore

/// Form handling for the server's pages: bodies decoded with Hummingbird's form decoder,
/// CSRF tokens by double submit (a random cookie, SameSite=Strict, repeated in a hidden
/// field and compared in constant time), and an `Origin` check when the browser sends one.
struct Forms: Sendable {
    static let csrfCookie = "roster_csrf"
    /// Forms are small; anything larger is refused before it is read.
    static let bodyLimit = 16 * 1024

    let configuration: ServerConfiguration

    /// The CSRF token to put in a page's forms: the request's cookie, or a new one to set.
    func csrfToken(for request: Request) -> (token: String, setCookie: Cookie?) {
        if let existing = request.cookies[Self.csrfCookie]?.value, existing.utf8.count == 22 {
            return (existing, nil)
        }
        let token = Data.random(count: 16).base64URLEncoded
        let cookie = Cookie(
            name: Self.csrfCookie, value: token, path: "/", secure: configuration.isHTTPS, httpOnly: true, sameSite: .strict)
        return (token, cookie)
    }

    /// The decoded form of a POST, if it came from one of our pages (CSRF token and origin).
    func submitted<Form: Decodable>(_ type: Form.Type, from request: Request) async throws -> Form? where Form: CSRFProtected {
        // Under `Referrer-Policy: no-referrer` (every page's, so links never leak) browsers
        // send `Origin: null` with a form post: that says nothing, so only a real other
        // origin is refused; the token is what proves the form is ours.
        if let origin = request.headers[.origin]?.lowercased(), origin != "null", origin != configuration.origin { return nil }
        var request = request
        let buffer = try await request.collectBody(upTo: Self.bodyLimit)
        let form: Form
        do {
            form = try URLEncodedFormDecoder().decode(Form.self, from: String(buffer: buffer))
        } catch is DecodingError {
            throw HTTPError(.badRequest, message: "The form is missing a field or has a malformed one.")
        }
        guard let cookie = request.cookies[Self.csrfCookie]?.value,
            ConstantTime.equal(cookie.utf8, form.csrf.utf8)
        else { return nil }
        return form
    }
}

/// A form with a CSRF token field.
protocol CSRFProtected {
    var csrf: String { get }
}

extension Response {
    /// `Set-Cookie` for each cookie given.
    mutating func setCookies(_ cookies: [Cookie?]) {
        for cookie in cookies.compactMap({ $0 }) { headers.append(HTTPField(name: .setCookie, value: cookie.description)) }
    }

    /// A 303 to `location`, the answer to a form.
    static func seeOther(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }
}
