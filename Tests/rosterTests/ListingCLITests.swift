import Foundation
import RosterTestSupport
import Testing

/// The listings that read a large store a page at a time (`roster audit`, `status`, `invite
/// list`), across their pages' edges: a team of 10,050 members makes 10,050 audit entries (more
/// than one page of 10,000) and 10,049 pending invitations (ten pages of 1,000 and more).
@Suite("Listings of a large store, read a page at a time")
struct ListingCLITests {
    static let members = 10_050

    static var manifest: String {
        var text = """
            apiVersion: roster/v1
            kind: Team
            metadata:
              name: big
            spec:
              displayName: Big
              owner: owner@example.com
              members:
                - email: owner@example.com
                  role: admin

            """
        for index in 1..<members { text += "    - email: user\(10_000 + index)@example.com\n      role: dev\n" }
        return text
    }

    @Test("audit in text, JSON and CSV, status and invite list give every entry and invitation once, in order")
    func acrossPages() throws {
        try withWorkspace { ws in
            try ws.makeRepository(files: ["teams/big.yaml": Self.manifest])
            try ws.must(["apply", "--repo", ws.repository, "--yes", "--quiet"])

            let entries = try ws.auditEntries()
            #expect(entries.map { $0.int("seq") ?? 0 } == Array(1...Self.members))
            let text = try ws.must(["audit"]).stdout.split(separator: "\n")
            #expect(text.map { $0.prefix { $0 != " " } } == (1...Self.members).map { Substring("#\($0)") })
            let csv = try ws.must(["audit", "--format", "csv"]).stdout.components(separatedBy: "\r\n").filter { !$0.isEmpty }
            #expect(csv.count == Self.members + 1 && csv.first?.hasPrefix("seq,") == true)
            #expect(csv.dropFirst().map { $0.prefix { $0 != "," } } == (1...Self.members).map { Substring("\($0)") })
            // A filter across the pages' edge: every invitation but the first, oldest first.
            let filtered = try ws.auditEntries(["--since", "2000-01-01", "--action", "invite.create"])
            #expect(filtered.map { $0.int("seq") ?? 0 } == Array(2...Self.members))
            #expect(try ws.auditEntries(["--limit", "3"]).map { $0.int("seq") ?? 0 } == Array(Self.members - 2...Self.members))

            let invited = (1..<Self.members).map { "user\(10_000 + $0)@example.com" }
            let listed = try ws.must(["invite", "list"]).stdout.split(separator: "\n")
            #expect(listed.map { String($0.split(separator: " ")[1]) } == invited)
            #expect(Set(listed.map { $0.split(separator: " ").last! }).count == invited.count, "one link each")

            let status = try ws.must(["status"]).stdout
            #expect(status.contains("Pending invitations: \(invited.count)\n"), "\(status)")
            #expect(status.contains("  … and \(invited.count - 50) more (roster invite list lists them all)"), "\(status)")
            #expect(status.split(separator: "\n").filter { $0.hasPrefix("  big: ") }.count == 50)
            let report = try jsonObject(try ws.must(["status", "--format", "json"]))
            let pending = try #require(report["pendingInvitations"] as? [[String: Any]])
            #expect(pending.map { $0.string("email") ?? "" } == invited)
        }
    }
}
