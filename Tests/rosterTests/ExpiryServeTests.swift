import Foundation
import RosterCore
import RosterTestSupport
import Testing

/// Temporary membership end to end: `roster serve` removes a member at their `expires`,
/// not at its next interval (an hour away here), and says why in the run and the audit log.
@Suite(.serialized) struct ExpiryServeTests {
    static let team = """
        apiVersion: roster/v1
        kind: Team
        metadata:
          name: contractors
        spec:
          owner: alice@example.com
          members:
            - email: alice@example.com
              role: admin
            - email: bob@example.com
              role: dev

        """

    @Test("serve removes a member when their access ends, woken by the expiry, audited with the reason")
    func serveRemovesAtExpiry() async throws {
        try await withScratchFolder(prefix: "roster-expiry") { folder in
            let workspace = try await Workspace.make(folder: folder)
            try workspace.makeRepository(files: ["teams/contractors.yaml": Self.team])
            let source = ["--repo", workspace.repository, "--ref", "main"]
            try workspace.must(["apply", "--yes"] + source)
            let link = try workspace.must(["invite", "link", "--team", "contractors", "--email", "bob@example.com"])
                .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            try workspace.must(["invite", "accept", link, "--email", "bob@example.com"])
            func isMember() -> Bool {
                (try? workspace.sql("SELECT count(*) FROM memberships WHERE email = 'bob@example.com'")) == "1"
            }
            try #require(isMember())

            // Bob's access ends in 20 seconds; the server reconciles every hour.
            let expires = Expiry.text(Date().addingTimeInterval(20).rounded())
            try workspace.edit(
                "teams/contractors.yaml", replacing: "      role: dev\n", with: "      role: dev\n      expires: \(expires)\n")
            try workspace.commit("bob's contract ends")
            let http = HTTPClient()
            let server = try await startServer(workspace, http: http, source: source, extra: ["--interval", "1h"])
            defer { stop(server.process) }

            // The startup run applies nothing (bob is still in), and the server wakes for the expiry.
            let removed = await eventually(upTo: .seconds(90)) { !isMember() }
            try #require(removed, "bob was never removed:\n\(server.process.printedSoFar)")
            #expect(try workspace.sql("SELECT trigger FROM runs WHERE result = 'applied' ORDER BY started_at DESC LIMIT 1") == "expiry")
            let entries = try workspace.auditEntries(["--action", "member.remove"])
            #expect(entries.count == 1)
            #expect(entries.first?["resourceId"] as? String == "contractors/bob@example.com")
            #expect((entries.first?["after"] as? [String: Any])?["reason"] as? String == "expired", "\(entries)")
            let status = try workspace.must(["status"]).stdout
            #expect(status.contains("expired"), "\(status)")
            #expect(try workspace.must(["audit", "verify"]).stdout.contains("intact"))
        }
    }
}

extension Date {
    /// To the whole second, as a manifest writes it.
    fileprivate func rounded() -> Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.up)) }
}
