import Foundation
import RosterTestSupport
import Testing

/// The option and section headers of a `--help` text (lines like `OPTIONS:`).
private func helpHeaders(_ help: String) -> [String] {
    help.split(separator: "\n").map(String.init).filter { !$0.hasPrefix(" ") && $0.hasSuffix(":") && $0 == $0.uppercased() }
}

@Suite("The command line, as a newcomer meets it")
struct NewcomerCLITests {
    @Test(
        "a mistyped subcommand gets the nearest one, exit 64",
        arguments: [
            (["aply"], "Did you mean 'roster apply'?"),
            (["audti", "verify"], "Did you mean 'roster audit'?"),
            (["audit", "verfy"], "Did you mean 'roster audit verify'?"),
            (["valdiate", "--dir", "."], "Did you mean 'roster validate'?"),
            (["invite", "lnk", "--team", "t"], "Did you mean 'roster invite link'?"),
        ])
    func mistypedSubcommand(_ arguments: [String], _ suggestion: String) throws {
        let result = try roster(arguments)
        #expect(result.status == 64, "\(result)")
        #expect(result.stderr.contains(suggestion), "\(result)")
        #expect(result.stdout.isEmpty, "\(result)")
    }

    @Test("a word near no subcommand lists them, exit 64")
    func unknownSubcommand() throws {
        let result = try roster(["frobnicate"])
        #expect(result.status == 64, "\(result)")
        #expect(result.stderr.contains("Unknown command 'frobnicate'"), "\(result)")
        #expect(result.stderr.contains("validate, plan, apply"), "\(result)")
        // Mistyped options keep ArgumentParser's own suggestion.
        let option = try roster(["validate", "--verbos"])
        #expect(option.status == 64 && option.stderr.contains("Did you mean '--verbose'?"), "\(option)")
    }

    /// Every command a person runs, with what its help must not offer.
    static let commands: [(path: [String], links: Bool, store: Bool)] = [
        (["validate"], false, false), (["plan"], false, true), (["apply"], false, true), (["reconcile"], true, true),
        (["diff"], false, false), (["status"], false, true), (["audit"], false, true), (["audit", "list"], false, true),
        (["audit", "verify"], false, true), (["audit", "head"], false, true), (["export"], false, true),
        (["invite", "list"], true, true), (["invite", "link"], true, true), (["invite", "accept"], true, true), (["team", "ceiling"], false, true),
        (["serve"], true, true), (["apikey", "create"], false, true), (["apikey", "list"], false, true),
        (["apikey", "revoke"], false, true), (["store", "copy"], false, false), (["schema"], false, false),
    ]

    @Test("each command's --help shows an example, its own options, and the store and key options last")
    func helpScreens() throws {
        for command in Self.commands {
            let result = try roster(command.path + ["--help"])
            let name = command.path.joined(separator: " ")
            #expect(result.status == 0, "\(name): \(result)")
            let help = result.stdout
            #expect(help.contains("Example"), "\(name) has no example:\n\(help)")
            #expect(help.contains("\n  roster \(name) ") || help.contains("\n  roster \(name)\n"), "\(name):\n\(help)")
            #expect(help.contains("  --secret-key-file <") == command.links, "\(name):\n\(help)")
            #expect(help.contains("  --base-url <") == command.links, "\(name):\n\(help)")
            if command.path != ["store", "copy"] {
                #expect(help.contains("  --store <") == command.store, "\(name):\n\(help)")
            }
            let headers = helpHeaders(help).filter { $0 != "SUBCOMMANDS:" }
            if command.links {
                #expect(headers.suffix(2) == ["STORE OPTIONS:", "INVITATION LINK OPTIONS:"], "\(name): \(headers)")
            } else if command.store {
                #expect(headers.last == "STORE OPTIONS:", "\(name): \(headers)")
            }
        }
        // `roster help plan` is laid out the same way.
        let help = try roster(["help", "plan"])
        #expect(helpHeaders(help.stdout).last == "STORE OPTIONS:", "\(help)")
    }

    @Test("validate and diff still accept --store, for scripts that pass it everywhere")
    func storeAccepted() throws {
        let result = try roster(["validate", "--dir", examples, "--store", "sqlite:/nonexistent/roster.db"])
        #expect(result.status == 0, "\(result)")
    }

