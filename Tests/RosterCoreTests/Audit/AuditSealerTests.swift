import Testing

@testable import RosterCore

/// `AuditSealer` is the fast path an apply seals a million entries with; `AuditChain`'s
/// canonical content is the definition. They must agree byte for byte, or a stored chain
/// would not verify.
@Suite("Audit sealer")
struct AuditSealerTests {
    /// Entries of one write: the shared fields differ from write to write, the rest per entry.
    struct Write {
        var time: String
        var actor: String
        var onBehalfOf: String?
        var commit: String?
        var runID: String?
        /// (action, resourceType, team, subject, before, after); the resource id is
        /// `team/subject`, or the team alone without a subject.
        var entries: [(String, String, String, String?, String?, String?)]
    }

    static let writes: [Write] = [
        Write(
            time: "2026-11-18T11:06:40.500Z", actor: "roster", onBehalfOf: "dev@example.com", commit: String(repeating: "a", count: 40),
            runID: "0b7e7c2a-1f0e-4f7e-9d2c-3a1b2c3d4e5f",
            entries: [
                ("team.create", "team", "ml", nil, nil, #"{"displayName":"ML \"research\"","owner":"a@example.com","spendLimit":80}"#),
                ("invite.create", "invite", "ml", "bob@example.com", nil, #""dev""#),
                ("member.role.update", "member", "ml", "carol@example.com", #""basic""#, #""admin""#),
                ("member.remove", "member", "ml", "dan@example.com", #""billing""#, nil),
            ]),
        // A person's write: no commit, run or on-behalf-of; text that needs escaping everywhere.
        Write(
            time: "2026-11-19T00:00:00.000Z", actor: "Mallory \"M\" <m@example.com>\n\t\\", onBehalfOf: nil, commit: nil, runID: nil,
            entries: [
                ("invite.accept", "invite", "t\u{1}\"\\", "é@example.com", nil, #""basic""#),
                ("team.display_name.update", "team", "ünïcödé-team", nil, #""old\nname""#, #""new \u0001 name""#),
                ("team.spend_limit_ceiling.update", "team", "t", nil, "80", "120.5"),
            ]),
    ]

    @Test("chained over several writes, it gives AuditChain's hashes and head")
    func agreesWithChain() {
        var head: AuditHead?
        var previous = AuditEntry.genesisHash
        for write in Self.writes {
            var sealer = AuditSealer(
                after: head, time: write.time, actor: write.actor, onBehalfOf: write.onBehalfOf, commit: write.commit,
                runID: write.runID)
            for (action, resourceType, team, subject, before, after) in write.entries {
                let seq = (head?.seq ?? 0) + 1
                let reference = AuditChain.sealed(
                    AuditEntry(
                        seq: seq, time: write.time, actor: write.actor, onBehalfOf: write.onBehalfOf, action: action,
                        resourceType: resourceType, resourceID: subject.map { "\(team)/\($0)" } ?? team, team: team,
                        before: before, after: after, commit: write.commit, runID: write.runID, prevHash: previous))
                sealer.seal(
                    action: action, resourceType: resourceType, resourceTeam: team, subject: subject, team: team,
                    before: before, after: after)
                #expect(sealer.seq == seq)
                #expect(AuditChain.hex(sealer.digest) == reference.hash, "\(action) \(team)")
                #expect(sealer.head == AuditHead(seq: seq, hash: reference.hash))
                head = sealer.head
                previous = reference.hash
            }
        }
        #expect(head?.seq == 7)
    }

    @Test("a sealer after an empty log starts at 1 from the genesis hash, with no head until it seals")
    func fromEmptyLog() {
        var sealer = AuditSealer(after: nil, time: "t", actor: "a", onBehalfOf: nil, commit: nil, runID: nil)
        #expect(sealer.head == nil)
        #expect(sealer.digest == [UInt8](repeating: 0, count: 32))
        sealer.seal(action: "x.y", resourceType: "x", resourceTeam: "t", subject: nil, team: nil, before: nil, after: nil)
        let reference = AuditChain.sealed(
            AuditEntry(
                seq: 1, time: "t", actor: "a", action: "x.y", resourceType: "x", resourceID: "t", team: nil, before: nil,
                after: nil, prevHash: AuditEntry.genesisHash))
        #expect(sealer.head == AuditHead(seq: 1, hash: reference.hash))
    }

    @Test("numbers are written as String does", arguments: [0, 1, 9, 10, 99, 100, 12_345, 999_999, 1_000_000, Int64.max, -1, Int64.min])
    func decimal(_ number: Int64) {
        var out = JSONBytes()
        out.decimal(number)
        #expect(String(decoding: out.bytes, as: UTF8.self) == String(number))
    }
}
