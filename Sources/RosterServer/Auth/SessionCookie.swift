import Crypto
public import Foundation
import RosterStore

/// Browser sign-in: after a person proves an API key, the server sets a cookie naming the
/// key and an expiry, signed with HMAC-SHA256 under the server's secret key. Nothing is
/// stored server-side, so any server on the same store and key accepts it; revoking the API
/// key ends its sessions, because every request checks the key is still active.
///
/// Written here rather than with hummingbird-auth's sessions, which keep session state in
/// a persist driver (memory or a database of their own), not shared by two servers on one
/// SQLite store without more machinery than this signature.
struct SessionCookie: Sendable {
    static let name = "roster_session"

    private let keyBytes: Data
    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    init(keyBytes: Data) { self.keyBytes = keyBytes }

    /// The cookie's value for `keyID` until `expires`.
    func value(keyID: String, expires: Date) -> String {
        let seconds = Int64(expires.timeIntervalSince1970)
        return "\(keyID).\(seconds).\(mac(keyID: keyID, expires: seconds).base64URLEncoded)"
    }

    /// The API key id a cookie value vouches for, if its signature holds and it has not expired.
    func keyID(in value: String, now: Date) -> String? {
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let seconds = Int64(parts[1]), Double(seconds) > now.timeIntervalSince1970 else { return nil }
        let keyID = String(parts[0])
        // The whole value is compared as text, so no other spelling of the MAC passes.
        let expected = self.value(keyID: keyID, expires: Date(timeIntervalSince1970: Double(seconds)))
        return ConstantTime.equal(expected.utf8, value.utf8) ? keyID : nil
    }

    private func message(keyID: String, expires: Int64) -> Data { Data("roster-session:\(keyID):\(expires)".utf8) }

    private func mac(keyID: String, expires: Int64) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: message(keyID: keyID, expires: expires), using: key))
    }
}

extension Data {
    /// `count` random bytes from the system's secure generator.
    static func random(count: Int) -> Data {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }
}
