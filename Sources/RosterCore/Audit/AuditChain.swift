import Crypto

/// The audit log's tamper evidence: each entry's hash is SHA-256 over its canonical
/// content, which includes its predecessor's hash.
public enum AuditChain {
    /// The canonical content of `entry` (every field but `hash`): compact JSON, keys sorted,
    /// `before`/`after` embedded as the JSON they hold. Written by hand so the bytes never
    /// depend on an encoder's formatting choices; a stored chain must verify forever.
    public static func canonical(_ entry: AuditEntry) -> String {
        var out = "{"
        func field(_ key: String, _ raw: String, first: Bool = false) {
            if !first { out += "," }
            out += "\"\(key)\":" + raw
        }
        field("action", quote(entry.action), first: true)
        field("actor", quote(entry.actor))
        field("after", entry.after ?? "null")
        field("before", entry.before ?? "null")
        field("commit", entry.commit.map(quote) ?? "null")
        field("onBehalfOf", entry.onBehalfOf.map(quote) ?? "null")
        field("prevHash", quote(entry.prevHash))
        field("resourceId", quote(entry.resourceID))
        field("resourceType", quote(entry.resourceType))
        field("runId", entry.runID.map(quote) ?? "null")
        field("seq", String(entry.seq))
        field("team", entry.team.map(quote) ?? "null")
        field("time", quote(entry.time))
        return out + "}"
    }

    /// The hash `entry` must carry: lowercase hex SHA-256 of its canonical content.
    public static func hash(_ entry: AuditEntry) -> String {
        hex(SHA256.hash(data: Array(canonical(entry).utf8)))
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
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        for byte in digest {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: bytes, as: UTF8.self)
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
        case .role(let role): AuditChain.quote(role.rawValue)
        case .spendLimit(let limit): limit.jsonNumber
        case .email(let email): AuditChain.quote(email.value)
        case .text(let text): AuditChain.quote(text)
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
