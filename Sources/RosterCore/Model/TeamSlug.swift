/// The rule for team slugs: `^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`.
public enum TeamSlug {
    /// The pattern, as the JSON Schema states it.
    public static let pattern = "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"

    /// Whether `slug` matches `pattern` (checked by hand: it runs once per team).
    public static func isValid(_ slug: String) -> Bool {
        let bytes = slug.utf8
        guard (1...63).contains(bytes.count) else { return false }
        func alnum(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) }
        guard alnum(bytes.first!), alnum(bytes.last!) else { return false }
        return bytes.allSatisfy { alnum($0) || $0 == UInt8(ascii: "-") }
    }
}
