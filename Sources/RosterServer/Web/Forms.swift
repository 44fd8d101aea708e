import Crypto
import Foundation
import Hummingbird
import HTTPTypes
import RosterStore

/// Form handling for the server's pages: bodies read with a limit and a deadline and checked
/// to be flat forms before Hummingbird's form decoder sees them; CSRF tokens by signed double
/// submit; and an `Origin` check when the browser sends one.
///
/// A CSRF token is a random nonce and an HMAC-SHA256, under the server's secret key, of the
/// nonce and the session the request carries (none before sign-in). It is set as a cookie
/// (SameSite=Strict, `__Host-` under https) and repeated in a hidden field; a post is
/// accepted when the two match and the MAC holds for the session cookie sent with it, so a
/// value planted in the cookie, or a token taken from another session, fails.
struct Forms: Sendable {
    static let csrfCookie = "roster_csrf"
    /// Forms are small; anything larger is refused (413).
    static let bodyLimit = 16 * 1024
    /// Our forms have a handful of fields.
    static let fieldLimit = 16

    let configuration: ServerConfiguration
    let sessions: SessionCookie
    private let keyBytes: Data
    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    init(configuration: ServerConfiguration, sessions: SessionCookie, keyBytes: Data) {
        self.configuration = configuration
        self.sessions = sessions
        self.keyBytes = keyBytes
    }

    /// The CSRF cookie's name: `__Host-roster_csrf` under https.
    var csrfCookieName: String { (configuration.isHTTPS ? "__Host-" : "") + Self.csrfCookie }

    /// The CSRF token to put in a page's forms: the request's cookie when it is valid for the
    /// request's session, or a new one to set.
    func csrfToken(for request: Request) -> (token: String, setCookie: Cookie?) {
        if let existing = request.cookies[csrfCookieName]?.value, isValid(existing, for: request) {
            return (existing, nil)
        }
        let nonce = Data.random(count: 16).base64URLEncoded
        let token = nonce + "." + mac(nonce: nonce, binding: binding(of: request))
        let cookie = Cookie(
            name: csrfCookieName, value: token, path: "/", secure: configuration.isHTTPS, httpOnly: true, sameSite: .strict)
        return (token, cookie)
    }

    /// The decoded form of a POST, if it came from one of our pages (CSRF token and origin).
    /// A body that is too large, too slow or not a well-formed flat form throws an
    /// `HTTPError` (413, 408, 400).
    func submitted<Form: Decodable>(_ type: Form.Type, from request: Request) async throws -> Form? where Form: CSRFProtected {
        // Under `Referrer-Policy: no-referrer` (every page's, so links never leak) browsers
        // send `Origin: null` with a form post: that says nothing, so only a real other
        // origin is refused; the token is what proves the form is ours.
        if let origin = request.headers[.origin]?.lowercased(), origin != "null", origin != configuration.origin { return nil }
        let buffer = try await BoundedBody.collect(request, limit: Self.bodyLimit, timeout: configuration.bodyReadTimeout)
        let text = String(buffer: buffer)
        if let problem = Self.problem(in: text) { throw HTTPError(.badRequest, message: problem) }
        let form: Form
        do {
            form = try URLEncodedFormDecoder().decode(Form.self, from: text)
        } catch {
            throw HTTPError(.badRequest, message: "The form is missing a field or has a malformed one.")
        }
        guard let cookie = request.cookies[csrfCookieName]?.value, ConstantTime.equal(cookie.utf8, form.csrf.utf8),
            isValid(cookie, for: request)
        else { return nil }
        return form
    }

    /// Why `text` is not a form of ours, if it is not: our forms are flat (plain field names,
    /// each once, no `a[b]` nesting) with well-formed percent escapes.
    static func problem(in text: String) -> String? {
        guard !text.isEmpty else { return nil }
        let pairs = text.split(separator: "&", omittingEmptySubsequences: false)
        guard pairs.count <= fieldLimit else { return "The form has too many fields." }
        var seen: Set<Substring> = []
        for pair in pairs {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = parts[0]
            guard !name.isEmpty, name.utf8.count <= 32,
                name.utf8.allSatisfy({ $0 == UInt8(ascii: "_") || (0x30...0x39).contains($0) || (0x41...0x5a).contains($0) || (0x61...0x7a).contains($0) })
            else { return "The form has a malformed field name." }
            guard seen.insert(name).inserted else { return "The form has the field \(name) more than once." }
            if parts.count == 2, parts[1].replacingOccurrences(of: "+", with: " ").removingPercentEncoding == nil {
                return "The form's field \(name) has a malformed escape."
            }
        }
        return nil
    }

    /// What a token is bound to: the session the request carries (its store id), or nothing.
    private func binding(of request: Request) -> String {
        sessions.secret(in: request).map(Session.id(forSecret:)) ?? ""
    }

    private func isValid(_ token: String, for request: Request) -> Bool {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].utf8.count == 22 else { return false }
        let expected = String(parts[0]) + "." + mac(nonce: String(parts[0]), binding: binding(of: request))
        return ConstantTime.equal(expected.utf8, token.utf8)
    }

    private func mac(nonce: String, binding: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data("roster-csrf:\(nonce):\(binding)".utf8), using: key)).base64URLEncoded
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
