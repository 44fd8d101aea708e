import Foundation
import RosterTestSupport
import Testing

/// SPEC's keys of an audit entry in `roster audit --format json`.
private let auditKeys: Set<String> = [
    "seq", "time", "actor", "onBehalfOf", "action", "resourceType", "resourceId", "team", "before", "after", "commit",
    "runId", "prevHash", "hash",
]

private let invitePrefix = "http://127.0.0.1:8080/invite/"

/// The invitation link of `email` in `team`, required to print.
private func link(_ ws: Workspace, team: String = "ml-research", email: String = "bob@example.com", _ extra: [String] = [])
    throws -> String
{
    try ws.must(["invite", "link", "--team", team, "--email", email] + extra).stdout.trimmingCharacters(in: .newlines)
}

@Suite("A newcomer's flow on the examples: plan, apply, invitations, audit, export, status")
struct NewcomerFlowTests {
    @Test("validate, plan in three formats, team ceiling, apply --yes, then No changes")
    func planAndApply() throws {
        try withWorkspace { ws in
            let commit = try ws.makeRepository()
            try #require(commit.count == 40 && commit.allSatisfy(\.isHexDigit))

            let validate = try ws.roster(["validate", "--repo", ws.repository])
            #expect(validate.status == 0, "\(validate)")
            #expect(validate.stdout.contains("Valid: 4 teams in 4 files"), "\(validate)")

            // ml-research asks for $120/h: an operator approves the ceiling first.
            let refused = try ws.roster(["plan", "--repo", ws.repository])
            #expect(refused.status == 1, "\(refused)")
            let ceiling = try ws.must(["team", "ceiling", "--team", "ml-research", "--per-hour", "120", "--actor", "ops@example.com"])
            #expect(ceiling.stdout.contains("$120.00/h"), "\(ceiling)")

            let text = try ws.must(["plan", "--repo", ws.repository])
            let lines = text.stdout.split(separator: "\n").map(String.init)
            for team in ["finance", "inference", "interns-2026", "ml-research"] {
                #expect(lines.contains { $0.trimmingCharacters(in: .whitespaces).hasPrefix("+ create team \(team):") }, "\(text)")
                #expect(lines.contains("# team \(team)"), "\(text)")
            }
            #expect(lines.contains { $0.contains("+ invite bob@example.com as dev") }, "\(text)")
            #expect(lines.last == examplesSummaryLine, "\(text)")
            #expect(text.stderr.isEmpty, "\(text)")

            let markdown = try ws.must(["plan", "--repo", ws.repository, "--format", "markdown"])
            #expect(markdown.stdout.hasPrefix("### Roster plan"), "\(markdown)")
            #expect(markdown.stdout.contains(examplesSummaryLine), "\(markdown)")
            #expect(markdown.stdout.contains("+ create team ml-research"), "\(markdown)")

            let json = try jsonObject(try ws.must(["plan", "--repo", ws.repository, "--format", "json"]))
            #expect(json["formatVersion"] as? String == "1")
            let source = try #require(json["source"] as? [String: Any], "\(json)")
            #expect(source.string("commit") == commit)
            #expect(source.string("tree")?.count == 40)
            #expect(json["stateVersion"] is NSNumber, "\(json)")
            let summary = try #require(json["summary"] as? [String: Any])
            #expect(summary.int("total") == 18)
            let byAction = try #require(summary["byAction"] as? [String: Any])
            #expect(byAction.count == 2 && (byAction["team.create"] as? Int) == 4 && (byAction["invite.create"] as? Int) == 14)
            let changes = try #require(json["changes"] as? [[String: Any]])
            #expect(changes.count == 18)
            for change in changes {
                #expect(Set(change.keys) == ["action", "team", "subject", "before", "after"], "\(change)")
                #expect(change["before"] is NSNull, "\(change)")
            }
            let bob = changes.first { $0.string("team") == "ml-research" && $0.string("subject") == "bob@example.com" }
            #expect(bob?.string("action") == "invite.create" && bob?.string("after") == "dev", "\(changes)")
            let team = changes.first { $0.string("action") == "team.create" && $0.string("subject") == "ml-research" }
            let created = try #require(team?["after"] as? [String: Any], "\(changes)")
            #expect(created.string("owner") == "alice@example.com" && created.string("displayName") == "ML Research")
            #expect((created["spendLimit"] as? NSNumber)?.doubleValue == 120)

            let apply = try ws.must(["apply", "--repo", ws.repository, "--yes"])
            #expect(apply.stdout.contains("Applied 18 changes"), "\(apply)")

            let again = try ws.must(["plan", "--repo", ws.repository])
            #expect(again.stdout.hasPrefix("No changes."), "\(again)")
            #expect(again.stdout.contains(String(commit.prefix(12))), "\(again)")
            let againMarkdown = try ws.must(["plan", "--repo", ws.repository, "--format", "markdown"])
            #expect(againMarkdown.stdout.hasPrefix("### Roster plan") && againMarkdown.stdout.contains("No changes."))
            // Applying the same commit again changes nothing.
            let head = try ws.auditHead()
            try ws.must(["apply", "--repo", ws.repository, "--yes"])
            #expect(try ws.auditHead() == head)
        }
    }

