import Crypto

/// Hashes the entries of one write in order, for writers that append them by the million
/// (an apply to an empty store writes one per membership).
///
/// The result is exactly `AuditChain.hash` of the same entries (`AuditChain.canonicalBytes`
/// is the reference definition of the content; tests hold the two together). It is faster
/// because the fields every entry of a write shares (time, actor, on-behalf-of, commit, run)
/// are encoded once, the canonical bytes are built in one reused buffer, the predecessor's
/// hash is kept as hex bytes, and nothing becomes a `String`.
package struct AuditSealer: Sendable {
    /// The last sealed entry's sequence number (the head's before the first).
    package private(set) var seq: Int64
    /// The last sealed entry's hash (the head's, or 32 zero bytes for the genesis).
    package private(set) var digest: [UInt8]

    private var previousHex: [UInt8]
    private var out = JSONBytes()
    // Key order is the canonical one (sorted); the shared fields fall between per-entry ones.
    private let actorThenAfterKey: [UInt8]
    private let commitToPrevHash: [UInt8]
    private let runIDThenSeqKey: [UInt8]
    private let timeAndEnd: [UInt8]

    /// A sealer for entries following `head` (nil: the log is empty), all with these shared fields.
    package init(
        after head: AuditHead?, time: String, actor: String, onBehalfOf: String?, commit: String?, runID: String?
    ) {
        seq = head?.seq ?? 0
        previousHex = Array((head?.hash ?? AuditEntry.genesisHash).utf8)
        digest = AuditSealer.bytes(hex: previousHex)
        func encoded(_ build: (inout JSONBytes) -> Void) -> [UInt8] {
            var part = JSONBytes()
            build(&part)
            return part.bytes
        }
        actorThenAfterKey = encoded { $0.raw(",\"actor\":"); $0.string(actor); $0.raw(",\"after\":") }
        commitToPrevHash = encoded {
            $0.raw(",\"commit\":"); $0.optional(commit)
            $0.raw(",\"onBehalfOf\":"); $0.optional(onBehalfOf)
            $0.raw(",\"prevHash\":\"")
        }
        runIDThenSeqKey = encoded { $0.raw(",\"runId\":"); $0.optional(runID); $0.raw(",\"seq\":") }
        timeAndEnd = encoded { $0.raw(",\"time\":"); $0.string(time); $0.raw("}") }
    }

    /// Seals the next entry: its sequence number is `seq + 1`, its resource id `team/subject`
    /// (or `resourceTeam` alone when `subject` is nil). Updates `seq` and `digest`.
    package mutating func seal(
        action: String, resourceType: String, resourceTeam: String, subject: String?, team: String?, before: String?,
        after: String?
    ) {
        seq += 1
        out.bytes.removeAll(keepingCapacity: true)
        out.raw("{\"action\":")
        out.string(action)
        out.bytes.append(contentsOf: actorThenAfterKey)
        out.raw(after ?? "null")
        out.raw(",\"before\":")
        out.raw(before ?? "null")
        out.bytes.append(contentsOf: commitToPrevHash)
        out.bytes.append(contentsOf: previousHex)
        out.raw("\",\"resourceId\":\"")
        out.stringContent(resourceTeam)
        if let subject {
            out.bytes.append(UInt8(ascii: "/"))
            out.stringContent(subject)
        }
        out.raw("\",\"resourceType\":")
        out.string(resourceType)
        out.bytes.append(contentsOf: runIDThenSeqKey)
        out.decimal(seq)
        out.raw(",\"team\":")
        out.optional(team)
        out.bytes.append(contentsOf: timeAndEnd)

        var hasher = SHA256()
        out.bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        let hash = hasher.finalize()
        hash.withUnsafeBytes { hashBytes in
            for index in 0..<32 {
                let byte = hashBytes[index]
                digest[index] = byte
                previousHex[2 * index] = AuditSealer.hexDigits[Int(byte >> 4)]
                previousHex[2 * index + 1] = AuditSealer.hexDigits[Int(byte & 0x0F)]
            }
        }
    }

    /// The head after the last sealed entry (nil when nothing was sealed after an empty log).
    package var head: AuditHead? {
        seq == 0 ? nil : AuditHead(seq: seq, hash: String(decoding: previousHex, as: UTF8.self))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// The bytes of a lowercase hex string (zeros where it is not hex).
    static func bytes(hex: [UInt8]) -> [UInt8] {
        func value(_ digit: UInt8) -> UInt8 {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
            default: 0
            }
        }
        return (0..<hex.count / 2).map { value(hex[2 * $0]) << 4 | value(hex[2 * $0 + 1]) }
    }
}
