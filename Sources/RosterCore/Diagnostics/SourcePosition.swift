/// A line and column in a manifest file, both from 1. Kept small (8 bytes): every declared
/// member carries two.
public struct SourcePosition: Sendable, Hashable, Comparable {
    public var line: Int32
    public var column: Int32

    public init(line: Int, column: Int) {
        self.line = Int32(clamping: line)
        self.column = Int32(clamping: column)
    }

    public static let start = SourcePosition(line: 1, column: 1)

    public static func < (a: SourcePosition, b: SourcePosition) -> Bool { (a.line, a.column) < (b.line, b.column) }
}
