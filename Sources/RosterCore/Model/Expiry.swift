public import Foundation

/// When temporary access ends: a member's `expires` (SPEC: a date means the end of that day,
/// UTC; or an RFC 3339 time), and the words plans and pages use for it ("expires in 3 days").
///
/// Parsed by hand rather than with a formatter so that what is accepted is exactly what the
/// README says (a calendar date or RFC 3339, nothing lenient), the same on every platform,
/// and so a day that does not exist (2027-02-29) is an error, not the next day.
public enum Expiry {
    /// The instant `text` means, or nil when it is neither `YYYY-MM-DD` nor RFC 3339
    /// (`2027-01-31T17:30:00Z`, `2027-01-31T17:30:00.5+01:00`). A date means the end of that
    /// day in UTC: the first instant of the next day, from which the access has ended.
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for index in range {
                let byte = bytes[index]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        func byte(_ index: Int, is expected: Character...) -> Bool {
            index < bytes.count && expected.contains(Character(Unicode.Scalar(bytes[index])))
        }
        guard bytes.count >= 10, let year = number(0..<4), byte(4, is: "-"), let month = number(5..<7), byte(7, is: "-"),
            let day = number(8..<10), (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day)
        else { return nil }
        let midnight = Double(daysSince1970(year: year, month: month, day: day)) * 86_400
        if bytes.count == 10 { return Date(timeIntervalSince1970: midnight + 86_400) }

        // RFC 3339 section 5.6: date-time = full-date "T" partial-time time-offset.
        guard byte(10, is: "T", "t"), let hour = number(11..<13), byte(13, is: ":"), let minute = number(14..<16),
            byte(16, is: ":"), let second = number(17..<19), hour < 24, minute < 60, second < 60
        else { return nil }
        var index = 19
        var fraction = 0.0
        if byte(index, is: ".") {
            index += 1
            var scale = 0.1
            let start = index
            while let digit = number(index..<(index + 1)) {
                fraction += Double(digit) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        var offset = 0
        if byte(index, is: "Z", "z") {
            index += 1
        } else if byte(index, is: "+", "-") {
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            guard let hours = number((index + 1)..<(index + 3)), byte(index + 3, is: ":"),
                let minutes = number((index + 4)..<(index + 6)), hours < 24, minutes < 60
            else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
            index += 6
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }
        let local = midnight + Double(hour * 3600 + minute * 60 + second) + fraction
        return Date(timeIntervalSince1970: local - Double(offset))
    }

    /// Whether access that ends at `expires` has ended at `now` (the expiry instant itself
    /// is already past: a date's access ends as the next day starts).
    public static func hasPassed(_ expires: Date?, at now: Date) -> Bool {
        guard let expires else { return false }
        return expires <= now
    }

    /// `expires in 3 days`, `expires in 5 hours`, `expires in 12 minutes`, `expired`: how
    /// long is left at `now`, rounded down, in the largest unit that is at least one.
    public static func phrase(_ expires: Date, now: Date) -> String {
        let left = expires.timeIntervalSince(now)
        guard left > 0 else { return "expired" }
        let (days, hours, minutes) = (Int(left / 86_400), Int(left / 3600), Int(left / 60))
        func count(_ n: Int, _ unit: String) -> String { "expires in \(n) \(unit)\(n == 1 ? "" : "s")" }
        if days >= 1 { return count(days, "day") }
        if hours >= 1 { return count(hours, "hour") }
        if minutes >= 1 { return count(minutes, "minute") }
        return "expires in less than a minute"
    }

    /// `2027-02-01T00:00:00Z`: an expiry as plans, pages and the API write it (UTC, whole
    /// seconds when it has no fraction).
    public static func text(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970
        var seconds = Int64(interval.rounded(.down))
        let fraction = interval - Double(seconds)
        var days = seconds / 86_400
        seconds -= days * 86_400
        if seconds < 0 { seconds += 86_400; days -= 1 }
        var out = dateAndTime(days: days, seconds: seconds)
        let milliseconds = Int64((fraction * 1000).rounded(.down))
        if milliseconds > 0 { out += "." + pad(milliseconds, 3) }
        return out + "Z"
    }

    /// The seconds `text` names: a whole number above zero and a unit, `s`, `m`, `h`, `d`
    /// (24 hours) or `w` (7 days): `14d`, `36h`. Nil for anything else.
    public static func duration(_ text: String) -> TimeInterval? {
        let units: [Character: TimeInterval] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800]
        guard let unit = text.last.flatMap({ units[$0] }), text.count > 1, text.first != "0",
            text.dropLast().allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(text.dropLast()), value > 0,
            value <= 100_000
        else { return nil }
        return TimeInterval(value) * unit
    }

    /// `3d`, `5h`, `12m`, `40s`: a duration as `duration` reads it, in its largest whole unit
    /// (an invitation's age).
    public static func shortDuration(_ seconds: TimeInterval) -> String {
        let whole = max(0, Int(seconds))
        if whole >= 86_400 { return "\(whole / 86_400)d" }
        if whole >= 3600 { return "\(whole / 3600)h" }
        if whole >= 60 { return "\(whole / 60)m" }
        return "\(whole)s"
    }

    // MARK: Calendar arithmetic (proleptic Gregorian, Howard Hinnant's algorithms)

    /// `2027-02-01T00:00:00`: the day `days` after 1970-01-01 and `seconds` into it (0..<86,400).
    package static func dateAndTime(days: Int64, seconds: Int64) -> String {
        let (year, month, day) = civil(daysSince1970: days)
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(seconds / 3600, 2)):\(pad(seconds % 3600 / 60, 2)):"
            + pad(seconds % 60, 2)
    }

    /// `value` in decimal, zero-padded to `width` digits.
    package static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    static func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to the given date.
    static func daysSince1970(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date `days` after 1970-01-01.
    static func civil(daysSince1970 days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