    @Test("invitation links: stable, --base-url, never stored nor audited, single use, one answer for every bad token")
    func invitations() throws {
        try withWorkspace { ws in
            try ws.appliedExamples()

            let first = try link(ws)
            #expect(first.hasPrefix(invitePrefix), "\(first)")
            let token = String(first.dropFirst(invitePrefix.count))
            #expect(!token.isEmpty && !token.contains("/"), "\(first)")
            #expect(try link(ws) == first, "the same link each time")
            let custom = try link(ws, ["--base-url", "https://x.example"])
            #expect(custom == "https://x.example/invite/" + token, "\(custom)")
            let environment = try ws.roster(
                ["invite", "link", "--team", "ml-research", "--email", "bob@example.com"],
                environment: ["ROSTER_BASE_URL": "https://env.example"])
            #expect(environment.stdout == "https://env.example/invite/\(token)\n", "\(environment)")
            let other = try link(ws, email: "carol@example.com")
            #expect(other != first)
            #expect(try ws.roster(["invite", "link", "--team", "finance", "--email", "bob@example.com"]).status == 1)

            // The token (its secret part above all) is in neither the database nor the audit log.
            let secret = String(token.split(separator: ".").last ?? "")
            #expect(secret.count >= 20, "\(token)")
            for (name, bytes) in try ws.storedData() {
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "the token is stored in \(name)")
            }

            let wrongPerson = try ws.roster(["invite", "accept", first, "--email", "carol@example.com"])
            #expect(wrongPerson.status == 1, "\(wrongPerson)")
            let unknown = try ws.roster(["invite", "accept", "999.AAAA", "--email", "bob@example.com"])
            #expect(unknown.status == 1, "\(unknown)")
            #expect(!unknown.stderr.isEmpty && wrongPerson.stderr == unknown.stderr, "one answer: \(wrongPerson) / \(unknown)")
            let forged = try ws.roster(["invite", "accept", String(token.split(separator: ".")[0]) + ".AAAA", "--email", "bob@example.com"])
            #expect(forged.status == 1 && forged.stderr == unknown.stderr, "\(forged)")

            let accepted = try ws.roster(["invite", "accept", first, "--email", "BOB@example.com"])
            #expect(accepted.status == 0, "\(accepted)")
            #expect(accepted.stdout.contains("bob@example.com joined ml-research as dev"), "\(accepted)")
            let twice = try ws.roster(["invite", "accept", first, "--email", "bob@example.com"])
            #expect(twice.status == 1 && twice.stderr == unknown.stderr, "single use: \(twice)")
            // The token alone (not the whole link) is accepted too, and gets the same answer once used.
            let bare = try ws.roster(["invite", "accept", token, "--email", "bob@example.com"])
            #expect(bare.status == 1 && bare.stderr == unknown.stderr, "\(bare)")
            #expect(try ws.roster(["invite", "link", "--team", "ml-research", "--email", "bob@example.com"]).status == 1,
                    "an accepted invitation has no link")

