import Foundation
import RosterTestSupport
import Testing

/// Where `token` is in the first line of `text` containing `marker`: (line, column), from 1.
private func position(of token: String, inLineContaining marker: String, of text: String) throws -> (line: Int, column: Int) {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    let index = try #require(lines.firstIndex { $0.contains(marker) }, "no line with \(marker)")
    let range = try #require(lines[index].range(of: token), "no \(token) in \(lines[index])")
    return (index + 1, range.lowerBound.utf16Offset(in: lines[index]) + 1)
}

/// A manifest file with one mistake, added to the examples as `teams/zz-broken.yaml`.
struct BrokenManifest: Sendable, CustomStringConvertible {
    static let file = "teams/zz-broken.yaml"

    var description: String
    var text: String
    /// The token the error must point at, in the first line containing `marker`; nil when
    /// only some `file:line:column` is expected (a YAML syntax error).
    var token: String?
    var marker: String?

    static func team(_ name: String, members: String, owner: String = "zed@example.com") -> String {
        """
        apiVersion: roster/v1
        kind: Team
        metadata:
          name: \(name)
        spec:
          owner: \(owner)
          members:
        \(members)
        """
    }

    static let all: [BrokenManifest] = [
        BrokenManifest(
            description: "unknown role",
            text: team("design", members: "    - email: zed@example.com\n      role: admin\n    - email: yan@example.com\n      role: superuser\n"),
            token: "superuser", marker: "role: superuser"),
        BrokenManifest(
            description: "misspelt field",
            text: team("design", members: "    - email: zed@example.com\n      role: admin\n").replacingOccurrences(of: "owner:", with: "ownr:"),
            token: "ownr", marker: "ownr:"),
        BrokenManifest(
            description: "invalid email",
            text: team("design", members: "    - email: zed@example.com\n      role: admin\n    - email: not-an-email\n      role: dev\n"),
            token: "not-an-email", marker: "not-an-email"),
        BrokenManifest(
            description: "team declared twice",
            text: team("inference", members: "    - email: zed@example.com\n      role: admin\n    - email: yan@example.com\n      role: admin\n"),
            token: "inference", marker: "name: inference"),
        BrokenManifest(
            description: "YAML syntax error",
            text: team("design", members: "    - email: zed@example.com\n      role: [admin\n"),
            token: nil, marker: nil),
    ]
}

@Suite("roster plan and apply: exit codes (SPEC section 3)")
struct PlanApplyCLITests {
    @Test("plan --detailed-exitcode: 2 with changes, 0 without; plain plan is 0 either way")
    func detailedExitcode() throws {
        try withWorkspace { ws in
            let commit = try ws.makeRepository()
            try ws.must(["team", "ceiling", "--team", "ml-research", "--per-hour", "120"])

            let changes = try ws.roster(["plan", "--repo", ws.repository, "--detailed-exitcode"])
            #expect(changes.status == 2, "\(changes)")
            #expect(changes.stdout.contains(examplesSummaryLine), "\(changes)")
            let plain = try ws.roster(["plan", "--repo", ws.repository])
            #expect(plain.status == 0, "\(plain)")
            let markdown = try ws.roster(["plan", "--repo", ws.repository, "--detailed-exitcode", "--format", "markdown"])
            #expect(markdown.status == 2, "\(markdown)")
            let json = try ws.roster(["plan", "--repo", ws.repository, "--detailed-exitcode", "--format", "json"])
            #expect(json.status == 2, "\(json)")

            try ws.must(["apply", "--repo", ws.repository, "--yes"])

            let none = try ws.roster(["plan", "--repo", ws.repository, "--detailed-exitcode"])
            #expect(none.status == 0, "\(none)")
            #expect(none.stdout == "No changes. The store matches \(commit.prefix(12)).\n", "\(none)")
            let noneJSON = try ws.roster(["plan", "--repo", ws.repository, "--detailed-exitcode", "--format", "json"])
            #expect(noneJSON.status == 0, "\(noneJSON)")
        }
    }

