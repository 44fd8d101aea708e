/// A user's email address, trimmed and lowercased, so that comparing two `Email`s
/// compares addresses case-insensitively.
public struct Email: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The normalised address.
    public let value: String

    /// Normalises and checks `raw`; nil when it is not a plausible address.
    public init?(_ raw: String) {
        var raw = raw
        // Checked on the contiguous UTF-8 bytes: this runs once per declared member, a
        // million times for a large organisation.
        let checked: (plausible: Bool, trimmed: Bool, lower: Bool, start: Int, end: Int) = raw.withUTF8 { bytes in
            func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) }
            var start = 0
            var end = bytes.count
            while start < end, isSpace(bytes[start]) { start += 1 }
            while start < end, isSpace(bytes[end - 1]) { end -= 1 }
            let text = UnsafeBufferPointer(rebasing: bytes[start..<end])
            let (plausible, lower) = Self.check(text)
            return (plausible, start == 0 && end == bytes.count, lower, start, end)
        }
        guard checked.plausible else { return nil }
        if checked.lower && checked.trimmed {
            value = raw
        } else {
            let utf8 = raw.utf8
            let text = raw[utf8.index(utf8.startIndex, offsetBy: checked.start)..<utf8.index(utf8.startIndex, offsetBy: checked.end)]
            value = checked.lower ? String(text) : text.lowercased()
        }
        // Not lowercase ASCII (the rare case): refuse the Unicode controls the byte check
        // cannot see (C1 controls, line separators, bidirectional overrides).
        if !checked.lower, PrintableText.firstControl(in: value) != nil { return nil }
    }

    /// An address already known to be normalised (read back from the store).
    public init(normalized: String) { value = normalized }

    public var description: String { value }

    public static func < (lhs: Email, rhs: Email) -> Bool { lhs.value < rhs.value }

    /// `local@domain.tld`: one `@`, no spaces or ASCII control characters, a dot in a domain
    /// whose labels are not empty nor start with "-", at most 254 bytes. Deliberately not
    /// RFC 5322: quoted local parts and IP literals are not addresses a team invites.
    /// Also says whether the text is already lowercase ASCII. One pass over the bytes.
    private static func check(_ bytes: UnsafeBufferPointer<UInt8>) -> (plausible: Bool, lowercase: Bool) {
        guard bytes.count <= 254 else { return (false, true) }
        var lowercase = true
        var at = -1
        var labels = 0
        var labelStart = true
        for index in 0..<bytes.count {
            let byte = bytes[index]
            switch byte {
            case 0...0x20, 0x7F, UInt8(ascii: ","), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\""):
                return (false, lowercase)
            case UInt8(ascii: "@"):
                guard at < 0, index > 0, index <= 64 else { return (false, lowercase) }
                at = index
                continue
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), 0x80...:
                lowercase = false
            default:
                break
            }
            guard at >= 0 else { continue }
            // In the domain: labels separated by dots.
            if byte == UInt8(ascii: ".") {
                if labelStart { return (false, lowercase) }
                labelStart = true
            } else if labelStart {
                if byte == UInt8(ascii: "-") { return (false, lowercase) }
                labels += 1
                labelStart = false
            }
        }
        return (at > 0 && labels >= 2 && !labelStart, lowercase)
    }
}
