import Foundation
import RosterStoreTestSupport
import RosterTestSupport
import RosterCore
import Testing

@testable import RosterSQLite
@testable import RosterStore

/// Six audit entries over three applies:
/// 1 team.create t, 2 invite.create bob, 3 invite.create carol (apply 1);
/// 4 invite.create dan, 5 invite.create erin (apply 2); 6 team.spend_limit.update t (apply 3).
private func sixEntries(_ fixture: StoreFixture) async throws {
    try await fixture.converge([team("t", members: [("bob@example.com", .dev), ("carol@example.com", .billing)])])
    let more: [(String, Role)] = [
        ("bob@example.com", .dev), ("carol@example.com", .billing), ("dan@example.com", .basic), ("erin@example.com", .admin),
    ]
    try await fixture.converge([team("t", members: more)], at: fixedDate.addingTimeInterval(1))
    try await fixture.converge([team("t", spendLimit: SpendLimit(cents: 4_000), members: more)], at: fixedDate.addingTimeInterval(2))
}

@Suite("Audit log: tamper evidence")
struct AuditTamperTests {
    enum Tamper: String, CaseIterable, Sendable {
        /// A field of entry 3 changed.
        case modifyField
        /// `before`/`after` of entry 3 changed to another valid value.
        case modifyValue
        /// Entry 3 deleted: a gap.
        case deleteEntry
        /// The contents of entries 2 and 3 swapped (`seq` is the rowid, so entries can only
        /// be reordered by moving their contents).
        case reorder
        /// The last two entries deleted.
        case truncate
        /// Entry 3 changed and every hash from there on recomputed: only the head kept
        /// outside the database can tell.
        case rewriteAndRehash
        /// A forged entry appended with a correct hash: neither the chain nor a head taken
        /// earlier can tell (a head vouches only for what it covers); kept here so the limit
        /// is written down and a change in it is noticed.
        case appendForged
        /// The time of the write behind entries 4 and 5 changed: it is part of both entries.
        case modifyBatch
        /// The record of the write behind entries 4 and 5 deleted.
        case deleteBatch
        /// The write behind entries 4 and 5 made to end at 4: entry 5 loses its shared fields.
        case shrinkBatch

        var sql: String {
            switch self {
            case .modifyField: "UPDATE audit SET actor = 'mallory@example.com' WHERE seq = 3;"
            case .modifyValue: #"UPDATE audit SET after = '"admin"' WHERE seq = 3;"#
            case .deleteEntry: "DELETE FROM audit WHERE seq = 3;"
            case .reorder:
                """
                CREATE TEMP TABLE swap AS SELECT * FROM audit WHERE seq IN (2, 3);
                UPDATE audit SET (batch, actor, action, resource_type, resource_id, team, before, after, hash) =
                    (SELECT batch, actor, action, resource_type, resource_id, team, before, after, hash
                     FROM swap WHERE swap.seq = 5 - audit.seq)
                    WHERE seq IN (2, 3);
                """
            case .truncate: "DELETE FROM audit WHERE seq > 4;"
            case .modifyBatch:
                """
                DROP TRIGGER audit_batches_append_only_update;
                UPDATE audit_batches SET time = '2026-11-18T11:06:42.500Z' WHERE first_seq = 4;
                """
            case .deleteBatch:
                "DROP TRIGGER audit_batches_append_only_delete; DELETE FROM audit_batches WHERE first_seq = 4;"
            case .shrinkBatch:
                "DROP TRIGGER audit_batches_append_only_update; UPDATE audit_batches SET last_seq = 4 WHERE first_seq = 4;"
            case .rewriteAndRehash, .appendForged: ""
            }
        }

        /// The verdict without a head, and with the head taken before tampering (6 entries).
        var expected: (withoutHead: Int64?, withHead: Int64?) {
            switch self {
            case .modifyField, .modifyValue: (3, 3)
            case .deleteEntry: (4, 4)
            case .reorder: (2, 2)
            case .truncate: (nil, 6)
            case .rewriteAndRehash: (nil, 6)
            case .appendForged: (nil, nil)
            case .modifyBatch, .deleteBatch: (4, 4)
            case .shrinkBatch: (5, 5)
            }
        }
    }

