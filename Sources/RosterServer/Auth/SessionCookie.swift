import Foundation
import Hummingbird
import RosterStore

/// Browser sign-in: after a person proves an API key, the server makes a session in the
/// store (`SessionStore`) and sets a cookie holding its secret: 32 random bytes, of which the
/// store keeps only the SHA-256. Every request looks the session up, so signing out (which
/// ends it in the store) holds on every replica of the same store at once, and revoking the
/// API key ends its sessions because every request also checks the key is still active.
///
/// Written here rather than with hummingbird-auth's sessions, which keep session state in
/// a persist driver of their own, not in Roster's store where every replica sees it.
struct SessionCookie: Sendable {
    /// The cookie's name over http; over https it is `__Host-roster_session`.
    static let name = "roster_session"

    /// `__Host-` under https: the browser then takes the cookie only with `Secure`,
    /// `Path=/` and no `Domain`, so another host under the same domain cannot plant one.
    let name: String
    let isHTTPS: Bool

    init(configuration: ServerConfiguration) {
        isHTTPS = configuration.isHTTPS
        name = (isHTTPS ? "__Host-" : "") + Self.name
    }

    /// A new session secret: 32 random bytes in base64url (43 characters).
    static func newSecret() -> String { Data.random(count: 32).base64URLEncoded }

    /// The session secret the request's cookie holds, if it is shaped like one.
    func secret(in request: Request) -> String? {
        guard let value = request.cookies[name]?.value, value.utf8.count == 43, Data(base64URLEncoded: value)?.count == 32
        else { return nil }
        return value
    }

    /// `Set-Cookie` for a new session's secret, lasting `lifetime`.
    func cookie(secret: String, lifetime: Duration) -> Cookie {
        Cookie(
            name: name, value: secret, maxAge: Int(lifetime.components.seconds), path: "/", secure: isHTTPS, httpOnly: true,
            sameSite: .lax)
    }

    /// `Set-Cookie` that removes the cookie.
    func cleared() -> Cookie {
        Cookie(name: name, value: "", maxAge: 0, path: "/", secure: isHTTPS, httpOnly: true, sameSite: .lax)
    }
}

extension Data {
    /// `count` random bytes from the system's secure generator.
    static func random(count: Int) -> Data {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }
}
