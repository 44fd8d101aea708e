import Foundation
import RosterTestSupport
import RosterCore
import RosterStoreTestSupport
import Testing

@testable import RosterSQLite
@testable import RosterStore

@Suite("Audit log: time bounds")
struct TimestampBoundTests {
    @Test("A bound is RFC 3339 or a date at midnight UTC, in whole milliseconds; what does not exist is nil")
    func bounds() {
        let stored = "2026-11-18T11:07:40.500Z"
        #expect(Timestamp.bound(stored) == Timestamp.date(stored))
        #expect(Timestamp.bound("2026-11-18t11:07:40.500z") == Timestamp.date(stored))
        #expect(Timestamp.bound("2026-11-18T12:37:40.5009+01:30") == Timestamp.date(stored))
        #expect(Timestamp.bound("2026-11-18") == Timestamp.date("2026-11-18T00:00:00.000Z"))
        #expect(Timestamp.bound("2028-02-29") == Timestamp.date("2028-02-29T00:00:00Z"))
        // Every millisecond comes back as written (no float error rounding one down).
        for millisecond in 0..<1000 {
            let text = "2026-11-18T11:07:40." + String(1000 + millisecond).dropFirst() + "Z"
            #expect(Timestamp.bound(text).map(Timestamp.string) == text)
            #expect(Timestamp.bound(text.lowercased()).map(Timestamp.string) == text)
        }
        for impossible in [
            "2026-02-29", "2026-02-30", "2026-04-31", "2026-13-01", "2026-00-10", "2026-11-18T24:00:00Z",
            "2026-11-18T23:60:00Z", "2026-11-18T23:59:60Z", "2026-11-18T10:00:00", "2026-11-18 10:00:00Z",
            "2026-11-18T10:00:00+25:00", "2026-11-18T10:00:00.Z", "20261118", "2026-11-18Z", "",
        ] {
            #expect(Timestamp.bound(impossible) == nil, "\(impossible)")
        }
    }
}

@Suite("Audit log: queries")
struct AuditQueryTests {
    static let t0 = fixedDate
    static let t1 = fixedDate.addingTimeInterval(60)
    static let t2 = fixedDate.addingTimeInterval(120)

    /// seq 1-3 at 11:06:40.500 by roster for dev@example.com: team.create a, invite.create a/bob, a/carol;
    /// seq 4-5 at 11:07:40.500 by roster for Other@Example.com: team.create b, invite.create b/bob;
    /// seq 6 at 11:08:40.500 by bob: invite.accept a/bob.
    static func populate(_ fixture: StoreFixture) async throws {
        try await fixture.converge([team("a", members: [("bob@example.com", .dev), ("carol@example.com", .basic)])], at: t0)
        let plan = try await fixture.plan([
            team("a", members: [("bob@example.com", .dev), ("carol@example.com", .basic)]),
            team("b", owner: "carol@example.com", members: [("bob@example.com", .billing)]),
        ])
        _ = try await fixture.store.apply(
            plan, context: ApplyContext(actor: "roster", onBehalfOf: "Other@Example.com", now: { Self.t1 }))
        try await fixture.accept("bob@example.com", in: "a", at: t2)
    }

