/// A position in a YAML file, both counted from 1. Columns count characters, not bytes.
///
/// Lines are what libyaml counts: they end at `\n`, `\r\n`, `\r`, NEL (U+0085) and the
/// Unicode line and paragraph separators. A file's last line is the one its last character
/// is on: a final line break does not start another line.
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
    /// (its reader errors: invalid UTF-8, control characters). An offset at or past the end
    /// is the end of the file (`end(of:)`).
    public static func of(offset: Int, in bytes: UnsafeRawBufferPointer) -> YAMLMark {
        guard offset < bytes.count else { return end(of: bytes) }
        return walk(bytes, upTo: max(offset, 0)).mark
    }

    /// Just after the last character of the last line: where libyaml's end-of-stream
    /// problems belong (libyaml itself puts them on a line after the last one).
    ///
    /// Worked out for every file a decoder reads to its end, so in one tight pass that only
    /// looks for the bytes that can start a line break; characters are counted on the one
    /// line the mark is on. The same answer as walking every character (`lineLengths`).
    public static func end(of bytes: UnsafeRawBufferPointer) -> YAMLMark {
        if let end = asciiEnd(of: bytes) { return end }
        let count = bytes.count
        var line = 1
        // Where the current line starts, and the previous line and the break that ended it.
        var lineStart = 0
        var previousLineStart = 0
        var previousBreak = 0
        var index = 0
        // Until `stop`, byte by byte; past it, eight bytes at a time while none can start a break.
        var stop = 0
        while index < count {
            if index >= stop {
                if index + 8 <= count, !mayStartBreak(bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)) {
                    index += 8
                    continue
                }
                stop = index + 8
            }
            let byte = bytes[index]
            // Not \n, \r, nor the lead byte of NEL or of a Unicode line or paragraph separator.
            if byte != UInt8(ascii: "\n") && byte != UInt8(ascii: "\r") && byte != 0xC2 && byte != 0xE2 {
                index += 1
                continue
            }
            let next = index + 1 < count ? bytes[index + 1] : 0
            let length: Int
            switch byte {
            case UInt8(ascii: "\r"): length = next == UInt8(ascii: "\n") ? 2 : 1
            case UInt8(ascii: "\n"): length = 1
            case 0xC2 where next == 0x85: length = 2
            case 0xE2 where next == 0x80 && index + 2 < count && (bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9):
                length = 3
            default:
                // A lead byte that starts no break: its continuation bytes start none either.
                index += 1
                continue
            }
            previousLineStart = lineStart
            previousBreak = index
            index += length
            lineStart = index
            line += 1
        }
        // A final line break does not start another line: the end is just after the last
        // character of the line it ends.
        if line > 1 && lineStart == count {
            return YAMLMark(line: line - 1, column: characters(bytes, previousLineStart..<previousBreak) + 1)
        }
        return YAMLMark(line: line, column: characters(bytes, lineStart..<count) + 1)
    }

    /// The end of ASCII text whose only breaks are `\n` (most manifests), from one pass that
    /// counts them and can be vectorised; nil for any other text. The same answer as `end(of:)`'s
    /// walk.
    private static func asciiEnd(of bytes: UnsafeRawBufferPointer) -> YAMLMark? {
        let bytes = bytes.assumingMemoryBound(to: UInt8.self)
        var breaks = 0
        var seen: UInt8 = 0
        var returns: UInt8 = 0
        // Byte-wide counters over runs of 255 bytes, so every lane stays a byte.
        var runStart = 0
        while runStart < bytes.count {
            let runEnd = min(runStart + 255, bytes.count)
            var run: UInt8 = 0
            for index in runStart..<runEnd {
                let byte = bytes[index]
                run &+= byte == UInt8(ascii: "\n") ? 1 : 0
                returns |= byte == UInt8(ascii: "\r") ? 1 : 0
                seen |= byte
            }
            breaks += Int(run)
            runStart = runEnd
        }
        guard seen & 0x80 == 0, returns == 0 else { return nil }
        // The last line: after the last break, or, when the text ends with one, the line it ends.
        var end = bytes.count
        var line = breaks + 1
        if end > 0, bytes[end - 1] == UInt8(ascii: "\n"), breaks > 0 {
            end -= 1
            line -= 1
        }
        var start = end
        while start > 0, bytes[start - 1] != UInt8(ascii: "\n") { start -= 1 }
        return YAMLMark(line: line, column: end - start + 1)
    }

    /// Whether any of the eight bytes of `word` is `\n`, `\r` or 0x80 and above (which NEL's
    /// and the separators' lead bytes are).
    private static func mayStartBreak(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func hasByte(_ value: UInt8) -> Bool {
            let x = word ^ (ones &* UInt64(value))
            return (x &- ones) & ~x & highs != 0
        }
        return word & highs != 0 || hasByte(UInt8(ascii: "\n")) || hasByte(UInt8(ascii: "\r"))
    }

    /// Characters in `range` of a line, as the marks count them: one per byte that is not a
    /// UTF-8 continuation byte, and one for continuation bytes the line starts with.
    private static func characters(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int {
        guard !range.isEmpty else { return 0 }
        var count = bytes[range.lowerBound] & 0xC0 == 0x80 ? 1 : 0
        for index in range where bytes[index] & 0xC0 != 0x80 { count += 1 }
        return count
    }

    /// The lines of `bytes` and the length of each in characters, as the marks count them.
    public static func lineLengths(of bytes: UnsafeRawBufferPointer) -> [Int] {
        var lengths: [Int] = []
        var column = 1
        forEachCharacter(bytes, upTo: bytes.count) { isBreak in
            if isBreak {
                lengths.append(column - 1)
                column = 1
            } else {
                column += 1
            }
        }
        if lengths.isEmpty || column > 1 { lengths.append(column - 1) }
        return lengths
    }

    private static func walk(_ bytes: UnsafeRawBufferPointer, upTo offset: Int)
        -> (mark: YAMLMark, afterBreak: Bool, lastLineEnd: YAMLMark)
    {
        var mark = YAMLMark.start
        var afterBreak = false
        var lastLineEnd = YAMLMark.start
        forEachCharacter(bytes, upTo: offset) { isBreak in
            if isBreak {
                lastLineEnd = mark
                mark.line += 1
                mark.column = 1
            } else {
                mark.column += 1
            }
            afterBreak = isBreak
        }
        return (mark, afterBreak, lastLineEnd)
    }

    /// Calls `body` for each character that starts before `offset`, saying whether it is a
    /// line break (`\r\n` is one).
    private static func forEachCharacter(
        _ bytes: UnsafeRawBufferPointer, upTo offset: Int, _ body: (Bool) -> Void
    ) {
        var index = 0
        let end = min(offset, bytes.count)
        while index < end {
            let byte = bytes[index]
            let next = index + 1 < bytes.count ? bytes[index + 1] : 0
            switch byte {
            case UInt8(ascii: "\r"):
                body(true)
                index += next == UInt8(ascii: "\n") ? 2 : 1
            case UInt8(ascii: "\n"):
                body(true)
                index += 1
            case 0xC2 where next == 0x85:
                body(true)
                index += 2
            case 0xE2 where next == 0x80 && index + 2 < bytes.count && (bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9):
                body(true)
                index += 3
            default:
                body(false)
                // Skip the continuation bytes of a UTF-8 sequence: columns count characters.
                index += 1
                while index < bytes.count, bytes[index] & 0xC0 == 0x80 { index += 1 }
            }
        }
    }
}