    @Test("plan on invalid manifests exits 1 with file:line:column on standard error", arguments: BrokenManifest.all)
    func invalidManifests(_ broken: BrokenManifest) throws {
        try withWorkspace { ws in
            try ws.makeRepository()
            try ws.must(["team", "ceiling", "--team", "ml-research", "--per-hour", "120"])
            try ws.write(broken.text, to: BrokenManifest.file)
            try ws.commit("a broken manifest")
            let head = try ws.auditHead()

            for source in [["--repo", ws.repository], ["--dir", ws.repository]] {
                for format in ["text", "json", "markdown"] {
                    let result = try ws.roster(["plan", "--format", format] + source)
                    #expect(result.status == 1, "\(source) \(format): \(result)")
                    if format == "markdown" {
                        // No plan, but the errors, for the pull-request comment.
                        #expect(result.stdout.hasPrefix("### Roster plan\n"), "\(result)")
                        #expect(result.stdout.contains("- `\(BrokenManifest.file):"), "\(result)")
                    } else {
                        #expect(result.stdout.isEmpty, "no plan is printed: \(result)")
                    }
                    let errors = result.stderr.split(separator: "\n").filter { $0.contains(": error: ") }
                    if let token = broken.token, let marker = broken.marker {
                        let (line, column) = try position(of: token, inLineContaining: marker, of: broken.text)
                        #expect(
                            errors.contains { $0.hasPrefix("\(BrokenManifest.file):\(line):\(column): error: ") },
                            "no error at \(BrokenManifest.file):\(line):\(column)\n\(result)")
                    } else {
                        let pattern = #/^teams/zz-broken\.yaml:\d+:\d+: error: /#
                        #expect(errors.contains { $0.firstMatch(of: pattern) != nil }, "\(result)")
                    }
                }
            }
            // apply refuses the same way, and the store is untouched.
            let apply = try ws.roster(["apply", "--repo", ws.repository, "--yes"])
            #expect(apply.status == 1, "\(apply)")
            #expect(apply.stderr.contains(BrokenManifest.file + ":"), "\(apply)")
            #expect(try ws.auditHead() == head)
            #expect(try ws.count("SELECT count(*) FROM teams") == 0)
        }
    }

    @Test("a spend limit above the approved ceiling is an error (1) until an operator raises the ceiling")
    func ceilingRule() throws {
        try withWorkspace { ws in
            try ws.makeRepository()
            let (line, column) = try position(
                of: "120", inLineContaining: "perHour: 120", of: try ws.read("teams/ml-research.yaml"))

            for format in ["text", "markdown", "json"] {
                let plan = try ws.roster(["plan", "--repo", ws.repository, "--format", format, "--detailed-exitcode"])
                #expect(plan.status == 1, "\(format): \(plan)")
                if format == "markdown" {
                    #expect(plan.stdout.contains("**The plan breaks 1 rule; nothing will be applied.**"), "\(plan)")
                    #expect(plan.stdout.contains("- `teams/ml-research.yaml:\(line):\(column)` **error**"), "\(plan)")
                } else {
                    #expect(plan.stdout.isEmpty, "\(plan)")
                }
                #expect(plan.stderr.contains("teams/ml-research.yaml:\(line):\(column): error: "), "\(plan)")
                #expect(plan.stderr.contains("roster team ceiling --team ml-research"), "\(plan)")
            }
            let apply = try ws.roster(["apply", "--repo", ws.repository, "--yes"])
            #expect(apply.status == 1, "\(apply)")
            #expect(try ws.auditHead() == nil, "nothing was applied")
            #expect(try ws.count("SELECT count(*) FROM teams") == 0)

            let out = ws.folder + "/p.json"
            let save = try ws.roster(["plan", "--repo", ws.repository, "--out", out])
            #expect(save.status == 1, "\(save)")
            #expect(!FileManager.default.fileExists(atPath: out), "a forbidden plan is not saved")

            try ws.must(["team", "ceiling", "--team", "ml-research", "--per-hour", "120"])
            let allowed = try ws.roster(["plan", "--repo", ws.repository, "--detailed-exitcode"])
            #expect(allowed.status == 2, "\(allowed)")
            #expect(allowed.stdout.contains("+ create team ml-research"), "\(allowed)")
        }
    }

    enum RuleBreak: String, CaseIterable, Sendable {
        case spendLimitAboveDefaultCeiling, ownerNotYetMember
    }

    @Test("a plan that breaks a rule on an applied store exits 1 and apply changes nothing", arguments: RuleBreak.allCases)
    func ruleBreaks(_ rule: RuleBreak) throws {
        try withWorkspace { ws in
            try ws.appliedExamples()
            switch rule {
            case .spendLimitAboveDefaultCeiling:
                try ws.edit(
                    "teams/inference.yaml", replacing: "  # no spendLimit: the default, $80.00 per hour\n",
                    with: "  spendLimit:\n    perHour: 95\n")
            case .ownerNotYetMember:
                // dmitri is a declared admin but has only been invited.
                try ws.edit("teams/ml-research.yaml", replacing: "owner: alice@example.com", with: "owner: dmitri@example.com")
            }
            try ws.commit("break a rule")
            let head = try #require(try ws.auditHead())

            let plan = try ws.roster(["plan", "--repo", ws.repository, "--detailed-exitcode"])
            #expect(plan.status == 1, "\(plan)")
            #expect(plan.stderr.contains(": error: spec."), "\(plan)")
            let apply = try ws.roster(["apply", "--repo", ws.repository, "--yes"])
            #expect(apply.status == 1, "\(apply)")
            let reconcile = try ws.roster(["reconcile", "--repo", ws.repository])
            #expect(reconcile.status == 1, "\(reconcile)")
            #expect(try ws.auditHead() == head, "nothing was applied")
        }
    }

    @Test("apply without --yes when standard input is not a terminal is a usage error (64)")
    func applyNeedsYes() throws {
        try withWorkspace { ws in
            try ws.makeRepository()
            try ws.must(["team", "ceiling", "--team", "ml-research", "--per-hour", "120"])
            let plan = ws.folder + "/p.json"
            try ws.must(["plan", "--repo", ws.repository, "--out", plan])
            let head = try ws.auditHead()

            for arguments in [["apply", "--repo", ws.repository], ["apply", plan], ["apply", "--dir", ws.repository]] {
                let result = try ws.roster(arguments)
                #expect(result.status == 64, "\(arguments): \(result)")
                #expect(result.stderr.contains("--yes"), "\(result)")
            }
            #expect(try ws.auditHead() == head)
            #expect(try ws.count("SELECT count(*) FROM teams") == 0)
            // The saved plan is still good: nothing moved the store.
            try ws.must(["apply", plan, "--yes"])
            #expect(try ws.count("SELECT count(*) FROM teams") == 4)
        }
    }

    enum Mover: String, CaseIterable, Sendable {
        case teamCeiling, anotherApply, anotherSavedPlan, invitationAccepted
    }

    @Test("a saved plan applied after the store moved is refused as stale (3)", arguments: Mover.allCases)
    func stalePlan(_ mover: Mover) throws {
        try withWorkspace { ws in
            try ws.appliedExamples()
            try ws.edit("teams/ml-research.yaml", replacing: "role: basic", with: "role: dev")
            try ws.commit("frank becomes a dev")
            let plan = ws.folder + "/p.json"
            try ws.must(["plan", "--repo", ws.repository, "--out", plan])

            switch mover {
            case .teamCeiling:
                try ws.must(["team", "ceiling", "--team", "inference", "--per-hour", "90"])
            case .anotherApply:
                try ws.must(["apply", "--repo", ws.repository, "--yes"])
            case .anotherSavedPlan:
                let other = ws.folder + "/q.json"
                try ws.must(["plan", "--repo", ws.repository, "--out", other])
                try ws.must(["apply", other, "--yes"])
            case .invitationAccepted:
                let link = try ws.must(["invite", "link", "--team", "inference", "--email", "ivan@example.com"])
                try ws.must(["invite", "accept", link.stdout.trimmingCharacters(in: .newlines), "--email", "ivan@example.com"])
            }
            let head = try ws.auditHead()
            let version = try ws.count("SELECT value FROM meta WHERE key = 'state_version'")

            let stale = try ws.roster(["apply", plan, "--yes"])
            #expect(stale.status == 3, "\(stale)")
            #expect(stale.stderr.contains("stale plan"), "\(stale)")
            #expect(try ws.auditHead() == head, "a refused apply writes nothing")
            #expect(try ws.count("SELECT value FROM meta WHERE key = 'state_version'") == version)

            // Planning again gets a plan that applies.
            try ws.must(["plan", "--repo", ws.repository, "--out", plan])
            try ws.must(["apply", plan, "--yes"])
            let done = try ws.roster(["plan", "--repo", ws.repository, "--detailed-exitcode"])
            #expect(done.status == 0, "\(done)")
        }
    }

    enum ApplyForm: String, CaseIterable, Sendable {
        case fromSource, savedPlan, reconcile
    }

    @Test("removals over maxRemovals are refused (3) with nothing applied; --allow-mass-removal lifts it", arguments: ApplyForm.allCases)
    func maxRemovals(_ form: ApplyForm) throws {
        try withWorkspace { ws in
            try ws.makeRepository()
            try ws.write(
                """
                apiVersion: roster/v1
                kind: Config
                spec:
                  paths: [teams]
                  safety: {maxRemovals: 1}

                """, to: "roster.yaml")
            try ws.commit("at most one removal per apply")
            try ws.must(["team", "ceiling", "--team", "ml-research", "--per-hour", "120"])
            try ws.must(["apply", "--repo", ws.repository, "--yes"])
            try ws.edit("teams/ml-research.yaml", replacing: "    - email: erin@example.com\n      role: dev\n", with: "")
            try ws.edit("teams/ml-research.yaml", replacing: "    - email: frank@example.com\n      role: basic\n", with: "")
            try ws.commit("erin and frank leave")
            let head = try #require(try ws.auditHead())
            let entries = try ws.auditEntries().count

            let plan = try ws.roster(["plan", "--repo", ws.repository])
            #expect(plan.status == 0, "\(plan)")
            #expect(plan.stderr.contains("maxRemovals (1)"), "the plan warns: \(plan)")
            let markdown = try ws.roster(["plan", "--repo", ws.repository, "--format", "markdown"])
            #expect(markdown.stdout.contains("> [!WARNING]") && markdown.stdout.contains("maxRemovals"), "\(markdown)")
            let json = try jsonObject(try ws.roster(["plan", "--repo", ws.repository, "--format", "json"]))
            #expect((json["warnings"] as? [String])?.contains { $0.contains("maxRemovals") } == true, "\(json)")

            let savedPlan = ws.folder + "/p.json"
            let command: [String]
            switch form {
            case .fromSource: command = ["apply", "--repo", ws.repository, "--yes"]
            case .savedPlan:
                try ws.must(["plan", "--repo", ws.repository, "--out", savedPlan])
                command = ["apply", savedPlan, "--yes"]
            case .reconcile: command = ["reconcile", "--repo", ws.repository]
            }
            let refused = try ws.roster(command)
            #expect(refused.status == 3, "\(refused)")
            #expect(refused.stderr.contains("maxRemovals"), "\(refused)")
            #expect(try ws.auditHead() == head, "nothing applied")
            #expect(try ws.auditEntries().count == entries)
            #expect(try ws.count("SELECT count(*) FROM invitations WHERE status = 'revoked'") == 0)

            // A flag can only tighten the limit: --max-removals 5 does not lift roster.yaml's 1.
            if form != .savedPlan {
                let loosened = try ws.roster(command + ["--max-removals", "5"])
                #expect(loosened.status == 3, "\(loosened)")
            }

            // The refused run did not move the store, so a saved plan is still fresh.
            let allowed = try ws.roster(command + ["--allow-mass-removal"])
            #expect(allowed.status == 0, "\(allowed)")
            let revocations = try ws.auditEntries(["--action", "invite.revoke"])
            #expect(
                Set(revocations.compactMap { $0.string("resourceId") })
                    == ["ml-research/erin@example.com", "ml-research/frank@example.com"], "\(revocations)")
            #expect(try ws.auditEntries().count == entries + 2)
        }
    }

    @Test(
        "a second writer while the lock is held is refused (3), naming the holder",
        .enabled(if: StoreBackend.isSQLite, "holds SQLite's lock file with flock; PostgresCLITests holds PostgreSQL's row lock"),
        arguments: [["apply", "--yes"], ["reconcile"]])
    func lockHeld(_ command: [String]) throws {
        try withWorkspace { ws in
            try ws.makeRepository()
            try ws.must(["team", "ceiling", "--team", "ml-research", "--per-hour", "120"])
            let head = try ws.auditHead()

            // util-linux flock holds the lock; the shell it runs writes a holder line into the
            // lock file (as Roster does) and becomes `sleep`, so $$ is the sleeping process.
            let lock = try LockHolder(ws)
            defer { lock.release() }
            let line = lock.line

            let refused = try ws.roster(command + ["--repo", ws.repository, "--lock-timeout", "0.3"])
            #expect(refused.status == 3, "\(refused)")
            #expect(refused.stderr.contains(line), "the refusal names the holder: \(refused)")
            #expect(try ws.auditHead() == head, "nothing was applied")

            lock.release()
            let after = try ws.roster(command + ["--repo", ws.repository, "--lock-timeout", "10"])
            #expect(after.status == 0, "the lock is free again: \(after)")
        }
    }

    @Test(
        "invite accept and team ceiling wait --lock-timeout for another writer, then are refused (3), naming the holder",
        .enabled(if: StoreBackend.isSQLite, "holds SQLite's lock file with flock"))
    func lockHeldOutsideRuns() throws {
        try withWorkspace { ws in
            try ws.appliedExamples()
            let link = try ws.must(["invite", "link", "--team", "ml-research", "--email", "bob@example.com"]).stdout
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let head = try ws.auditHead()
            let writers = [
                ["team", "ceiling", "--team", "ml-research", "--per-hour", "130"],
                ["invite", "accept", link, "--email", "bob@example.com"],
            ]
            let lock = try LockHolder(ws)
            defer { lock.release() }
            let line = lock.line
            for command in writers {
                let refused = try ws.roster(command + ["--lock-timeout", "0.3"])
                #expect(refused.status == 3, "\(refused)")
                #expect(refused.stderr.contains(line), "the refusal names the holder: \(refused)")
            }
            #expect(try ws.auditHead() == head, "nothing was written")
            #expect(try ws.roster(["team", "ceiling", "--team", "ml-research", "--per-hour", "130", "--lock-timeout", "-1"]).status == 64)

            lock.release()
            for command in writers {
                let after = try ws.roster(command + ["--lock-timeout", "10"])
                #expect(after.status == 0, "the lock is free again: \(after)")
            }
            // bob is in a team now: his API key comes without a warning.
            let key = try ws.must(["apikey", "create", "--email", "bob@example.com"])
            #expect(!key.stderr.contains("warning"), "\(key.stderr)")
        }
    }

    @Test(
        "a saved plan that renames a team applies, whatever the new name spells",
        arguments: ["Web Platform", "dev", "admin", "ops@example.com"])
    func savedPlanRename(_ name: String) throws {
        try withWorkspace { ws in
            try ws.makeRepository(files: [
                "teams/web.yaml": BrokenManifest.team("web", members: "    - email: zed@example.com\n      role: admin\n")
                    .replacingOccurrences(of: "spec:\n", with: "spec:\n  displayName: Web\n")
            ])
            try ws.must(["apply", "--repo", ws.repository, "--yes"])
            try ws.edit("teams/web.yaml", replacing: "displayName: Web", with: "displayName: \"\(name)\"")
            try ws.commit("rename web")
            let plan = ws.folder + "/p.json"
            try ws.must(["plan", "--repo", ws.repository, "--out", plan])
            let head = try ws.auditHead()

            // A saved plan reads before/after by action: a name that spells a role or an email
            // stays a name.
            let apply = try ws.roster(["apply", plan, "--yes"])
            #expect(apply.status == 0, "\(apply)")
            #expect(try ws.sql("SELECT display_name FROM teams WHERE slug = 'web'") == name)
            if try ws.auditHead() == head {
                // Planning and applying in one go is not affected.
                try ws.must(["apply", "--repo", ws.repository, "--yes"])
            }
            #expect(try ws.sql("SELECT display_name FROM teams WHERE slug = 'web'") == name)
            let done = try ws.roster(["plan", "--repo", ws.repository, "--detailed-exitcode"])
            #expect(done.status == 0, "\(done)")
        }
    }

    @Test(
        "bad flags are usage errors (64) and touch no store",
        arguments: [
            ["plan", "--format", "xml"],
            ["plan", "--repo", "r", "--dir", "d"],
            ["plan", "--max-removals", "-1"],
            ["apply", "p.json", "--repo", "r", "--yes"],
            ["apply", "--yes", "--lock-timeout", "-1"],
            // Numbers no timer holds: once a crash (a trap converting them), now refused.
            ["apply", "--yes", "--lock-timeout", "nan"],
            ["apply", "--yes", "--lock-timeout", "inf"],
            ["reconcile", "--lock-timeout", "1e300"],
            ["reconcile", "--watch", "--interval", "inf"],
            ["reconcile", "--watch", "--interval", "400d"],
            ["invite", "accept", "--token", "x", "--email", "a@example.com", "--lock-timeout", "inf"],
            ["team", "ceiling", "--team", "ml-research", "--per-hour", "100", "--lock-timeout", "nan"],
            ["audit", "--since", "nonsense"],
            ["audit", "--until", "23/11/2026"],
            ["audit", "--resource-type", "user"],
            ["audit", "--limit", "0"],
            ["audit", "--format", "xml"],
            ["audit", "verify", "--head", "nothex"],
            ["audit", "verify", "--head", "3:" + String(repeating: "g", count: 64)],
            ["audit", "verify", "--head", "3:abc"],
            ["audit", "--store", "postgres://x"],
            ["plan", "--store", "postgres://x"],
            ["apply", "--yes", "--store", "postgresql://h/db"],
            ["plan", "--store", "postgres://u@h/db?sslmode=maybe"],
            ["plan", "--store", "postgres://u:secret@h/db?sslmode=maybe"],
            ["audit", "--store", "mysql:x"],
            ["status", "--store", "mysql:x"],
            ["audit", "head", "--store", "sqlite:"],
            ["team", "ceiling", "--team", "ml-research", "--per-hour", "-1"],
            ["team", "ceiling", "--team", "ml-research", "--per-hour=-1"],
            ["team", "ceiling", "--team", "ml-research", "--per-hour", "1.234"],
            ["team", "ceiling", "--team", "ML_Research", "--per-hour", "100"],
            ["reconcile", "--interval", "soon"],
            ["invite", "link", "--team", "ml-research"],
            ["diff", "--base", "HEAD~1"],
        ])
    func usageErrors(_ arguments: [String]) throws {
        try withScratchFolder { folder in
            let result = try roster(arguments, in: folder)
            #expect(result.status == 64, "\(result)")
            #expect(!result.stderr.isEmpty, "\(result)")
            #expect(!FileManager.default.fileExists(atPath: folder + "/roster.db"), "a usage error opens no store")
        }
    }
}

