/// A team's spend limit in US dollars per hour, held as whole cents so that limits compare
/// and print exactly.
public struct SpendLimit: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let cents: Int64

    public init(cents: Int64) { self.cents = cents }

    /// $80.00 per hour: every team's limit unless its manifest says otherwise.
    public static let `default` = SpendLimit(cents: 8_000)

    /// "120.00"
    public var description: String {
        let fraction = cents % 100
        return "\(cents / 100)." + (fraction < 10 ? "0\(fraction)" : "\(fraction)")
    }

    /// The limit as a JSON number.
    public var dollars: Double { Double(cents) / 100 }

    public static func < (lhs: SpendLimit, rhs: SpendLimit) -> Bool { lhs.cents < rhs.cents }

    /// Why a text is not a spend limit.
    public enum ParseError: Error, Equatable {
        case notANumber, negative, tooManyDecimals, tooLarge
    }

    /// Parses a plain decimal such as `120`, `120.5` or `120.50`.
    public static func parse(_ text: String) -> Result<SpendLimit, ParseError> {
        var bytes = Substring(text).utf8[...]
        var negative = false
        if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            negative = sign == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        let dot = bytes.firstIndex(of: UInt8(ascii: "."))
        let whole = bytes[..<(dot ?? bytes.endIndex)]
        let fraction = dot.map { bytes[bytes.index(after: $0)...] } ?? bytes[bytes.endIndex...]
        func digits(_ part: Substring.UTF8View.SubSequence) -> Bool {
            part.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        }
        guard !whole.isEmpty || !fraction.isEmpty, digits(whole), digits(fraction),
            dot == nil || !fraction.isEmpty
        else { return .failure(.notANumber) }
        if negative, (whole.contains { $0 != UInt8(ascii: "0") } || fraction.contains { $0 != UInt8(ascii: "0") }) {
            return .failure(.negative)
        }
        guard fraction.count <= 2 else { return .failure(.tooManyDecimals) }
        // Leading zeros are a plain number (`0012.5` is 12.5); only significant digits count.
        let significant = whole.drop { $0 == UInt8(ascii: "0") }
        guard significant.count <= 12 else { return .failure(.tooLarge) }
        var cents: Int64 = 0
        for byte in significant { cents = cents * 10 + Int64(byte - UInt8(ascii: "0")) }
        var fractionCents: Int64 = 0
        for byte in fraction { fractionCents = fractionCents * 10 + Int64(byte - UInt8(ascii: "0")) }
        if fraction.count == 1 { fractionCents *= 10 }
        return .success(SpendLimit(cents: cents * 100 + fractionCents))
    }
}
