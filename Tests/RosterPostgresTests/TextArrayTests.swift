import Testing

@testable import RosterPostgres

/// The state's reader of PostgreSQL's binary `text[]` (`TextArray`), on bytes written out
/// by hand; the store tests read it from a real server.
@Suite("PostgreSQL store: text arrays read from their bytes")
struct TextArrayTests {
    /// The binary form of a one-dimensional `text[]`: `nil` elements are NULL.
    static func encoded(_ elements: [String?]) -> [UInt8] {
        func integer(_ value: Int32) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }
        var bytes = integer(1) + integer(elements.contains(nil) ? 1 : 0) + integer(25)  // 25: text
        bytes += integer(Int32(elements.count)) + integer(1)
        for element in elements {
            guard let element else { bytes += integer(-1); continue }
            bytes += integer(Int32(element.utf8.count)) + Array(element.utf8)
        }
        return bytes
    }

    static func elements(_ bytes: [UInt8]) throws -> [String] {
        var found: [String] = []
        try bytes.withUnsafeBytes { raw in
            try TextArray.forEach(in: raw) { found.append(String(decoding: $0, as: UTF8.self)) }
        }
        return found
    }

    @Test func elementsComeInOrderAndNullsAreSkipped() throws {
        let bytes = Self.encoded(["alice@example.com", nil, "", "zoë@example.com"])
        #expect(try Self.elements(bytes) == ["alice@example.com", "", "zoë@example.com"])
    }

    @Test func anEmptyArrayHasNoDimensions() throws {
        let empty: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 25]
        #expect(try Self.elements(empty) == [])
    }

    @Test(arguments: [4, 12, 19, 22, 27])
    func aCutOffArrayIsAnError(keeping count: Int) {
        let bytes = Array(Self.encoded(["alice@example.com", "bob@example.com"]).prefix(count))
        #expect(throws: (any Error).self) { try Self.elements(bytes) }
    }

    @Test func twoDimensionsAreRefused() {
        var bytes = Self.encoded(["a"])
        bytes[3] = 2
        #expect(throws: (any Error).self) { try Self.elements(bytes) }
    }
}
