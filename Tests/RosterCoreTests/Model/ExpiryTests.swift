import Foundation
import Testing

@testable import RosterCore

/// Expiry arithmetic: what `expires` means (a day is the end of that day, UTC; RFC 3339 in
/// any offset), leap days, and how plans and pages word what is left.
@Suite struct ExpiryTests {
    /// Seconds since 1970 for a UTC time, computed independently with Foundation's calendar.
    static func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second))!
    }

    @Test(arguments: [
        // A day ends as the next one starts, in UTC.
        ("2027-01-31", utc(2027, 2, 1)),
        ("2027-12-31", utc(2028, 1, 1)),
        ("1999-12-31", utc(2000, 1, 1)),
        // Leap days: 2028 and 2000 have one, so their 29 February ends on 1 March.
        ("2028-02-29", utc(2028, 3, 1)),
        ("2000-02-29", utc(2000, 3, 1)),
        ("2027-02-28", utc(2027, 3, 1)),
        // RFC 3339 in UTC and in other offsets (the same instant three ways).
        ("2027-01-31T17:00:00Z", utc(2027, 1, 31, 17)),
        ("2027-01-31T18:00:00+01:00", utc(2027, 1, 31, 17)),
        ("2027-01-31T12:30:00-04:30", utc(2027, 1, 31, 17)),
        ("2027-01-31t17:00:00z", utc(2027, 1, 31, 17)),
        // An offset that moves the instant across a day and a leap day.
        ("2028-03-01T00:30:00+01:00", utc(2028, 2, 29, 23, 30)),
        ("2028-02-29T23:30:00-01:00", utc(2028, 3, 1, 0, 30)),
        ("2027-01-31T17:00:00.250Z", utc(2027, 1, 31, 17).addingTimeInterval(0.25)),
    ] as [(String, Date)])
    func parses(text: String, instant: Date) {
        #expect(Expiry.parse(text) == instant, "\(text)")
    }

    @Test(arguments: [
        "2027-02-29",  // not a leap year
        "1900-02-29",  // divisible by 100, not by 400
        "2027-13-01", "2027-00-10", "2027-04-31", "2027-1-31", "27-01-31", "2027/01/31", "31.01.2027",
        "2027-01-31T17:00:00",  // no offset: ambiguous
        "2027-01-31T24:00:00Z", "2027-01-31T17:60:00Z", "2027-01-31T17:00:60Z", "2027-01-31T17:00Z",
        "2027-01-31T17:00:00+0100", "2027-01-31T17:00:00.Z", "2027-01-31 17:00:00Z", "2027-01-31T17:00:00Zjunk",
        "tomorrow", "", "2027-01-31 ",
    ])
    func refuses(text: String) {
        #expect(Expiry.parse(text) == nil, "\(text)")
    }

    @Test func theExpiryInstantItselfHasPassed() {
        let end = Expiry.parse("2027-01-31")!
        #expect(!Expiry.hasPassed(end, at: end.addingTimeInterval(-0.001)))
        #expect(Expiry.hasPassed(end, at: end))
        #expect(!Expiry.hasPassed(nil, at: .distantFuture))
        // The last second of the day still has access.
        #expect(!Expiry.hasPassed(end, at: Self.utc(2027, 1, 31, 23, 59, 59)))
    }

    @Test(arguments: [
        (3 * 86_400 + 5, "expires in 3 days"), (86_400, "expires in 1 day"), (86_399, "expires in 23 hours"),
        (3600, "expires in 1 hour"), (125, "expires in 2 minutes"), (59, "expires in less than a minute"),
        (0, "expired"), (-10, "expired"),
    ] as [(Double, String)])
    func phrases(secondsLeft: Double, phrase: String) {
        let now = Self.utc(2027, 1, 15, 12)
        #expect(Expiry.phrase(now.addingTimeInterval(secondsLeft), now: now) == phrase)
    }

    @Test(arguments: [
        utc(2027, 2, 1), utc(2028, 2, 29, 23, 59, 59), utc(1970, 1, 1), utc(1969, 12, 31, 23), utc(2400, 2, 29, 6, 7, 8),
    ])
    func textRoundTrips(instant: Date) {
        let text = Expiry.text(instant)
        #expect(text.hasSuffix("Z"))
        #expect(Expiry.parse(text) == instant, "\(text)")
    }

    @Test func textIsUTC() {
        #expect(Expiry.text(Expiry.parse("2027-01-31T18:00:00+01:00")!) == "2027-01-31T17:00:00Z")
        #expect(Expiry.text(Expiry.parse("2028-02-29")!) == "2028-03-01T00:00:00Z")
    }
}