            let accepts = try ws.auditEntries(["--action", "invite.accept"])
            #expect(accepts.count == 1, "\(accepts)")
            #expect(accepts.first?.string("actor") == "bob@example.com")
            #expect(accepts.first?.string("resourceId") == "ml-research/bob@example.com")
            #expect(accepts.first?.string("after") == "dev")
            let text = try ws.must(["audit"])
            #expect(text.stdout.contains("bob@example.com invite.accept ml-research/bob@example.com"), "\(text)")

            // bob is now a member: the manifests plan to nothing.
            let plan = try ws.roster(["plan", "--repo", ws.repository, "--detailed-exitcode"])
            #expect(plan.status == 0, "\(plan)")

            for format in ["json", "text", "csv"] {
                let output = try ws.must(["audit", "--format", format]).stdout
                #expect(!output.contains(secret), "the token is in the \(format) audit log")
            }
            for (name, bytes) in try ws.storedData() {
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "the token is stored in \(name)")
            }
        }
    }

    @Test("audit filters narrow the log; --limit, CSV and JSON have SPEC's shape")
    func auditFilters() throws {
        try withWorkspace { ws in
            let commit = try ws.appliedExamples()
            try ws.must(["invite", "accept", try link(ws), "--email", "bob@example.com"])

            let all = try ws.auditEntries()
            #expect(all.count == 20, "1 ceiling, 18 changes, 1 acceptance: \(all)")
            #expect(all.map { $0.int("seq") ?? 0 } == Array(1...20), "oldest first")
            for entry in all {
                #expect(auditKeys.isSubset(of: Set(entry.keys)), "\(entry.keys.sorted())")
                let time = entry.string("time") ?? ""
                #expect(time.firstMatch(of: #/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/#) != nil, "\(time)")
                #expect(entry.string("hash")?.count == 64 && entry.string("prevHash")?.count == 64)
            }
            #expect(all.first?.string("prevHash") == String(repeating: "0", count: 64))
            for (previous, next) in zip(all, all.dropFirst()) {
                #expect(next.string("prevHash") == previous.string("hash"))
            }
            let fromGit = all.filter { $0.string("commit") != nil }
            #expect(fromGit.count == 18)
            for entry in fromGit {
                #expect(entry.string("commit") == commit && entry.string("onBehalfOf") == authorEmail, "\(entry)")
                #expect(entry.string("actor") == "roster" && entry.string("runId") != nil, "\(entry)")
            }

            func expectFilter(
                _ filters: [String], _ expected: [[String: Any]], sourceLocation: SourceLocation = #_sourceLocation
            ) throws {
                let got = try ws.auditEntries(filters, sourceLocation: sourceLocation)
                #expect(
                    got.map { $0.int("seq") ?? 0 } == expected.map { $0.int("seq") ?? 0 }, "\(filters)",
                    sourceLocation: sourceLocation)
            }
            func expectNarrowing(
                _ filters: [String], _ keep: ([String: Any]) -> Bool, sourceLocation: SourceLocation = #_sourceLocation
            ) throws {
                let expected = all.filter(keep)
                #expect(!expected.isEmpty && expected.count < all.count, "\(filters) should narrow", sourceLocation: sourceLocation)
                try expectFilter(filters, expected, sourceLocation: sourceLocation)
            }

            try expectNarrowing(["--team", "ml-research"]) { $0.string("team") == "ml-research" }
            #expect(try ws.auditEntries(["--team", "ml-research"]).count == 8, "ceiling, create, 5 invitations, acceptance")
            try expectNarrowing(["--action", "invite.create"]) { $0.string("action") == "invite.create" }
            #expect(try ws.auditEntries(["--action", "invite.create"]).count == 14)
            try expectNarrowing(["--action", "team.create"]) { $0.string("action") == "team.create" }
            try expectNarrowing(["--user", "dana.owner@example.com"]) { $0.string("onBehalfOf") == authorEmail }
            try expectNarrowing(["--user", "DANA.OWNER@EXAMPLE.COM"]) { $0.string("onBehalfOf") == authorEmail }
            try expectNarrowing(["--user", "Bob@Example.com"]) { $0.string("actor") == "bob@example.com" }
            try expectNarrowing(["--user", "ops@example.com"]) { $0.string("actor") == "ops@example.com" }
            try expectNarrowing(["--user", "roster"]) { $0.string("actor") == "roster" }
            try expectFilter(["--user", "nobody@example.com"], [])
            try expectNarrowing(["--resource-type", "invite"]) { $0.string("resourceType") == "invite" }
            #expect(try ws.auditEntries(["--resource-type", "invite"]).count == 15)
            try expectNarrowing(["--resource-type", "team"]) { $0.string("resourceType") == "team" }
            try expectFilter(["--resource-type", "member"], [])
            try expectNarrowing(["--resource-id", "ml-research/bob@example.com"]) {
                $0.string("resourceId") == "ml-research/bob@example.com"
            }
            #expect(
                try ws.auditEntries(["--resource-id", "ml-research/bob@example.com"]).map { $0.string("action") ?? "" }
                    == ["invite.create", "invite.accept"])
            try expectNarrowing(["--resource-id", "ml-research"]) { $0.string("resourceId") == "ml-research" }
            try expectNarrowing(["--team", "ml-research", "--action", "invite.create"]) {
                $0.string("team") == "ml-research" && $0.string("action") == "invite.create"
            }
            try expectFilter(["--team", "inference", "--user", "bob@example.com"], [])

            // Time bounds: --since inclusive, --until exclusive; dates are midnight UTC.
            let acceptTime = try #require(all.last?.string("time"))
            try expectNarrowing(["--since", acceptTime]) { ($0.string("time") ?? "") >= acceptTime }
            try expectNarrowing(["--until", acceptTime]) { ($0.string("time") ?? "") < acceptTime }
            let acceptDate = try #require(ISO8601DateFormatter.withMilliseconds.date(from: acceptTime))
            let shifted = ISO8601DateFormatter.withMilliseconds(offset: 2 * 3600 + 30 * 60).string(from: acceptDate)
            #expect(shifted.hasSuffix("+02:30"), "\(shifted)")
            try expectFilter(["--since", shifted], all.filter { ($0.string("time") ?? "") >= acceptTime })
            try expectFilter(["--until", shifted], all.filter { ($0.string("time") ?? "") < acceptTime })
            let noFraction = ISO8601DateFormatter.withoutMilliseconds.string(from: acceptDate.addingTimeInterval(1))
            try expectFilter(["--until", noFraction], all.filter { ($0.string("time") ?? "") < noFraction.replacingOccurrences(of: "Z", with: ".000Z") })
            let firstDay = String((all.first?.string("time") ?? "").prefix(10))
            let lastDay = String(acceptTime.prefix(10))
            let nextDay = try #require(dayAfter(lastDay))
            try expectFilter(["--since", firstDay], all)
            try expectFilter(["--until", firstDay], [])
            try expectFilter(["--since", nextDay], [])
            try expectFilter(["--until", nextDay], all)
            try expectFilter(["--since", firstDay, "--until", nextDay, "--action", "invite.accept"], [all.last!])
            // RFC 3339 allows a lowercase t and z; a day or time that does not exist is refused,
            // not rolled over into the next one.
            try expectFilter(["--since", acceptTime.lowercased()], all.filter { ($0.string("time") ?? "") >= acceptTime })
            for impossible in ["2026-02-30", "2026-02-29", "2026-11-31", "2026-11-30T24:00:00Z", "2026-11-30T10:60:00Z", "2026-11-30T10:00:00"] {
                let refused = try ws.roster(["audit", "--since", impossible])
                #expect(refused.status == 64 && refused.stderr.contains("--since takes RFC 3339"), "\(impossible): \(refused)")
            }
            try expectFilter(["--until", "2028-02-29"], all)

            let limited = try ws.auditEntries(["--limit", "2"])
            #expect(limited.map { $0.int("seq") ?? 0 } == [19, 20], "the 2 newest, oldest first")
            let limitedTeam = try ws.auditEntries(["--team", "finance", "--limit", "2"])
            let finance = all.filter { $0.string("team") == "finance" }
            #expect(limitedTeam.map { $0.int("seq") ?? 0 } == finance.suffix(2).map { $0.int("seq") ?? 0 })
            #expect(try ws.auditEntries(["--limit", "100"]).count == all.count)

            let csv = try ws.must(["audit", "--format", "csv"]).stdout
            let rows = csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }
            #expect(rows.count == all.count + 1, "a header and one row per entry: \(csv)")
            let header = rows.first?.split(separator: ",").map(String.init) ?? []
            #expect(Set(header) == auditKeys, "\(header)")
            #expect(header.first == "seq")
            for (row, entry) in zip(rows.dropFirst(), all) {
                #expect(row.hasPrefix("\(entry.int("seq") ?? 0),"), "\(row)")
                #expect(row.hasSuffix("," + (entry.string("hash") ?? "?")), "\(row)")
            }
            let csvTeam = try ws.must(["audit", "--format", "csv", "--team", "ml-research"]).stdout
            #expect(csvTeam.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 9)

            let text = try ws.must(["audit", "--action", "invite.create"]).stdout
            #expect(text.split(separator: "\n").count == 14, "\(text)")
        }
    }

    @Test("audit verify and head: intact, then a modified entry, then entries cut off the end")
    func auditTampering() throws {
        try withWorkspace { ws in
            try ws.appliedExamples()
            try ws.must(["invite", "accept", try link(ws), "--email", "bob@example.com"])

            let intact = try ws.must(["audit", "verify"])
            #expect(intact.stdout.contains("20 entries"), "\(intact)")
            let head = try #require(try ws.auditHead())
            let last = try #require(try ws.auditEntries().last)
            #expect(head == "20:\(last.string("hash") ?? "")", "SEQ:HASH of the last entry")
            #expect(head.firstMatch(of: #/^\d+:[0-9a-f]{64}$/#) != nil)
            try ws.must(["audit", "verify", "--head", head])

            // The append-only triggers refuse edits through the database itself.
            let blocked = try ws.runSQL("UPDATE audit SET actor = 'mallory' WHERE seq = 3;")
            #expect(blocked.status != 0, "\(blocked)")

            // Someone with the owner's rights drops (SQLite) or disables (PostgreSQL) the
            // triggers first. Cutting the last entry off keeps the chain valid; only the head
            // kept outside tells.
            try ws.sql(
                sqlite: "DROP TRIGGER audit_append_only_delete; DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit);",
                postgres: """
                    ALTER TABLE audit DISABLE TRIGGER audit_append_only;
                    DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit);
                    """)
            let cut = try ws.roster(["audit", "verify"])
            #expect(cut.status == 0, "\(cut)")
            let caught = try ws.roster(["audit", "verify", "--head", head])
            #expect(caught.status == 1, "\(caught)")
            #expect(caught.stderr.contains("20"), "\(caught)")
            #expect(try ws.auditHead() == "19:\(try ws.auditEntries()[18].string("hash") ?? "")")

            try ws.sql(
                sqlite: "DROP TRIGGER audit_append_only_update; UPDATE audit SET actor = 'mallory' WHERE seq = 3;",
                postgres: "UPDATE audit SET actor = 'mallory' WHERE seq = 3;")
            let modified = try ws.roster(["audit", "verify"])
            #expect(modified.status == 1, "\(modified)")
            #expect(modified.stderr.contains("entry 3"), "\(modified)")
            #expect(!modified.stderr.contains("entry 2"), "\(modified)")
        }
    }

    @Test("audit head on an empty log fails; verify of an empty log is intact")
    func emptyLog() throws {
        try withWorkspace { ws in
            let head = try ws.roster(["audit", "head"])
            #expect(head.status == 1, "\(head)")
            #expect(head.stdout.isEmpty, "\(head)")
            let verify = try ws.roster(["audit", "verify"])
            #expect(verify.status == 0, "\(verify)")
            let list = try ws.roster(["audit", "--format", "json"])
            #expect(list.status == 0, "\(list)")
            #expect(try jsonArray(list).isEmpty, "\(list)")
        }
    }

    @Test("an export of more teams than it reads at a time writes every one, and they plan to no changes")
    func exportInPages() throws {
        try withWorkspace { ws in
            var files: [String: String] = [:]
            for index in 0..<450 { files["teams/t\(index).yaml"] = teamManifest("t\(index)", admins: 1, members: 3) }
            try ws.makeRepository(files: files)
            try ws.must(["apply", "--repo", ws.repository, "--yes"])
            let out = ws.folder + "/out"
            let export = try ws.must(["export", "--dir", out])
            #expect(export.stdout.contains("Exported 450 teams"), "\(export)")
            let written = try FileManager.default.contentsOfDirectory(atPath: out)
            #expect(Set(written) == Set((0..<450).map { "t\($0).yaml" }))
            let plan = try ws.roster(["plan", "--dir", out, "--detailed-exitcode"])
            #expect(plan.status == 0 && plan.stdout.hasPrefix("No changes."), "\(plan)")
        }
    }

    @Test("export writes manifests that plan to no changes; status lists the run and pending invitations")
    func exportAndStatus() throws {
        try withWorkspace { ws in
            let commit = try ws.appliedExamples()
            try ws.must(["invite", "accept", try link(ws), "--email", "bob@example.com"])

            let out = ws.folder + "/out"
            try ws.must(["export", "--dir", out])
            let files = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
            #expect(files == ["finance.yaml", "inference.yaml", "interns-2026.yaml", "ml-research.yaml"])
            let validate = try ws.roster(["validate", "--dir", out])
            #expect(validate.status == 0, "\(validate)")
            let plan = try ws.roster(["plan", "--dir", out, "--detailed-exitcode"])
            #expect(plan.status == 0, "\(plan)")
            #expect(plan.stdout.hasPrefix("No changes."), "\(plan)")
            // Again over the same files, shorter now: each is replaced whole, not left with a tail.
            let finance = out + "/finance.yaml"
            let exported = try String(contentsOfFile: finance, encoding: .utf8)
            try (exported + "# a longer tail that must not survive\n" + String(repeating: "#", count: 4096)).write(
                toFile: finance, atomically: false, encoding: .utf8)
            try ws.must(["export", "--dir", out])
            #expect(try String(contentsOfFile: finance, encoding: .utf8) == exported)
            // A file that cannot be written is an error naming it, not a crash.
            try FileManager.default.removeItem(atPath: out + "/inference.yaml")
            try FileManager.default.createDirectory(atPath: out + "/inference.yaml", withIntermediateDirectories: false)
            let blocked = try ws.roster(["export", "--dir", out])
            #expect(blocked.status == 1 && blocked.stderr.contains("cannot write") && blocked.stderr.contains("inference.yaml"), "\(blocked)")

            let status = try ws.must(["status"])
            let runLine = status.stdout.split(separator: "\n").first { $0.contains(String(commit.prefix(12))) }
            #expect(runLine?.contains("applied") == true && runLine?.contains("18 changes") == true, "\(status)")
            #expect(status.stdout.contains("Pending invitations: 13"), "\(status)")
            #expect(status.stdout.contains("ml-research: carol@example.com as billing"), "\(status)")
            #expect(!status.stdout.contains("ml-research: bob@example.com"), "bob has joined: \(status)")

            let json = try jsonObject(try ws.must(["status", "--format", "json"]))
            let runs = try #require(json["runs"] as? [[String: Any]])
            #expect(runs.count == 1, "\(runs)")
            #expect(runs.first?.string("commit") == commit && runs.first?.int("changes") == 18 && runs.first?.string("result") == "applied")
            #expect(runs.first?.string("author") == authorEmail)
            let pending = try #require(json["pendingInvitations"] as? [[String: Any]])
            #expect(pending.count == 13)
            #expect(json["drift"] is NSNull)
            // The run's id is the one its audit entries carry.
            let runIDs = Set(try ws.auditEntries(["--action", "team.create"]).compactMap { $0.string("runId") })
            #expect(runIDs == [runs.first?.string("id") ?? "?"])

            let drift = try jsonObject(try ws.must(["status", "--format", "json", "--repo", ws.repository]))
            #expect((drift["drift"] as? [String: Any])?.int("total") == 0, "\(drift)")
        }
    }
}

private func dayAfter(_ day: String) -> String? {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withFullDate]
    formatter.timeZone = TimeZone(identifier: "UTC")
    return formatter.date(from: day).map { formatter.string(from: $0.addingTimeInterval(86_400)) }
}

extension ISO8601DateFormatter {
    static var withMilliseconds: ISO8601DateFormatter { withMilliseconds(offset: 0) }

    static func withMilliseconds(offset: Int) -> ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(secondsFromGMT: offset)
        return formatter
    }

    static var withoutMilliseconds: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter
    }
}
