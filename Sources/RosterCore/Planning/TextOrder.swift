/// Sorting by a text key, in `String` order, fast enough for a first apply's million
/// invitations: sorting a team's hundred addresses takes some 700 comparisons, and as
/// `String`s (addresses share long prefixes, `user00…@example.com`) they were the larger part
/// of planning it. Each key's first 16 bytes are read once, as two big-endian integers, so
/// most comparisons compare integers. `String` order decides when those are equal, or when
/// a key is not all ASCII (where normalisation, not bytes, orders text); for ASCII text,
/// byte order is `String` order, so the result is exactly `sorted { key($0) < key($1) }`.
enum TextOrder {
    /// `elements` sorted by `key`, as `elements.sorted { key($0) < key($1) }`.
    static func sorted<Element>(_ elements: [Element], by key: (Element) -> String) -> [Element] {
        guard elements.count > 1 else { return elements }
        var keys: [Prefix] = []
        keys.reserveCapacity(elements.count)
        for index in elements.indices { keys.append(Prefix(key(elements[index]), index: index)) }
        keys.sort { left, right in
            if left.isASCII, right.isASCII, left.high != right.high || left.low != right.low {
                return left.high != right.high ? left.high < right.high : left.low < right.low
            }
            return key(elements[left.index]) < key(elements[right.index])
        }
        return keys.map { elements[$0.index] }
    }

    /// A key's first 16 bytes, zero-padded (so a key that begins another orders first, or
    /// ties and is compared as `String`s), and whether all of it is ASCII.
    struct Prefix {
        var high: UInt64 = 0
        var low: UInt64 = 0
        var index: Int
        var isASCII = true

        init(_ text: String, index: Int) {
            self.index = index
            var text = text
            text.withUTF8 { bytes in
                for (position, byte) in bytes.enumerated() {
                    if byte >= 0x80 { isASCII = false }
                    if position < 8 {
                        high |= UInt64(byte) << (56 - 8 * position)
                    } else if position < 16 {
                        low |= UInt64(byte) << (56 - 8 * (position - 8))
                    }
                }
            }
        }
    }
}
