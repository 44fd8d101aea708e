import Foundation

/// Prints diagnostics in the formats `roster validate` offers.
public enum DiagnosticRenderer {
    /// `file:line:column: error: path: message`, one a line, with an indented suggestion.
    /// `color` adds ANSI colours (only ever on a terminal). File names, paths, messages and
    /// suggestions are printed with their control characters escaped (`PrintableText`), so
    /// each diagnostic is exactly one line starting at the left margin; only a suggestion's
    /// own line breaks continue it, indented.
    public static func text(_ diagnostics: [Diagnostic], color: Bool) -> String {
        var out = ""
        for diagnostic in diagnostics {
            let severity = diagnostic.severity.rawValue
            let painted =
                color ? (diagnostic.severity == .error ? "\u{1B}[1;31m\(severity)\u{1B}[0m" : "\u{1B}[1;33m\(severity)\u{1B}[0m")
                : severity
            let place = diagnostic.location.printable
            let location = place.isEmpty ? "" : (color ? "\u{1B}[1m\(place)\u{1B}[0m" : place) + ": "
            let path = diagnostic.path.map { "\($0.printable): " } ?? ""
            out += "\(location)\(painted): \(path)\(diagnostic.message.printable)\n"
            if let suggestion = diagnostic.suggestion {
                let lines = suggestion.split(separator: "\n", omittingEmptySubsequences: false)
                if lines.count == 1 {
                    out += "  suggestion: \(suggestion.printable)\n"
                } else {
                    out += "  suggestion:\n" + lines.map { "    \($0.printable)\n" }.joined()
                }
            }
        }
        return out
    }

    /// `{"valid": bool, "diagnostics": [...]}`, keys sorted, nulls written out.
    public static func json(_ diagnostics: [Diagnostic]) -> String {
        struct Report: Encodable {
            var valid: Bool
            var diagnostics: [Diagnostic]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try! encoder.encode(Report(valid: !diagnostics.hasErrors, diagnostics: diagnostics))
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// GitHub Actions workflow commands (`::error file=…,line=…,col=…::message`), which
    /// annotate the pull request's lines.
    public static func github(_ diagnostics: [Diagnostic]) -> String {
        var out = ""
        for diagnostic in diagnostics {
            var properties: [String] = []
            if !diagnostic.file.isEmpty {
                properties.append("file=\(escapeProperty(diagnostic.file))")
                properties.append("line=\(diagnostic.line)")
                properties.append("col=\(diagnostic.column)")
            }
            if let path = diagnostic.path { properties.append("title=\(escapeProperty(path))") }
            var message = diagnostic.message
            if let suggestion = diagnostic.suggestion { message += "\nSuggestion: \(suggestion)" }
            let head = properties.isEmpty ? "" : " " + properties.joined(separator: ",")
            out += "::\(diagnostic.severity.rawValue)\(head)::\(escapeData(message))\n"
        }
        return out
    }

    private static func escapeData(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }

    private static func escapeProperty(_ text: String) -> String {
        escapeData(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}