    @Test(arguments: Tamper.allCases)
    func tamperIsFound(_ tamper: Tamper) async throws {
        try await StoreFixture.with { fixture in
            try await sixEntries(fixture)
            let entries = try await fixture.audit()
            #expect(entries.count == 6)
            let head = try #require(try await fixture.store.auditHead())
            #expect(head == AuditHead(seq: 6, hash: entries[5].hash))
            #expect(try await fixture.store.verifyAudit(expectedHead: head) == .intact(count: 6, head: head))

            try fixture.sqlite("DROP TRIGGER audit_append_only_update; DROP TRIGGER audit_append_only_delete;")
            switch tamper {
            case .rewriteAndRehash:
                var previous = entries[1].hash
                var statements = ""
                for var entry in entries[2...] {
                    if entry.seq == 3 { entry.after = #""admin""# }
                    entry.prevHash = previous
                    entry = AuditChain.sealed(entry)
                    previous = entry.hash
                    statements += "UPDATE audit SET after = '\(entry.after!.replacingOccurrences(of: "'", with: "''"))', "
                        + "hash = X'\(entry.hash)' WHERE seq = \(entry.seq);\n"
                }
                try fixture.sqlite(statements)
            case .appendForged:
                let forged = AuditChain.sealed(
                    AuditEntry(
                        seq: 7, time: "2026-11-18T11:06:43.000Z", actor: "roster", action: "member.remove",
                        resourceType: "member", resourceID: "t/alice@example.com", team: "t", before: #""admin""#, after: nil,
                        prevHash: entries[5].hash))
                try fixture.sqlite(
                    """
                    INSERT INTO audit_batches (id, first_seq, last_seq, time) VALUES (99, 7, 7, '\(forged.time)');
                    INSERT INTO audit (seq, batch, actor, action, resource_type, resource_id, team, before, hash)
                    VALUES (7, 99, 'roster', 'member.remove', 'member', 't/alice@example.com', 't', '"admin"',
                            X'\(forged.hash)');
                    """)
            default:
                try fixture.sqlite(tamper.sql)
            }
            #expect(try await fixture.audit() != entries, "the tampering changed nothing")

            // Through the open store and through a new one.
            for store in [fixture.store, try await fixture.reopen()] {
                let withoutHead = try await store.verifyAudit(expectedHead: nil)
                let withHead = try await store.verifyAudit(expectedHead: head)
                switch tamper.expected.withoutHead {
                case let seq?:
                    guard case .broken(seq, _) = withoutHead else {
                        Issue.record("expected broken at \(seq), got \(withoutHead)")
                        continue
                    }
                case nil:
                    guard case .intact = withoutHead else {
                        Issue.record("expected intact without a head, got \(withoutHead)")
                        continue
                    }
                }
                switch tamper.expected.withHead {
                case let seq?:
                    guard case .broken(seq, _) = withHead else {
                        Issue.record("expected broken at \(seq) with the head, got \(withHead)")
                        continue
                    }
                case nil:
                    guard case .intact = withHead else {
                        Issue.record("expected intact with the head, got \(withHead)")
                        continue
                    }
                }
            }
        }
    }

    @Test("the same verdicts come from AuditChain.verify over the entries the store returns")
    func storeAgreesWithChain() async throws {
        try await StoreFixture.with { fixture in
            try await sixEntries(fixture)
            try fixture.sqlite("DROP TRIGGER audit_append_only_update; UPDATE audit SET team = 'u' WHERE seq = 5;")
            let verdict = try await fixture.store.verifyAudit(expectedHead: nil)
            #expect(verdict == AuditChain.verify(try await fixture.audit()))
            guard case .broken(5, let reason) = verdict else {
                Issue.record("expected broken at 5, got \(verdict)")
                return
            }
            #expect(reason.contains("modified"))
        }
    }

    @Test("with the triggers in place, the audit log cannot be updated or deleted from", arguments: [
        "UPDATE audit SET actor = 'mallory@example.com' WHERE seq = 3;",
        "DELETE FROM audit WHERE seq = 3;",
        "DELETE FROM audit;",
        "UPDATE audit_batches SET time = '2026-11-18T11:06:41.500Z';",
        "DELETE FROM audit_batches;",
    ])
    func appendOnly(sql: String) async throws {
        try await StoreFixture.with { fixture in
            try await sixEntries(fixture)
            let entries = try await fixture.audit()
            let output = try runCommand(["sqlite3", "-bail", fixture.path, sql])
            #expect(output.status != 0)
            #expect(output.stderr.contains("append-only"))
            #expect(try await fixture.audit() == entries)
            #expect(try await fixture.store.verifyAudit(expectedHead: nil) == .intact(count: 6, head: try await fixture.store.auditHead()))
        }
    }
}
