public import Foundation
import RosterCore

/// Audit and run times: UTC, RFC 3339 with milliseconds (`2026-11-23T13:45:07.123Z`), which
/// also sort correctly as text.
public enum Timestamp {
    /// `date` as stored: UTC, RFC 3339 with milliseconds.
    public static func string(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = milliseconds / 1000
        let fraction = Int(milliseconds - seconds * 1000)
        var days = seconds / 86_400
        seconds -= days * 86_400
        if seconds < 0 { seconds += 86_400; days -= 1 }
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm): faster and
        // allocation-free compared with a formatter, which matters for a million entries.
        return Expiry.dateAndTime(days: days, seconds: seconds) + "." + Expiry.pad(Int64(fraction), 3) + "Z"
    }

    /// Parses RFC 3339 (any offset, with or without fractional seconds).
    public static func date(_ text: String) -> Date? {
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        return (try? style.parse(text)) ?? (try? Date.ISO8601FormatStyle().parse(text))
    }
}

extension Timestamp {
    /// A `--since`/`--until` bound: RFC 3339 (`T` or `t`, `Z`, `z` or an offset), or
    /// `YYYY-MM-DD` meaning midnight UTC; nil when it is neither, or names a day or time that
    /// does not exist. Read as a member's `expires` is (`Expiry.parse`), not by Foundation's
    /// parser, which refuses a lowercase `t` and takes `2026-02-30` for March 2 and `25:00` for
    /// the next day: an audit filter on a day nobody asked for. Bounds are whole milliseconds,
    /// as stored times are.
    public static func bound(_ text: String) -> Date? {
        // A date alone: `Expiry.parse` gives the end of that day, the bound is its start.
        let date = Expiry.parse(text).map { text.utf8.count == 10 ? $0.addingTimeInterval(-86_400) : $0 }
        return date.map { Date(timeIntervalSince1970: ($0.timeIntervalSince1970 * 1000).rounded(.down) / 1000) }
    }
}
