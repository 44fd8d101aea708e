import Crypto
public import Foundation

/// API keys: `roster_<id>_<secret>`, where `id` (12 hex digits) names the key in lists and
/// logs and `secret` is 32 random bytes in base64url. The store keeps SHA-256 of the secret
/// only: the secret has 256 bits of entropy, so a plain hash is as strong as a slow one
/// and lets every request check a key cheaply.
public struct APIKeySecret: Sendable, Equatable {
    public static let prefix = "roster_"

    public var id: String
    public var secret: String

    /// The whole key, as shown once to its owner.
    public var text: String { Self.prefix + id + "_" + secret }

    /// A new random key.
    public static func generate() -> APIKeySecret {
        let idBytes = SymmetricKey(size: .bits128).withUnsafeBytes { Array($0.prefix(6)) }
        let id = idBytes.map { String(format: "%02x", $0) }.joined()
        let secret = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64URLEncoded }
        return APIKeySecret(id: id, secret: secret)
    }

    /// Parses a key as a person pastes it (surrounding blanks ignored); nil when it is not
    /// shaped like one.
    public init?(parsing text: String) {
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix(Self.prefix), text.utf8.count <= 128 else { return nil }
        let rest = text.dropFirst(Self.prefix.count)
        guard let underscore = rest.firstIndex(of: "_") else { return nil }
        let id = String(rest[..<underscore])
        let secret = String(rest[rest.index(after: underscore)...])
        guard id.utf8.count == 12, id.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }),
            !secret.isEmpty, Data(base64URLEncoded: secret) != nil
        else { return nil }
        self.init(id: id, secret: secret)
    }

    public init(id: String, secret: String) {
        self.id = id
        self.secret = secret
    }

    /// What the store keeps.
    public var hash: Data { Data(SHA256.hash(data: Data(secret.utf8))) }

    /// Whether this key is the one `key` was made from (constant time in the hash).
    public func matches(_ key: APIKey) -> Bool {
        key.id == id && ConstantTime.equal(hash, key.secretHash)
    }
}
