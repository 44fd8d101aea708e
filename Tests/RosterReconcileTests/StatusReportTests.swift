import Foundation
import RosterCore
import RosterReconcile
import RosterStore
import Testing

@Suite("Status report: JSON")
struct StatusReportTests {
    static let now = Date(timeIntervalSince1970: 1_795_000_000.5)

    static func invitation(_ id: Int64, _ team: String, _ email: String, by inviter: String, expires: Date? = nil) -> Invitation {
        Invitation(
            id: id, team: team, email: Email(email)!, role: id % 2 == 0 ? .dev : .billing, status: .pending, createdBy: inviter,
            createdAt: now.addingTimeInterval(-Double(id) * 3_600.25), nonce: "n\(id)", expiresAt: expires)
    }

    static let invitations = [
        invitation(1, "ml", "bob@example.com", by: "roster"),
        // An identity with what JSON escapes, a slash it need not, and a letter beyond ASCII.
        invitation(2, "ml", "carol@example.com", by: "ci \"bot\" \\ a/b ü"),
        invitation(3, "ops", "dan@example.com", by: "alice@example.com", expires: now.addingTimeInterval(86_400)),
        invitation(4, "ops", "erin@example.com", by: "alice@example.com", expires: now.addingTimeInterval(-60)),
    ]

    @Test("Written a page at a time, the report is the same document as JSONEncoder writes whole", arguments: [0, 1, 2, 4])
    func streamedIsWhole(firstPage: Int) throws {
        let whole = try StatusReport(runs: [], pending: Self.invitations, drift: nil, now: Self.now).json()
        var writer = try StatusReport(runs: [], pending: [], drift: nil, now: Self.now).streamingJSON()
        var streamed = writer.start()
        for page in [Array(Self.invitations.prefix(firstPage)), Array(Self.invitations.dropFirst(firstPage)), []] {
            streamed += try writer.add(page)
        }
        streamed += writer.end()
        #expect(streamed == whole)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(streamed.utf8)) as? [String: Any])
        let pending = try #require(parsed["pendingInvitations"] as? [[String: Any]])
        #expect(pending.map { $0["createdBy"] as? String } == Self.invitations.map(\.createdBy))
        #expect(pending.map { $0["expired"] as? Bool } == [false, false, false, true])
    }

    @Test("With no invitation at all, and after the report's own, the streamed document is the whole one")
    func emptyAndOwn() throws {
        let empty = StatusReport(runs: [], pending: [], drift: nil, now: Self.now)
        let writer = try empty.streamingJSON()
        #expect(writer.start() + writer.end() == (try empty.json()))

        let own = StatusReport(runs: [], pending: Array(Self.invitations.prefix(1)), drift: nil, now: Self.now)
        var more = try own.streamingJSON()
        let streamed = more.start() + (try more.add(Array(Self.invitations.dropFirst()))) + more.end()
        #expect(streamed == (try StatusReport(runs: [], pending: Self.invitations, drift: nil, now: Self.now).json()))
    }
}
