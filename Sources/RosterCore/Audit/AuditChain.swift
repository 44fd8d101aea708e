import Crypto

/// The audit log's tamper evidence: each entry's hash is SHA-256 over its canonical
/// content, which includes its predecessor's hash.
public enum AuditChain {
    /// The canonical content of `entry` (every field but `hash`): compact JSON, keys sorted,
    /// `before`/`after` embedded as the JSON they hold. Written by hand so the bytes never
    /// depend on an encoder's formatting choices (a stored chain must verify forever), and
    /// as bytes, because an apply hashes a million of them. This is the definition;
    /// `AuditSealer` writes the same bytes faster for large writes (tests hold them together).
    public static func canonical(_ entry: AuditEntry) -> String {
        String(decoding: canonicalBytes(entry), as: UTF8.self)
    }

    static func canonicalBytes(_ entry: AuditEntry) -> [UInt8] {
        var out = JSONBytes()
        out.raw("{\"action\":")
        out.string(entry.action)
        out.raw(",\"actor\":")
        out.string(entry.actor)
        out.raw(",\"after\":")
        out.raw(entry.after ?? "null")
        out.raw(",\"before\":")
        out.raw(entry.before ?? "null")
        out.raw(",\"commit\":")
        out.optional(entry.commit)
        out.raw(",\"onBehalfOf\":")
        out.optional(entry.onBehalfOf)
        out.raw(",\"prevHash\":")
        out.string(entry.prevHash)
        out.raw(",\"resourceId\":")
        out.string(entry.resourceID)
        out.raw(",\"resourceType\":")
        out.string(entry.resourceType)
        out.raw(",\"runId\":")
        out.optional(entry.runID)
        out.raw(",\"seq\":")
        out.raw(String(entry.seq))
        out.raw(",\"team\":")
        out.optional(entry.team)
        out.raw(",\"time\":")
        out.string(entry.time)
        out.raw("}")
        return out.bytes
    }

    /// The hash `entry` must carry: lowercase hex SHA-256 of its canonical content.
    public static func hash(_ entry: AuditEntry) -> String {
        hex(SHA256.hash(data: canonicalBytes(entry)))
    }

    /// `entry` with its hash set.
    public static func sealed(_ entry: AuditEntry) -> AuditEntry {
        var sealed = entry
        sealed.hash = hash(entry)
        return sealed
    }

    /// What verifying a chain found.
    public enum Verdict: Sendable, Equatable {
        /// Every link holds; `count` entries, ending at `head`.
        case intact(count: Int, head: AuditHead?)
        /// The first entry that breaks the chain, and why.
        case broken(seq: Int64, reason: String)
    }

    /// Checks `entries` (in stored order): sequence numbers 1, 2, 3… without gaps, each
    /// `prevHash` equal to the previous entry's hash, each hash equal to its content's.
    /// With `expectedHead` (kept outside the database) it also finds entries cut off the end.
    public static func verify(_ entries: some Sequence<AuditEntry>, expectedHead: AuditHead? = nil) -> Verdict {
        var verifier = Verifier(expectedHead: expectedHead)
        for entry in entries {
            if let broken = verifier.check(entry) { return broken }
        }
        return verifier.finish()
    }

    /// `verify` one entry at a time, for logs too large to hold in memory.
    public struct Verifier: Sendable {
        private let expectedHead: AuditHead?
        private var previous = AuditEntry.genesisHash
        private var expectedSeq: Int64 = 1
        private var count = 0
        private var last: AuditHead?
        private var sawExpectedHead: Bool

        public init(expectedHead: AuditHead?) {
            self.expectedHead = expectedHead
            sawExpectedHead = expectedHead == nil
        }

        /// Checks the next entry; the verdict when it breaks the chain.
        public mutating func check(_ entry: AuditEntry) -> Verdict? {
            if entry.seq != expectedSeq {
                return .broken(
                    seq: entry.seq,
                    reason: "expected entry \(expectedSeq) here, found \(entry.seq): entries were deleted or reordered")
            }
            if entry.prevHash != previous {
                return .broken(seq: entry.seq, reason: "its prevHash does not match the hash of entry \(entry.seq - 1)")
            }
            if AuditChain.hash(entry) != entry.hash {
                return .broken(seq: entry.seq, reason: "its content does not match its hash: it was modified")
            }
            if let expectedHead, expectedHead.seq == entry.seq {
                if expectedHead.hash != entry.hash {
                    return .broken(seq: entry.seq, reason: "its hash differs from the head kept outside the database")
                }
                sawExpectedHead = true
            }
            previous = entry.hash
            expectedSeq += 1
            count += 1
            last = AuditHead(seq: entry.seq, hash: entry.hash)
            return nil
        }

        /// The verdict once every entry was checked.
        public func finish() -> Verdict {
            if !sawExpectedHead, let expectedHead {
                return .broken(
                    seq: expectedHead.seq,
                    reason: "the log ends at entry \(last?.seq ?? 0), before the head \(expectedHead): entries were cut off the end")
            }
            return .intact(count: count, head: last)
        }
    }

