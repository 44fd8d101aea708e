import Foundation

extension DiagnosticRenderer {
    /// Markdown for a pull-request comment: `heading`, then one list item per diagnostic
    /// with its place in a code span, so the comment says why the check failed.
    public static func markdown(_ diagnostics: [Diagnostic], heading: String) -> String {
        var out = "### Roster plan\n\n**\(escapeMarkdown(heading))**\n\n"
        for diagnostic in diagnostics {
            let place = diagnostic.location.isEmpty ? "" : "`\(diagnostic.location.replacingOccurrences(of: "`", with: "'"))` "
            let path = diagnostic.path.map { "`\($0.replacingOccurrences(of: "`", with: "'"))`: " } ?? ""
            out += "- \(place)**\(diagnostic.severity.rawValue)**: \(path)\(escapeMarkdown(diagnostic.message))"
            if let suggestion = diagnostic.suggestion {
                out += " (suggestion: \(escapeMarkdown(suggestion).replacingOccurrences(of: "\n", with: " ")))"
            }
            out += "\n"
        }
        return out
    }

    /// Keeps text from opening HTML or breaking a list item.
    private static func escapeMarkdown(_ text: String) -> String {
        text.replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\n", with: " ")
    }
}