    static let cases: [(AuditQuery, [Int64])] = [
        (AuditQuery(), [1, 2, 3, 4, 5, 6]),
        (AuditQuery(since: Timestamp.bound("2026-11-18T11:07:40.500Z")), [4, 5, 6]),
        (AuditQuery(since: Timestamp.bound("2026-11-18T11:07:40.501Z")), [6]),
        (AuditQuery(until: Timestamp.bound("2026-11-18T11:07:40.500Z")), [1, 2, 3]),
        (AuditQuery(until: Timestamp.bound("2026-11-18T11:07:40.501Z")), [1, 2, 3, 4, 5]),
        (AuditQuery(since: Timestamp.bound("2026-11-18T11:06:40.500Z"), until: Timestamp.bound("2026-11-18T11:08:40.500Z")), [1, 2, 3, 4, 5]),
        (AuditQuery(since: Timestamp.bound("2026-11-18"), until: Timestamp.bound("2026-11-19")), [1, 2, 3, 4, 5, 6]),
        (AuditQuery(since: Timestamp.bound("2026-11-19")), []),
        // Bounds as users write them, normalised the way the command line does.
        (AuditQuery(since: Timestamp.bound("2026-11-18T11:07:40Z")), [4, 5, 6]),
        (AuditQuery(until: Timestamp.bound("2026-11-18T11:07:40Z")), [1, 2, 3]),
        (AuditQuery(since: Timestamp.bound("2026-11-18T12:07:41+01:00")), [6]),
        (AuditQuery(since: Timestamp.bound("2026-11-18"), until: Timestamp.bound("2026-11-19")), [1, 2, 3, 4, 5, 6]),
        (AuditQuery(until: Timestamp.bound("2026-11-18")), []),
        (AuditQuery(user: "DEV@example.com"), [1, 2, 3]),
        (AuditQuery(user: "other@example.com"), [4, 5]),
        (AuditQuery(user: "Bob@Example.com"), [6]),
        (AuditQuery(user: "ROSTER"), [1, 2, 3, 4, 5]),
        (AuditQuery(user: "nobody@example.com"), []),
        (AuditQuery(resourceType: "team"), [1, 4]),
        (AuditQuery(resourceType: "invite"), [2, 3, 5, 6]),
        (AuditQuery(resourceType: "member"), []),
        // Forward pages: the oldest `limit` after `after`.
        (AuditQuery(limit: 2, after: 2), [3, 4]),
        (AuditQuery(limit: 10, after: 4), [5, 6]),
        (AuditQuery(after: 3), [4, 5, 6]),
        (AuditQuery(resourceType: "invite", limit: 2, after: 2), [3, 5]),
        (AuditQuery(limit: 2, after: 6), []),
        (AuditQuery(resourceID: "a/bob@example.com"), [2, 6]),
        (AuditQuery(resourceID: "b"), [4]),
        (AuditQuery(action: "invite.create"), [2, 3, 5]),
        (AuditQuery(action: "invite.accept"), [6]),
        (AuditQuery(team: "a"), [1, 2, 3, 6]),
        (AuditQuery(team: "b"), [4, 5]),
        (AuditQuery(limit: 2), [5, 6]),
        // Paging back: the newest two before seq 5, then before 3.
        (AuditQuery(limit: 2, before: 5), [3, 4]),
        (AuditQuery(limit: 2, before: 3), [1, 2]),
        (AuditQuery(team: "a", limit: 2, before: 6), [2, 3]),
        (AuditQuery(limit: 10), [1, 2, 3, 4, 5, 6]),
        (AuditQuery(limit: 0), []),
        (AuditQuery(team: "a", limit: 2), [3, 6]),
        (AuditQuery(teams: ["b"]), [4, 5]),
        (AuditQuery(teams: ["a", "b"], limit: 3), [4, 5, 6]),
        (AuditQuery(teams: []), []),
        (AuditQuery(team: "a", teams: ["b"]), []),
        (AuditQuery(user: "dev@example.com", action: "invite.create", limit: 1), [3]),
        (AuditQuery(since: Timestamp.bound("2026-11-18T11:07:00.000Z"), resourceType: "invite", team: "b"), [5]),
    ]

    @Test(arguments: StoreBackend.allCases, 0..<cases.count)
    func query(_ backend: StoreBackend, _ index: Int) async throws {
        let (query, expected) = Self.cases[index]
        try await StoreFixture.with(backend) { fixture in
            try await Self.populate(fixture)
            let entries = try await fixture.store.auditEntries(matching: query)
            #expect(entries.map(\.seq) == expected, "\(query)")
        }
    }

    @Test("the populated log is what the query table assumes", arguments: StoreBackend.allCases)
    func populated(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            try await Self.populate(fixture)
            let entries = try await fixture.audit()
            #expect(
                entries.map(\.action) == [
                    "team.create", "invite.create", "invite.create", "team.create", "invite.create", "invite.accept",
                ])
            #expect(entries.map(\.time) == [
                "2026-11-18T11:06:40.500Z", "2026-11-18T11:06:40.500Z", "2026-11-18T11:06:40.500Z",
                "2026-11-18T11:07:40.500Z", "2026-11-18T11:07:40.500Z", "2026-11-18T11:08:40.500Z",
            ])
            #expect(
                entries.map(\.onBehalfOf) == [
                    "dev@example.com", "dev@example.com", "dev@example.com", "Other@Example.com", "Other@Example.com", nil,
                ])
        }
    }
}
