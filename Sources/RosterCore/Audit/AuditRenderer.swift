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
        func string(_ value: String?) -> String { value.map(AuditChain.quote) ?? "null" }
        var out = ""
        for (index, entry) in entries.enumerated() {
            out += index == 0 && first ? "\n  {" : ",\n  {"
            out += "\"seq\": \(entry.seq), \"time\": \(string(entry.time)), \"actor\": \(string(entry.actor)), "
            out += "\"onBehalfOf\": \(string(entry.onBehalfOf)), \"action\": \(string(entry.action)), "
            out += "\"resourceType\": \(string(entry.resourceType)), \"resourceId\": \(string(entry.resourceID)), "
            out += "\"team\": \(string(entry.team)), \"before\": \(entry.before ?? "null"), \"after\": \(entry.after ?? "null"), "
            out += "\"commit\": \(string(entry.commit)), \"runId\": \(string(entry.runID)), "
            out += "\"prevHash\": \(string(entry.prevHash)), \"hash\": \(string(entry.hash))}"
        }
        return out
    }

    /// The end of `json`'s array, `empty` when no element was written.
    public static func jsonEnd(empty: Bool) -> String { empty ? "]\n" : "\n]\n" }

    /// A JSON string without its quotes (`"dev"` → `dev`); other JSON as it is.
    static func plain(_ json: String) -> String {
        guard json.count >= 2, json.first == "\"", json.last == "\"", !json.contains("\\") else { return json }
        return String(json.dropFirst().dropLast())
    }

    /// RFC 4180 CSV with a header row; `before`/`after` strings without their JSON quotes.
    public static func csv(_ entries: [AuditEntry]) -> String { csvHeader + csvRows(entries) }

    /// `csv`'s header row.
    public static let csvHeader = "seq,time,actor,onBehalfOf,action,resourceType,resourceId,team,before,after,commit,runId,prevHash,hash\r\n"

    /// `entries` as `csv`'s rows, for a log written a page at a time after `csvHeader`.
    public static func csvRows(_ entries: [AuditEntry]) -> String {
        func field(_ value: String?) -> String {
            guard let value else { return "" }
            guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
            return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        var out = ""
        for entry in entries {
            let fields = [
                String(entry.seq), entry.time, entry.actor, entry.onBehalfOf, entry.action, entry.resourceType,
                entry.resourceID, entry.team, entry.before.map(plain), entry.after.map(plain), entry.commit, entry.runID, entry.prevHash, entry.hash,
            ]
            out += fields.map(field).joined(separator: ",") + "\r\n"
        }
        return out
    }
}
