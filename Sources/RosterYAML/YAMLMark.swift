/// A position in a YAML file, both counted from 1. Columns count characters, not bytes.
public struct YAMLMark: Sendable, Hashable, Comparable {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// The start of a file, for problems that have no position of their own.
    public static let start = YAMLMark(line: 1, column: 1)

    public static func < (lhs: YAMLMark, rhs: YAMLMark) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }

    /// The line and column of a byte offset, for errors libyaml reports as an offset only
    /// (its reader errors: invalid UTF-8, control characters).
    public static func of(offset: Int, in bytes: UnsafeRawBufferPointer) -> YAMLMark {
        var line = 1
        var column = 1
        for byte in bytes.prefix(min(max(offset, 0), bytes.count)) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {  // count characters: skip UTF-8 continuation bytes
                column += 1
            }
        }
        return YAMLMark(line: line, column: column)
    }
}
