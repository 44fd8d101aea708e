import Foundation

/// Links into the repository's web view, from a template such as
/// `https://github.com/org/teams/blob/{commit}/{path}#L{line}` (`--repo-web-url`): a
/// manifest line at a commit, or a commit alone.
public struct RepositoryWebURL: Sendable, Equatable {
    public let template: String

    /// Nil unless `template` is an http(s) URL naming `{commit}`.
    public init?(_ template: String) {
        guard template.contains("{commit}"), let url = URL(string: template.replacingOccurrences(of: "{", with: "").replacingOccurrences(of: "}", with: "")),
            ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil
        else { return nil }
        self.template = template
    }

    /// The link to `line` of `path` at `commit`.
    public func link(commit: String, path: String, line: Int) -> String {
        let encodedPath = path.split(separator: "/").map {
            String($0).addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(.init(charactersIn: "/?#"))) ?? ""
        }.joined(separator: "/")
        return template.replacingOccurrences(of: "{commit}", with: commit).replacingOccurrences(of: "{path}", with: encodedPath)
            .replacingOccurrences(of: "{line}", with: String(line))
    }

    /// The link to `commit` alone: the template without the file (its root at that commit).
    public func link(commit: String) -> String {
        var text = template.replacingOccurrences(of: "{commit}", with: commit).replacingOccurrences(of: "{path}", with: "")
        for tail in ["#L{line}", "#{line}", "{line}"] where text.hasSuffix(tail) { text.removeLast(tail.count) }
        return text.replacingOccurrences(of: "{line}", with: "")
    }
}
