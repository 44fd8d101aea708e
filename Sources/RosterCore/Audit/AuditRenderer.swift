import Foundation

/// Prints audit entries as text, JSON or CSV.
public enum AuditRenderer {
    /// One line per entry: `#seq time actor action resource before → after`, then where it
    /// came from; control characters (from a commit author, an actor) escaped.
    public static func text(_ entries: [AuditEntry]) -> String {
        var out = ""
        for entry in entries {
            var line = "#\(entry.seq) \(entry.time) \(entry.actor) \(entry.action) \(entry.resourceID)"
            if entry.before != nil || entry.after != nil {
                line += ": \(entry.before.map(plain) ?? "none") → \(entry.after.map(plain) ?? "none")"
            }
            var origin: [String] = []
            if let commit = entry.commit { origin.append("commit \(commit.prefix(12))") }
            if let author = entry.onBehalfOf { origin.append("on behalf of \(author)") }
            if !origin.isEmpty { line += " (" + origin.joined(separator: ", ") + ")" }
            out += line.printable + "\n"
        }
        return out
    }

    /// An array of entries with SPEC's keys; `before`/`after` are embedded as JSON values.
    public static func json(_ entries: [AuditEntry]) -> String {
        "[" + jsonElements(entries, first: true) + jsonEnd(empty: entries.isEmpty)
    }

    /// `entries` as elements of `json`'s array, for a log written a page at a time: `[`, each
    /// page's elements (`first` for the first page), then `jsonEnd`.
    public static func jsonElements(_ entries: [AuditEntry], first: Bool) -> String {
        // One buffer for the page: a string made for each of a million entries' fourteen
        // fields was most of writing the whole log as JSON.
        var out = JSONBytes()
        out.bytes.reserveCapacity(entries.count * 600)
        for (index, entry) in entries.enumerated() {
            out.raw(index == 0 && first ? "\n  {" : ",\n  {")
            out.raw("\"seq\": "); out.decimal(entry.seq)
            out.raw(", \"time\": "); out.string(entry.time)
            out.raw(", \"actor\": "); out.string(entry.actor)
            out.raw(", \"onBehalfOf\": "); out.optional(entry.onBehalfOf)
            out.raw(", \"action\": "); out.string(entry.action)
            out.raw(", \"resourceType\": "); out.string(entry.resourceType)
            out.raw(", \"resourceId\": "); out.string(entry.resourceID)
            out.raw(", \"team\": "); out.optional(entry.team)
            out.raw(", \"before\": "); out.raw(entry.before ?? "null")
            out.raw(", \"after\": "); out.raw(entry.after ?? "null")
            out.raw(", \"commit\": "); out.optional(entry.commit)
            out.raw(", \"runId\": "); out.optional(entry.runID)
            out.raw(", \"prevHash\": "); out.string(entry.prevHash)
            out.raw(", \"hash\": "); out.string(entry.hash)
            out.raw("}")
        }
        return String(decoding: out.bytes, as: UTF8.self)
    }

    /// The end of `json`'s array, `empty` when no element was written.
    public static func jsonEnd(empty: Bool) -> String { empty ? "]\n" : "\n]\n" }

    /// A JSON string without its quotes (`"dev"` → `dev`); other JSON as it is.
    static func plain(_ json: String) -> String {
        let utf8 = json.utf8
        guard utf8.count >= 2, utf8.first == UInt8(ascii: "\""), utf8.last == UInt8(ascii: "\""),
            !utf8.contains(UInt8(ascii: "\\"))
        else { return json }
        return String(decoding: utf8.dropFirst().dropLast(), as: UTF8.self)
    }

    /// RFC 4180 CSV with a header row; `before`/`after` strings without their JSON quotes.
    public static func csv(_ entries: [AuditEntry]) -> String { csvHeader + csvRows(entries) }

    /// `csv`'s header row.
    public static let csvHeader = "seq,time,actor,onBehalfOf,action,resourceType,resourceId,team,before,after,commit,runId,prevHash,hash\r\n"

    /// `entries` as `csv`'s rows, for a log written a page at a time after `csvHeader`.
    public static func csvRows(_ entries: [AuditEntry]) -> String {
        // Into one buffer, byte by byte, as `jsonElements` writes its page.
        var out: [UInt8] = []
        out.reserveCapacity(entries.count * 400)
        func field(_ value: String?, last: Bool = false) {
            if var value {
                value.withUTF8 { bytes in
                    let special = bytes.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
                    guard special else { return out.append(contentsOf: bytes) }
                    out.append(UInt8(ascii: "\""))
                    for byte in bytes {
                        if byte == UInt8(ascii: "\"") { out.append(byte) }
                        out.append(byte)
                    }
                    out.append(UInt8(ascii: "\""))
                }
            }
            if last { out += [0x0D, 0x0A] } else { out.append(UInt8(ascii: ",")) }
        }
        for entry in entries {
            field(String(entry.seq))
            field(entry.time)
            field(entry.actor)
            field(entry.onBehalfOf)
            field(entry.action)
            field(entry.resourceType)
            field(entry.resourceID)
            field(entry.team)
            field(entry.before.map(plain))
            field(entry.after.map(plain))
            field(entry.commit)
            field(entry.runID)
            field(entry.prevHash)
            field(entry.hash, last: true)
        }
        return String(decoding: out, as: UTF8.self)
    }
}