    @Test("roster audit --help shows the filters, and shell completions offer them on audit")
    func auditFilters() throws {
        let help = try roster(["audit", "--help"])
        #expect(help.status == 0, "\(help)")
        for option in ["--since", "--until", "--user", "--resource-type", "--resource-id", "--action", "--team", "--run", "--limit", "--format"] {
            #expect(help.stdout.contains(option), "\(option) missing:\n\(help.stdout)")
        }
        #expect(helpHeaders(help.stdout).contains("FILTERS:"), "\(help)")
        #expect(help.stdout.contains("verify"), "\(help)")

        let bash = try roster(["--generate-completion-script", "bash"])
        #expect(bash.status == 0, "\(bash)")
        let audit = try #require(functionBody("_roster_audit", in: bash.stdout), "\(bash.stdout)")
        for option in ["--since", "--resource-type", "--run", "--action"] {
            #expect(audit.contains(option), "\(option) not completed after `roster audit`:\n\(audit)")
        }
        let zsh = try roster(["--generate-completion-script", "zsh"])
        let zshAudit = try #require(functionBody("_roster_audit", in: zsh.stdout), "\(zsh.stdout)")
        #expect(zshAudit.contains("--resource-type"), "\(zshAudit)")
    }

    /// The text of shell function `name` (from `name()` to the next line that is `}`).
    private func functionBody(_ name: String, in script: String) -> String? {
        guard let start = script.range(of: "\n\(name)() {") else { return nil }
        let rest = script[start.upperBound...]
        let end = rest.range(of: "\n}\n")?.lowerBound ?? rest.endIndex
        return String(rest[..<end])
    }

    @Test("the audit log lists with filters with or without `list`")
    func auditListing() throws {
        try withWorkspace { ws in
            try ws.appliedExamples()
            let bare = try ws.must(["audit", "--team", "finance", "--format", "json"])
            let listed = try ws.must(["audit", "list", "--team", "finance", "--format", "json"])
            #expect(!bare.stdout.isEmpty && bare.stdout == listed.stdout, "\(bare)\n\(listed)")
            #expect(try ws.must(["audit", "verify"]).stdout.contains("intact"))
        }
    }

    @Test("a large plan shows its summary and the first lines of each team; --verbose shows every line")
    func largePlan() throws {
        try withWorkspace { ws in
            var files: [String: String] = [:]
            // 55 teams of 2 admins, the first with 30 members more: 32 changes there (its creation,
            // with its owner, and 31 invitations), 2 in each of the others.
            files["teams/a-big.yaml"] = teamManifest("a-big", members: 30)
            for i in 1..<55 { files["teams/t\(String(format: "%02d", i)).yaml"] = teamManifest("t\(String(format: "%02d", i))") }
            try ws.makeRepository(files: files)
            let plan = try ws.must(["plan", "--repo", ws.repository])
            let lines = plan.stdout.split(separator: "\n").map(String.init)
            #expect(lines.last?.hasPrefix("Plan: 85 invitations") == true, "\(plan)")
            #expect(lines.filter { $0.hasPrefix("# team ") }.count == 50, "\(plan)")
            let big = lines.drop { $0 != "# team a-big" }.dropFirst().prefix { !$0.hasPrefix("# team ") }
            #expect(big.count == 21, "\(big)")
            #expect(big.last == "  … 12 more (--verbose shows all)", "\(big)")
            #expect(lines.contains("… 10 more changes in 5 more teams (--verbose shows all)"), "\(plan)")
            #expect(lines.count < 300, "\(lines.count) lines")

            let verbose = try ws.must(["plan", "--repo", ws.repository, "--verbose"])
            let all = verbose.stdout.split(separator: "\n")
            #expect(all.filter { $0.hasPrefix("# team ") }.count == 55, "\(verbose)")
            #expect(!verbose.stdout.contains("more (--verbose"), "\(verbose)")
            #expect(all.filter { $0.hasPrefix("  + ") }.count == 85 + 55, "\(verbose)")

            let apply = try ws.must(["apply", "--repo", ws.repository, "--yes"])
            #expect(apply.stdout.contains("  … 12 more (--verbose shows all)"), "\(apply)")
            #expect(apply.stdout.contains("Applied 140 changes"), "\(apply)")
        }
    }

    @Test(
        "the invalid summary counts errors and the files they are in",
        arguments: [
            // (errors per file, the summary)
            ([2, 0, 0], "Invalid: 2 errors in 1 of 3 files."),
            ([1, 0, 0], "Invalid: 1 error in 1 of 3 files."),
            ([1, 1, 0], "Invalid: 2 errors in 2 of 3 files."),
            ([1, 2, 1], "Invalid: 4 errors in 3 files."),
        ])
    func errorSummary(_ errorsPerFile: [Int], _ summary: String) throws {
        try withScratchFolder { folder in
            for (index, errors) in errorsPerFile.enumerated() {
                // Each error an unknown role.
                var text = teamManifest("team\(index)")
                for e in 0..<errors { text += "    - email: x\(e)@example.com\n      role: superuser\n" }
                try Data(text.utf8).write(to: URL(fileURLWithPath: folder + "/team\(index).yaml"))
            }
            let result = try roster(["validate", "--dir", folder])
            #expect(result.status == 1, "\(result)")
            let lines = result.stdout.split(separator: "\n").map(String.init)
            #expect(lines.filter { $0.contains(": error: ") }.count == errorsPerFile.reduce(0, +), "\(result)")
            #expect(lines.last == summary, "\(result)")
        }
    }