    /// `text` as a JSON string literal.
    public static func quote(_ text: String) -> String {
        var out = JSONBytes()
        out.string(text)
        return String(decoding: out.bytes, as: UTF8.self)
    }

    package static func hex(_ digest: some Sequence<UInt8>) -> String {
        if let hex = digest.withContiguousStorageIfAvailable({ hex(UnsafeRawBufferPointer($0)) }) { return hex }
        return Array(digest).withUnsafeBytes { hex($0) }
    }

    /// `bytes` in lowercase hex, written straight into the string's storage.
    package static func hex(_ bytes: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: 2 * bytes.count) { buffer in
            JSONBytes.hexDigits.withUnsafeBufferPointer { digits in
                for (index, byte) in bytes.enumerated() {
                    buffer[2 * index] = digits[Int(byte >> 4)]
                    buffer[2 * index + 1] = digits[Int(byte & 0x0F)]
                }
            }
            return 2 * bytes.count
        }
    }
}

/// `SEQ:HASH` of the last audit entry, kept outside the database to detect truncation.
public struct AuditHead: Sendable, Hashable, CustomStringConvertible {
    public var seq: Int64
    public var hash: String

    public init(seq: Int64, hash: String) {
        self.seq = seq
        self.hash = hash
    }

    /// Parses `SEQ:HASH`.
    public init?(_ text: String) {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let seq = Int64(parts[0]), seq > 0, parts[1].count == 64,
            parts[1].allSatisfy({ $0.isHexDigit && !$0.isUppercase })
        else { return nil }
        self.seq = seq
        hash = String(parts[1])
    }

    public var description: String { "\(seq):\(hash)" }
}

extension ChangeValue {
    /// The value as the JSON text audit entries store.
    public var jsonText: String {
        switch self {
        // Literals: an apply writes one of these per invitation, and a literal costs no allocation.
        case .role(.basic): #""basic""#
        case .role(.billing): #""billing""#
        case .role(.dev): #""dev""#
        case .role(.admin): #""admin""#
        case .spendLimit(let limit): limit.jsonNumber
        case .email(let email): AuditChain.quote(email.value)
        case .text(let text): AuditChain.quote(text)
        case .time(let date): AuditChain.quote(Expiry.text(date))
        case .team(let team):
            "{\"displayName\":\(AuditChain.quote(team.displayName)),\"owner\":\(AuditChain.quote(team.owner)),"
                + "\"spendLimit\":\(SpendLimit(dollars: team.spendLimit).jsonNumber)}"
        }
    }
}

extension SpendLimit {
    /// `80`, `120.5`, `10.05`: the shortest exact decimal, as JSON writes numbers.
    public var jsonNumber: String {
        let fraction = cents % 100
        if fraction == 0 { return "\(cents / 100)" }
        if fraction % 10 == 0 { return "\(cents / 100).\(fraction / 10)" }
        return "\(cents / 100)." + (fraction < 10 ? "0\(fraction)" : "\(fraction)")
    }
}

/// A JSON text built as UTF-8 bytes, with strings escaped as `AuditChain` needs: `"` and
/// `\\` escaped, `\n` `\r` `\t` by name, other control characters as `\\u00XX`, all
/// else as it is.
struct JSONBytes {
    var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(512) }

    mutating func raw(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    mutating func optional(_ text: String?) {
        if let text { string(text) } else { raw("null") }
    }

    mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        stringContent(text)
        bytes.append(UInt8(ascii: "\""))
    }

    /// `number` in decimal, as `String(number)` writes it.
    mutating func decimal(_ number: Int64) {
        if number < 0 { bytes.append(UInt8(ascii: "-")) }
        let magnitude = number.magnitude
        var divisor: UInt64 = 1
        while magnitude / divisor >= 10 { divisor *= 10 }
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude / divisor % 10))
            divisor /= 10
        }
    }

    /// `text` escaped for inside a JSON string literal, without the quotes.
    mutating func stringContent(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            if !utf8.contains(where: Self.needsEscape) {
                bytes.append(contentsOf: utf8)
                return
            }
            for byte in utf8 {
                if Self.needsEscape(byte) { bytes += Self.escape(byte) } else { bytes.append(byte) }
            }
        }
    }

    /// Whether `byte` is written escaped inside a JSON string: a quote, a backslash or a control.
    @inline(__always) static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    /// How a byte that `needsEscape` is written.
    static func escape(_ byte: UInt8) -> [UInt8] {
        switch byte {
        case UInt8(ascii: "\""): [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
        case UInt8(ascii: "\\"): [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
        case UInt8(ascii: "\n"): [UInt8(ascii: "\\"), UInt8(ascii: "n")]
        case UInt8(ascii: "\r"): [UInt8(ascii: "\\"), UInt8(ascii: "r")]
        case UInt8(ascii: "\t"): [UInt8(ascii: "\\"), UInt8(ascii: "t")]
        default: Array("\\u00".utf8) + [hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]]
        }
    }

    /// Lowercase hex digits, by value.
    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// The longest a byte of text becomes in a JSON string (`\u00XX`).
    static let longestEscape = 6
}
