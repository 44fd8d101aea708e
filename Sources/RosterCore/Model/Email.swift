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

    /// `init(_:)` of the UTF-8 text `bytes`: read where a decoder has them, so the usual
    /// address (lowercase ASCII, nothing to trim) becomes one `String` and is looked at once.
    public init?(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        // A plausible address has no byte up to 0x20, so it has nothing to trim either.
        let (plausible, lower) = Self.check(bytes)
        if plausible, lower {
            self.init(normalized: String(decoding: bytes, as: UTF8.self))
        } else {
            self.init(String(decoding: bytes, as: UTF8.self))
        }
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
        return byteClasses.withUnsafeBufferPointer { classes in
            var lowercase = true
            // The local part: any byte but the refused ones, up to the one `@`.
            var index = 0
            while index < bytes.count {
                let kind = classes[Int(bytes[index])]
                if kind == ByteClass.at.rawValue { break }
                if kind == ByteClass.refused.rawValue { return (false, lowercase) }
                if kind == ByteClass.notLowercase.rawValue { lowercase = false }
                index += 1
            }
            guard index > 0, index <= 64, index < bytes.count else { return (false, lowercase) }
            // The domain: labels separated by dots, none empty or starting with "-".
            var labels = 0
            var labelStart = true
            index += 1
            while index < bytes.count {
                switch classes[Int(bytes[index])] {
                case ByteClass.refused.rawValue, ByteClass.at.rawValue:
                    return (false, lowercase)
                case ByteClass.dot.rawValue:
                    if labelStart { return (false, lowercase) }
                    labelStart = true
                case let kind:
                    if kind == ByteClass.notLowercase.rawValue { lowercase = false }
                    if labelStart {
                        if kind == ByteClass.hyphen.rawValue { return (false, lowercase) }
                        labels += 1
                        labelStart = false
                    }
                }
                index += 1
            }
            return (labels >= 2 && !labelStart, lowercase)
        }
    }

    /// What `check` makes of each byte, looked up rather than compared: a million addresses
    /// are checked when a large organisation is read.
    private enum ByteClass: UInt8 {
        case ordinary, refused, at, dot, hyphen, notLowercase
    }

    private static let byteClasses: [UInt8] = (0...255).map { (byte: Int) -> UInt8 in
        let kind: ByteClass
        switch UInt8(byte) {
        case 0...0x20, 0x7F, UInt8(ascii: ","), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\""): kind = .refused
        case UInt8(ascii: "@"): kind = .at
        case UInt8(ascii: "."): kind = .dot
        case UInt8(ascii: "-"): kind = .hyphen
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), 0x80...: kind = .notLowercase
        default: kind = .ordinary
        }
        return kind.rawValue
    }
}
