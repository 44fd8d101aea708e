import ArgumentParser
import Foundation
import RosterNotify

/// Where `roster serve` and `roster reconcile` send events (`docs/notifications.md`).
struct NotifyOptions: ParsableArguments {
    @Option(
        name: .customLong("notify-url"),
        help: ArgumentHelp(
            "POST run events (applied, refused, failed, drift) as JSON to this URL, such as a Slack or Mattermost incoming webhook; repeatable (also ROSTER_NOTIFY_URLS, comma-separated).",
            valueName: "url"))
    var urls: [String] = []

    @Option(
        name: .customLong("notify-links"),
        help: ArgumentHelp(
            "Like --notify-url, and also send each invitation a run creates or renews, with its link, to this trusted URL (needs --notify-secret-file); repeatable (also ROSTER_NOTIFY_LINKS).",
            valueName: "url"))
    var linkURLs: [String] = []

    @Option(help: ArgumentHelp(
        "File holding the key that signs notification bodies (X-Roster-Signature-256; mode 0600, a trailing newline is ignored; also ROSTER_NOTIFY_SECRET_FILE).",
        valueName: "path"))
    var notifySecretFile: String?

    private static var environment: [String: String] { ProcessInfo.processInfo.environment }

    private static func list(_ name: String) -> [String] {
        (environment[name] ?? "").split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init)
    }

    /// Flags first, then the environment's lists.
    var allURLs: [String] { urls + Self.list("ROSTER_NOTIFY_URLS") }
    var allLinkURLs: [String] { linkURLs + Self.list("ROSTER_NOTIFY_LINKS") }
    var secretPath: String? { notifySecretFile ?? Self.environment["ROSTER_NOTIFY_SECRET_FILE"].flatMap { $0.isEmpty ? nil : $0 } }

    /// Whether any receiver is configured.
    var isEnabled: Bool { !allURLs.isEmpty || !allLinkURLs.isEmpty }

    /// Whether a receiver takes invitation links (the invitation key is needed then).
    var wantsLinks: Bool { !allLinkURLs.isEmpty }

    func validate() throws {
        for (flag, text) in allURLs.map({ ("--notify-url", $0) }) + allLinkURLs.map({ ("--notify-links", $0) }) {
            guard Self.url(text) != nil else {
                throw ValidationError("\(flag) takes an http or https URL, such as https://hooks.slack.com/services/…, not \(text.printableURL).")
            }
        }
        if wantsLinks && secretPath == nil {
            throw ValidationError(
                "--notify-links sends invitation links: sign them with --notify-secret-file PATH (or ROSTER_NOTIFY_SECRET_FILE) so the receiver can tell they come from Roster.")
        }
    }

    private static func url(_ text: String) -> URL? {
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host?.isEmpty == false
        else { return nil }
        return url
    }

    /// The configuration, or nil when no receiver is given. A URL given for links and plain
    /// events is one receiver, with links.
    func configuration(linkBase: String?) throws -> NotifyConfiguration? {
        guard isEnabled else { return nil }
        var destinations: [NotifyConfiguration.Destination] = []
        for (text, links) in allLinkURLs.map({ ($0, true) }) + allURLs.map({ ($0, false) }) {
            guard let url = Self.url(text), !destinations.contains(where: { $0.url == url }) else { continue }
            destinations.append(NotifyConfiguration.Destination(url: url, receivesLinks: links))
        }
        let secret = try secretPath.map { try SecretFile.read($0, what: "notification secret file", ownerOnly: true) }
        return NotifyConfiguration(destinations: destinations, secret: secret, linkBase: linkBase)
    }
}

/// A shared secret kept in a file (webhooks, notifications): the bytes without a trailing
/// newline, so `echo secret > file` works.
enum SecretFile {
    /// Reads `path`; with `ownerOnly`, refuses a file others can read, as the invitation key does.
    static func read(_ path: String, what: String, ownerOnly: Bool) throws -> Data {
        if ownerOnly {
            var info = stat()
            guard stat(path, &info) == 0 else { throw ValidationError("cannot read the \(what) \(path).") }
            if info.st_mode & 0o077 != 0 {
                throw ValidationError("the \(what) \(path) can be read by others; chmod 600 it.")
            }
        }
        guard var data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("cannot read the \(what) \(path).")
        }
        if data.last == UInt8(ascii: "\n") { data.removeLast() }
        if data.last == UInt8(ascii: "\r") { data.removeLast() }
        guard !data.isEmpty else { throw ValidationError("the \(what) \(path) is empty.") }
        return data
    }
}

extension String {
    /// A URL as an error message may show it: the path left out, since a chat webhook's path
    /// is its secret.
    fileprivate var printableURL: String {
        guard let url = URL(string: self), let scheme = url.scheme, let host = url.host else { return "that value" }
        return "\(scheme)://\(host)/…"
    }
}