    @Test("plan --out says on standard error where it saved the plan; --quiet says nothing")
    func planOut() throws {
        try withWorkspace { ws in
            try ws.makeRepository()
            try ws.must(["team", "ceiling", "--team", "ml-research", "--per-hour", "120", "--actor", "ops@example.com"])
            let file = ws.folder + "/plan.json"
            let saved = try ws.must(["plan", "--repo", ws.repository, "--out", file])
            #expect(saved.stderr == "Saved the plan to \(file); apply it with `roster apply \(file)`.\n", "\(saved)")
            #expect(saved.stdout.contains(examplesSummaryLine), "\(saved)")
            #expect(FileManager.default.fileExists(atPath: file))
            let quiet = try ws.must(["plan", "--repo", ws.repository, "--out", file, "--quiet"])
            #expect(quiet.stderr.isEmpty && quiet.stdout.isEmpty, "\(quiet)")
        }
    }

    @Test("diff names its base and head commits, not a store version")
    func diffNamesCommits() throws {
        try withWorkspace { ws in
            let first = try ws.makeRepository()
            try ws.edit("teams/finance.yaml", replacing: "mallory@example.com\n      role: billing", with: "mallory@example.com\n      role: dev")
            let second = try ws.commit("mallory builds")
            let (base, head) = ("`HEAD~1` (\(first.prefix(12)))", "`HEAD` (\(second.prefix(12)))")
            let arguments = ["diff", "--repo", ws.repository, "--base", "HEAD~1", "--head", "HEAD"]

            let markdown = try ws.must(arguments + ["--format", "markdown"])
            #expect(markdown.stdout.contains("From the base \(base) to the head \(head)."), "\(markdown)")
            #expect(!markdown.stdout.contains("store version"), "\(markdown)")

            let text = try ws.must(arguments)
            #expect(text.stdout.hasPrefix("From the base \(base) to the head \(head):\n"), "\(text)")
            #expect(text.stdout.contains("~ mallory@example.com: billing → dev"), "\(text)")

            let json = try jsonObject(try ws.must(arguments + ["--format", "json"]))
            #expect((json["base"] as? [String: Any])?.string("commit") == first, "\(json)")

            let none = try ws.must(["diff", "--repo", ws.repository, "--base", "HEAD", "--head", "HEAD"])
            #expect(none.stdout == "No changes. The head \(head) declares what the base \(head) does.\n", "\(none)")

            // A plan against the store keeps its store version.
            let plan = try ws.roster(["plan", "--repo", ws.repository, "--format", "markdown"])
            #expect(!plan.stdout.contains("From the base"), "\(plan)")
        }
    }

    @Test("plan --format markdown on invalid manifests prints the errors as Markdown and exits 1")
    func markdownErrors() throws {
        try withWorkspace { ws in
            try ws.makeRepository(files: ["teams/web.yaml": teamManifest("web") + "    - email: x@example.com\n      role: superuser\n"])
            let result = try ws.roster(["plan", "--repo", ws.repository, "--format", "markdown"])
            #expect(result.status == 1, "\(result)")
            #expect(result.stdout.hasPrefix("### Roster plan\n"), "\(result)")
            #expect(result.stdout.contains("**Invalid manifests: 1 error; nothing was planned.**"), "\(result)")
            let item = result.stdout.split(separator: "\n").first { $0.hasPrefix("- `teams/web.yaml:") }
            #expect(item?.contains("**error**") == true && item?.contains("superuser") == true, "\(result)")
            #expect(result.stderr.contains("teams/web.yaml:"), "\(result)")

            // Text stays off standard output.
            let text = try ws.roster(["plan", "--repo", ws.repository])
            #expect(text.status == 1 && text.stdout.isEmpty, "\(text)")

            // A diff reads only what the change touches: whole trees, to see the broken file.
            let diff = try ws.roster(["diff", "--repo", ws.repository, "--base", "HEAD", "--head", "HEAD", "--format", "markdown", "--no-cache"])
            #expect(diff.status == 1 && diff.stdout.contains("superuser"), "\(diff)")
        }
    }
}
