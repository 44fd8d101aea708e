/// The one place that makes text from manifests, file names and the store safe to print
/// for people: on a terminal, in a log line, in a pull-request comment.
///
/// A value is data, never layout: a newline, carriage return or escape sequence inside a
/// quoted YAML key, a display name or a file name must not start a line of its own (a
/// forged diagnostic or plan line) nor recolour the terminal. JSON and GitHub annotations
/// escape on their own; every text and Markdown renderer passes values through here.
public enum PrintableText {
    /// Whether `scalar` would change the layout of the text around it: C0 and C1 control
    /// characters and DEL (Unicode category Cc), the Unicode line and paragraph separators,
    /// and the bidirectional controls that reorder what a reader sees ("Trojan Source").
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x2028, 0x2029: true
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    /// The first control character in `text`, if any.
    public static func firstControl(in text: some StringProtocol) -> Unicode.Scalar? {
        // Printable ASCII, what nearly every value is, is told from its bytes: the scalars'
        // decoding was a tenth of printing a million audit entries.
        let printableASCII = text.utf8.withContiguousStorageIfAvailable { bytes in
            bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
        }
        if printableASCII == true { return nil }
        return text.unicodeScalars.first(where: isControl)
    }

    /// `text` with every control character written as an escape: `\n`, `\r`, `\t`, and
    /// `\u{1B}` (hexadecimal, as Swift writes it) for the others. Text without any comes
    /// back as it is.
    public static func escaped(_ text: some StringProtocol) -> String {
        guard firstControl(in: text) != nil else { return String(text) }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            guard isControl(scalar) else {
                out.unicodeScalars.append(scalar)
                continue
            }
            out += escape(scalar)
        }
        return out
    }

    /// How `escaped` writes one control character.
    public static func escape(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\n": "\\n"
        case "\r": "\\r"
        case "\t": "\\t"
        default: "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
        }
    }

    /// `text` for Markdown running text (bold, a quote): control characters escaped, and
    /// the characters that would start emphasis, a link, an image, HTML, a code span, a
    /// table cell, a heading or strike-through written with a backslash, so that a value
    /// reads as it is and cannot add markup to the comment around it.
    public static func markdown(_ text: some StringProtocol) -> String {
        var out = ""
        for character in escaped(text) {
            switch character {
            case "\\", "`", "*", "_", "[", "]", "<", ">", "|", "~", "#", "!", "&": out += "\\" + String(character)
            default: out.append(character)
            }
        }
        return out
    }

    /// `text` as a Markdown code span, control characters escaped: fenced with one more
    /// backtick than the longest run inside, so a backtick in the value cannot end it.
    /// (Not for table cells: there a `|` ends the cell even inside a code span.)
    public static func markdownCode(_ text: some StringProtocol) -> String {
        let text = escaped(text)
        var longest = 0
        var run = 0
        for character in text {
            run = character == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        let fence = String(repeating: "`", count: longest + 1)
        let padding = longest > 0 || text.hasPrefix(" ") || text.hasSuffix(" ") ? " " : ""
        return fence + padding + text + padding + fence
    }

    /// `text` inside raw HTML (a `<details>` summary, where Markdown is not read):
    /// control characters escaped, and `&`, `<`, `>`, `"` as entities.
    public static func html(_ text: some StringProtocol) -> String {
        var out = ""
        for character in escaped(text) {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }
}

extension StringProtocol {
    /// This text with control characters escaped (`PrintableText.escaped`), safe to print.
    public var printable: String { PrintableText.escaped(self) }
}
