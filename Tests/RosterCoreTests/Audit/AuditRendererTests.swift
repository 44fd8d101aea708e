import Testing

@testable import RosterCore

/// `roster audit`'s three formats, written byte by byte into one buffer per page: each
/// value is escaped for its format exactly as before, whatever it holds.
@Suite struct AuditRendererTests {
    /// An entry whose values hold what each format must escape: quotes, commas, a CRLF, a
    /// terminal escape, a right-to-left override and non-ASCII text.
    static let awkward = AuditEntry(
        seq: 7, time: "2026-12-02T10:00:00.000Z", actor: "ops,\"root\"\u{1B}[2K", onBehalfOf: "Zoë\r\nforged",
        action: "member.role.update", resourceType: "member", resourceID: "ml/bob@example.com", team: "ml",
        before: #""dev""#, after: #"{"role":"a\"b","note":"x,y\u202e"}"#, commit: nil, runID: "run-1",
        prevHash: String(repeating: "0", count: 64), hash: AuditChain.hex([0x00, 0x7F, 0xAB, 0xFF]))
    static let plain = AuditEntry(
        seq: 8, time: "2026-12-02T10:00:01.000Z", actor: "roster", action: "team.create", resourceType: "team",
        resourceID: "ml", team: "ml", before: nil, after: "80", prevHash: "00ab", hash: "")

    @Test func hexIsLowercaseAndTwoDigitsABytes() {
        #expect(Self.awkward.hash == "007fabff")
        #expect(AuditChain.hex([UInt8]()) == "")
        #expect(AuditChain.hex((0...255).map(UInt8.init)) == (0...255).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined())
    }

    @Test func textEscapesControlsAndDropsTheQuotesOfStrings() {
        #expect(
            AuditRenderer.text([Self.awkward, Self.plain]) == """
                #7 2026-12-02T10:00:00.000Z ops,"root"\\u{1B}[2K member.role.update ml/bob@example.com: dev → {"role":"a\\"b","note":"x,y\\u202e"} (on behalf of Zoë\\r\\nforged)
                #8 2026-12-02T10:00:01.000Z roster team.create ml: none → 80

                """)
        // A right-to-left override that is in the text itself (not JSON-escaped) is escaped.
        var reordering = Self.plain
        reordering.actor = "a\u{202E}b"
        #expect(AuditRenderer.text([reordering]).hasPrefix(#"#8 2026-12-02T10:00:01.000Z a\u{202E}b team.create"#))
    }

    @Test func jsonQuotesEveryStringAndEmbedsTheValues() {
        let json = AuditRenderer.json([Self.awkward])
        #expect(
            json == """
                [
                  {"seq": 7, "time": "2026-12-02T10:00:00.000Z", "actor": "ops,\\"root\\"\\u001b[2K", "onBehalfOf": "Zoë\\r\\nforged", \
                "action": "member.role.update", "resourceType": "member", "resourceId": "ml/bob@example.com", "team": "ml", \
                "before": "dev", "after": {"role":"a\\"b","note":"x,y\\u202e"}, "commit": null, "runId": "run-1", \
                "prevHash": "\(String(repeating: "0", count: 64))", "hash": "007fabff"}
                ]

                """)
        #expect(AuditRenderer.json([]) == "[]\n")
        #expect(AuditRenderer.jsonElements([Self.plain], first: false).hasPrefix(",\n  {\"seq\": 8, "))
    }

    @Test func csvQuotesFieldsWithCommasQuotesAndLineBreaks() {
        let csv = AuditRenderer.csv([Self.awkward, Self.plain])
        // The CRLF inside a value is quoted, so the record still has its 14 fields.
        let zeros = String(repeating: "0", count: 64)
        let expected =
            "7,2026-12-02T10:00:00.000Z,\"ops,\"\"root\"\"\u{1B}[2K\",\"Zoë\r\nforged\",member.role.update,member,"
            + "ml/bob@example.com,ml,dev,\"{\"\"role\"\":\"\"a\\\"\"b\"\",\"\"note\"\":\"\"x,y\\u202e\"\"}\",,run-1,"
            + zeros + ",007fabff\r\n" + "8,2026-12-02T10:00:01.000Z,roster,,team.create,team,ml,ml,,80,,,00ab,\r\n"
        #expect(csv == AuditRenderer.csvHeader + expected)
    }
}
