import Testing

@testable import RosterCore

/// The planner's sort by address or subject: it must give exactly `String` order, whatever
/// the keys share, however long or short they are, and whatever they hold beyond ASCII.
@Suite struct TextOrderTests {
    /// Keys made to hit every path: long shared prefixes (ties on the first 16 bytes), keys
    /// that begin others, differences in the first and the second eight bytes, NUL bytes,
    /// and text that `String` orders by normalisation rather than by bytes (a decomposed é
    /// equals the composed one, so only the fallback can order them right).
    static let pieces = [
        "user0000", "user0001", "@example.com", "a", "b", "z", "A", "\u{0}", "\u{7F}", "é", "e\u{301}", "ß", "😀", "",
        "0123456789abcdef",
    ]

    @Test func sortsAsStringsDo() {
        // Every text of up to three pieces (4,096 with repeats), in a scrambled order: 2,654,435,761
        // is odd, so multiplying by it permutes the indices modulo a power of two.
        var keys = [""]
        for _ in 0..<3 { keys = keys.flatMap { key in [key] + Self.pieces.map { key + $0 } } }
        let count = keys.count
        let scrambled = (0..<count).map { keys[($0 &* 2_654_435_761) % count] }
        let expected = scrambled.sorted()
        // The first place where the order differs (nil: nowhere), to keep a failure readable.
        func firstDifference(_ sorted: [String]) -> (index: Int, got: String, expected: String)? {
            zip(sorted, expected).enumerated().first { $0.element.0 != $0.element.1 }
                .map { ($0.offset, $0.element.0, $0.element.1) }
        }
        let sorted = TextOrder.sorted(scrambled, by: { $0 })
        #expect(sorted.count == count)
        #expect(firstDifference(sorted) == nil)
        // By a key of each element, as the planner sorts members and changes.
        let elements = scrambled.enumerated().map { (index: $0.offset, text: $0.element) }
        #expect(firstDifference(TextOrder.sorted(elements, by: \.text).map(\.text)) == nil)
        #expect(Set(TextOrder.sorted(elements, by: \.text).map(\.index)).count == count)
    }

    @Test func ordersAddressesThatShareTheirFirstSixteenBytes() {
        let addresses = ["user0000000001@example.com", "user0000000001@example.co", "user0000000000@example.org", "user0000000001"]
        #expect(TextOrder.sorted(addresses, by: { $0 }) == addresses.sorted())
        #expect(TextOrder.sorted(["b", "a"], by: { $0 }) == ["a", "b"])
        #expect(TextOrder.sorted(["only"], by: { $0 }) == ["only"])
    }
}
