import Crypto
public import Foundation
public import HTTPTypes
import RosterStore

/// The git hosts whose push webhooks trigger a run, each with its own way of proving the
/// sender knows the shared secret.
public enum WebhookProvider: String, Sendable, CaseIterable {
    case github, gitlab, gitea

    /// The header that carries the proof.
    var signatureHeader: HTTPField.Name {
        switch self {
        case .github: HTTPField.Name("X-Hub-Signature-256")!
        case .gitlab: HTTPField.Name("X-Gitlab-Token")!
        case .gitea: HTTPField.Name("X-Gitea-Signature")!
        }
    }

    /// The header naming the event (`push`, `Push Hook`).
    var eventHeader: HTTPField.Name {
        switch self {
        case .github: HTTPField.Name("X-GitHub-Event")!
        case .gitlab: HTTPField.Name("X-Gitlab-Event")!
        case .gitea: HTTPField.Name("X-Gitea-Event")!
        }
    }

    /// The header with the delivery's id, the same on a redelivery.
    var deliveryHeader: HTTPField.Name {
        switch self {
        case .github: HTTPField.Name("X-GitHub-Delivery")!
        case .gitlab: HTTPField.Name("X-Gitlab-Event-UUID")!
        case .gitea: HTTPField.Name("X-Gitea-Delivery")!
        }
    }

    /// Whether `headers` prove that the sender of `body` knows `secret`. GitHub sends
    /// `sha256=<hex HMAC-SHA256 of the body>`, Gitea the bare hex HMAC, GitLab the secret
    /// itself. Every comparison takes the same time whatever the mismatch.
    public func verify(body: some DataProtocol, headers: HTTPFields, secret: Data) -> Bool {
        guard let given = headers[signatureHeader] else { return false }
        switch self {
        case .gitlab:
            return ConstantTime.equal(given.utf8, secret)
        case .github, .gitea:
            var text = Substring(given)
            if self == .github {
                guard text.hasPrefix("sha256=") else { return false }
                text = text.dropFirst("sha256=".count)
            }
            guard let mac = Self.bytes(hex: text) else { return false }
            return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data(body), using: SymmetricKey(data: secret))
        }
    }

    /// The event, normalised: `push` for a push on any provider.
    func event(in headers: HTTPFields) -> String? {
        guard let value = headers[eventHeader] else { return nil }
        return self == .gitlab && value == "Push Hook" ? "push" : value.lowercased()
    }

    static func bytes(hex: Substring) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// The part of a push payload Roster reads: which ref moved. GitHub, GitLab and Gitea all
/// send `ref`; the default branch (for a server tracking `HEAD`) sits under `repository`
/// (GitHub, Gitea) or `project` (GitLab).
struct PushPayload: Decodable {
    struct Repository: Decodable {
        var defaultBranch: String?
        enum CodingKeys: String, CodingKey { case defaultBranch = "default_branch" }
    }

    var ref: String
    var repository: Repository?
    var project: Repository?

    /// Whether the push moved the ref the server tracks.
    func moves(tracked: String) -> Bool {
        if tracked == "HEAD" {
            guard let branch = repository?.defaultBranch ?? project?.defaultBranch else {
                // Without a default branch in the payload, any branch push may have moved HEAD.
                return ref.hasPrefix("refs/heads/")
            }
            return ref == "refs/heads/" + branch
        }
        if tracked.hasPrefix("refs/") { return ref == tracked }
        return ref == "refs/heads/" + tracked || ref == "refs/tags/" + tracked
    }
}
