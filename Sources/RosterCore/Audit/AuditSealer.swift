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
    /// Where each entry's canonical bytes are written (see `seal`).
    private var scratch = [UInt8](repeating: 0, count: 1024)
    /// The bytes of the shared parts, and of the predecessor's hash.
    private let sharedLength: Int
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
        sharedLength = actorThenAfterKey.count + commitToPrevHash.count + runIDThenSeqKey.count + timeAndEnd.count
            + previousHex.count
    }

    /// Seals the next entry: its sequence number is `seq + 1`, its resource id `team/subject`
    /// (or `resourceTeam` alone when `subject` is nil). Updates `seq` and `digest`.
    package mutating func seal(
        action: String, resourceType: String, resourceTeam: String, subject: String?, team: String?, before: String?,
        after: String?
    ) {
        seq += 1
        // The entry is written through a pointer into `scratch`, made long enough first for
        // every text escaped at its longest: a million entries made by appending to an array
        // checked its storage for each of some thirty parts (a third of the sealing thread).
        let texts = action.utf8.count + resourceType.utf8.count + resourceTeam.utf8.count + (subject?.utf8.count ?? 0)
            + (team?.utf8.count ?? 0)
        let bound =
            sharedLength + JSONBytes.longestEscape * texts + (before?.utf8.count ?? 4) + (after?.utf8.count ?? 4) + 160
        if scratch.count < bound { scratch = [UInt8](repeating: 0, count: max(bound, 2 * scratch.count)) }
        let seq = seq
        let length = scratch.withUnsafeMutableBufferPointer { scratch in
            var out = ByteWriter(scratch.baseAddress!)
            out.put("{\"action\":\"")
            out.escaped(action)
            out.put("\"")
            out.put(actorThenAfterKey)
            if let after { out.put(text: after) } else { out.put("null") }
            out.put(",\"before\":")
            if let before { out.put(text: before) } else { out.put("null") }
            out.put(commitToPrevHash)
            out.put(previousHex)
            out.put("\",\"resourceId\":\"")
            out.escaped(resourceTeam)
            if let subject {
                out.put("/")
                out.escaped(subject)
            }
            out.put("\",\"resourceType\":\"")
            out.escaped(resourceType)
            out.put("\"")
            out.put(runIDThenSeqKey)
            out.decimal(seq)
            out.put(",\"team\":")
            if let team {
                out.put("\"")
                out.escaped(team)
                out.put("\"")
            } else {
                out.put("null")
            }
            out.put(timeAndEnd)
            return out.count
        }

        var hasher = SHA256()
        scratch.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[..<length])) }
        let hash = hasher.finalize()
        let digits = JSONBytes.hexDigits
        hash.withUnsafeBytes { hashBytes in
            digest.withUnsafeMutableBufferPointer { digest in
                previousHex.withUnsafeMutableBufferPointer { previousHex in
                    for index in 0..<32 {
                        let byte = hashBytes[index]
                        digest[index] = byte
                        previousHex[2 * index] = digits[Int(byte >> 4)]
                        previousHex[2 * index + 1] = digits[Int(byte & 0x0F)]
                    }
                }
            }
        }
    }

    /// The head after the last sealed entry (nil when nothing was sealed after an empty log).
    package var head: AuditHead? {
        seq == 0 ? nil : AuditHead(seq: seq, hash: String(decoding: previousHex, as: UTF8.self))
    }

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

/// Writes bytes through a pointer, for `AuditSealer`, which first makes room for the longest
/// entry it can write: nothing here checks or grows the storage.
private struct ByteWriter {
    let base: UnsafeMutablePointer<UInt8>
    var count = 0

    init(_ base: UnsafeMutablePointer<UInt8>) { self.base = base }

    mutating func put(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    mutating func put(_ bytes: [UInt8]) { bytes.withUnsafeBufferPointer { put($0) } }

    mutating func put(_ text: StaticString) { text.withUTF8Buffer { put($0) } }

    mutating func put(text: String) {
        if text.utf8.withContiguousStorageIfAvailable({ put($0) }) == nil { put(Array(text.utf8)) }
    }

    /// `text` as inside a JSON string literal (`JSONBytes.stringContent`).
    mutating func escaped(_ text: String) {
        if text.utf8.withContiguousStorageIfAvailable({ escaped($0) }) == nil {
            Array(text.utf8).withUnsafeBufferPointer { escaped($0) }
        }
    }

    mutating func escaped(_ bytes: UnsafeBufferPointer<UInt8>) {
        for byte in bytes {
            if JSONBytes.needsEscape(byte) {
                put(JSONBytes.escape(byte))
            } else {
                base[count] = byte
                count += 1
            }
        }
    }

    /// `number` (not negative) in decimal.
    mutating func decimal(_ number: Int64) {
        let magnitude = number.magnitude
        var divisor: UInt64 = 1
        while magnitude / divisor >= 10 { divisor *= 10 }
        while divisor > 0 {
            base[count] = UInt8(ascii: "0") + UInt8(magnitude / divisor % 10)
            count += 1
            divisor /= 10
        }
    }
}
