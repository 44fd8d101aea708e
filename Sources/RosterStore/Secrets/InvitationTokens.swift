import Crypto
public import Foundation
import RosterCore

/// Invitation links. A token is `<id>.<mac>`, where the MAC is HMAC-SHA256 under a secret
/// key kept in a file outside the database over the invitation's id and random nonce. The
/// database holds only the nonce, so a copy of it is not enough to make a link; the same
/// invitation always gets the same link; verifying is a constant-time comparison.
public struct InvitationTokens: Sendable {
    /// HMAC-SHA256 keyed once, copied for each token: keying it again for every link was a
    /// third of listing a million of them. Why `nonisolated(unsafe)` is sound: this one is
    /// never changed after `init`; each token updates its own copy (a value, whose hash state
    /// is copied on its first write).
    nonisolated(unsafe) private let keyed: HMAC<SHA256>

    /// Tokens under the secret key `keyBytes` (see `SecretKeyFile`).
    public init(keyBytes: Data) { keyed = HMAC<SHA256>(key: SymmetricKey(data: keyBytes)) }

    /// The token for `invitation`.
    public func token(for invitation: Invitation) -> String {
        "\(invitation.id)." + mac(id: invitation.id, nonce: invitation.nonce).base64URLEncoded
    }

    /// The invitation id a well-formed token names, before checking its MAC.
    public static func invitationID(in token: String) -> Int64? {
        guard let dot = token.firstIndex(of: "."), let id = Int64(token[..<dot]), id > 0 else { return nil }
        return id
    }

    /// Whether `token` is the one for `invitation` (constant time). The text is compared, not
    /// the decoded MAC: base64's last character has spare bits, and a link with them changed
    /// must not work too.
    public func matches(_ token: String, _ invitation: Invitation) -> Bool {
        ConstantTime.equal(self.token(for: invitation).utf8, token.utf8)
    }

    /// The link people open: `<base-url>/invite/<token>`.
    public func link(for invitation: Invitation, baseURL: String) -> String {
        (baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL) + "/invite/" + token(for: invitation)
    }

    private func mac(id: Int64, nonce: String) -> Data {
        var hmac = keyed
        var message = "roster-invite:\(id):\(nonce)"
        message.withUTF8 { hmac.update(data: UnsafeRawBufferPointer($0)) }
        return Data(hmac.finalize())
    }

    /// A fresh random nonce for a new invitation.
    public static func nonce() -> String {
        SymmetricKey(size: .bits128).withUnsafeBytes { Data($0).base64URLEncoded }
    }
}

/// The secret key file: 32 random bytes, created with mode 0600 on first use.
public enum SecretKeyFile {
    /// Loads the key at `path`, creating it when missing. Refuses a key file that others
    /// can read.
    public static func load(path: String) throws -> Data {
        if !FileManager.default.fileExists(atPath: path) {
            let key = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if descriptor >= 0 {
                let written = key.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
                close(descriptor)
                guard written == 32 else { throw StoreError(.io, "cannot write the secret key file \(path)") }
                return key
            }
            guard errno == EEXIST else {
                throw StoreError(.io, "cannot create the secret key file \(path): \(String(cString: strerror(errno)))")
            }
        }
        var info = stat()
        guard stat(path, &info) == 0 else { throw StoreError(.io, "cannot read the secret key file \(path)") }
        if info.st_mode & 0o077 != 0 {
            throw StoreError(.invalid, "the secret key file \(path) can be read by others; chmod 600 it")
        }
        guard let data = FileManager.default.contents(atPath: path), data.count >= 32 else {
            throw StoreError(.invalid, "the secret key file \(path) is not a Roster key (32 bytes expected)")
        }
        return Data(data.prefix(32))
    }
}

extension Data {
    /// Base64url without padding (RFC 4648 section 5), as tokens, keys and cookies use.
    public var base64URLEncoded: String {
        // On the bytes: `roster invite list` makes a link per invitation, and three string
        // replacements (through NSString) were a sixth of listing a million.
        var bytes = [UInt8](base64EncodedData())
        while bytes.last == UInt8(ascii: "=") { bytes.removeLast() }
        for index in bytes.indices {
            switch bytes[index] {
            case UInt8(ascii: "+"): bytes[index] = UInt8(ascii: "-")
            case UInt8(ascii: "/"): bytes[index] = UInt8(ascii: "_")
            default: break
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Decodes base64url with or without padding; nil for anything else.
    public init?(base64URLEncoded text: String) {
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        self.init(base64Encoded: base64)
    }
}