/// Another process holding the SQLite store's writer lock, as a writer elsewhere would: util-linux
/// `flock` holds it, and the shell it runs writes a holder line into the lock file (as Roster
/// does) and becomes `sleep`, so the pid in that line is the sleeping process.
private final class LockHolder {
    private let holder: BackgroundProcess
    private var sleeper: pid_t?
    /// The holder line Roster must name in its refusal.
    let line: String

    init(_ ws: Workspace) throws {
        holder = try BackgroundProcess(
            URL(fileURLWithPath: "/bin/sh"),
            ["-c", #"exec flock "$LOCK" sh -c 'echo "pid $$ (lock-holder-test)" > "$LOCK"; exec sleep 30'"#],
            in: ws.folder, environment: ["LOCK": ws.lockFile])
        let read: () -> String? = {
            (try? String(contentsOfFile: ws.lockFile, encoding: .utf8))?.split(separator: "\n").first
                .flatMap { $0.contains("lock-holder-test") ? String($0) : nil }
        }
        guard poll({ read() != nil }), let line = read() else {
            holder.stop(with: SIGKILL)
            throw LockHolderError(description: "the holder never took the lock: \(holder.wait())")
        }
        self.line = line
        sleeper = line.split(separator: " ").dropFirst().first.flatMap { pid_t($0) }
    }

    /// Ends the holder, freeing the lock; safe to call again.
    func release() {
        if let sleeper { kill(sleeper, SIGKILL) }
        sleeper = nil
        holder.stop(with: SIGKILL)
    }
}

private struct LockHolderError: Error, CustomStringConvertible {
    var description: String
}
