import Foundation
import RosterTestSupport
import Testing

/// `roster store copy` as the README's "Moving from SQLite" has a newcomer use it.
@Suite("roster store copy", .enabled(if: StoreBackend.isPostgres, "needs PostgreSQL (ROSTER_TEST_STORE=postgres)"))
struct StoreCopyCLITests {
    @Test("the example store moves from SQLite to PostgreSQL and back: the same links, the same audit head, verified")
    func roundTrip() async throws {
        try await withScratchFolder(prefix: "roster-copy") { folder in
            let sqlite = try await Workspace.make(folder: folder, backend: .sqlite)
            try sqlite.makeRepository()
            try sqlite.must(["team", "ceiling", "--team", "ml-research", "--per-hour", "120"])
            try sqlite.must(["apply", "--yes", "--repo", sqlite.repository])
            let head = try sqlite.must(["audit", "head"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let link = try sqlite.must(["invite", "link", "--team", "ml-research", "--email", "bob@example.com"]).stdout

            let target = try await TestPostgres.freshDatabaseURL()
            let copied = try roster(["store", "copy", "--from", sqlite.storeURL, "--to", target], in: folder)
            #expect(copied.status == 0, "\(copied)")
            #expect(copied.stdout.contains("4 teams") && copied.stdout.contains("19 audit entries"), "\(copied)")
            #expect(copied.stdout.contains("verifies") && copied.stdout.contains(head), "\(copied)")
            #expect(!copied.stdout.contains(try #require(URLComponents(string: target)?.password)), "the password is printed")

            let key = ["--secret-key-file", sqlite.database + ".key"]
            let verify = try roster(["audit", "verify", "--store", target, "--head", head], in: folder)
            #expect(verify.status == 0 && verify.stdout.contains("intact"), "\(verify)")
            let copiedLink = try roster(
                ["invite", "link", "--store", target, "--team", "ml-research", "--email", "bob@example.com"] + key, in: folder)
            #expect(copiedLink.status == 0 && copiedLink.stdout == link, "\(copiedLink)")
            let plan = try roster(["plan", "--store", target, "--repo", sqlite.repository], in: folder)
            #expect(plan.stdout.contains("No changes"), "\(plan)")

            // Into a store that holds anything: refused, exit 1, nothing changed.
            let again = try roster(["store", "copy", "--from", sqlite.storeURL, "--to", target], in: folder)
            #expect(again.status == 1 && again.stderr.contains("not empty"), "\(again)")
            #expect(try roster(["audit", "head", "--store", target], in: folder).stdout.contains(head))

            // And back, into a new SQLite file.
            let back = "sqlite:" + folder + "/back.db"
            let returned = try roster(["store", "copy", "--from", target, "--to", back, "--quiet"], in: folder)
            #expect(returned.status == 0 && returned.stdout == head + "\n", "\(returned)")
            let backLink = try roster(
                ["invite", "link", "--store", back, "--team", "ml-research", "--email", "bob@example.com"] + key, in: folder)
            #expect(backLink.stdout == link, "\(backLink)")
        }
    }

    @Test("bad URLs are usage errors that never show a password", arguments: [
        ["store", "copy", "--from", "sqlite:a.db", "--to", "postgres://ann:Pw/Secret@host/db"],
        ["store", "copy", "--from", "postgres://ann:Pw/Secret@host/db?sslmode=maybe", "--to", "sqlite:b.db"],
        ["store", "copy", "--from", "sqlite:a.db", "--to", "sqlite:a.db"],
        ["store", "copy", "--from", "sqlite:a.db"],
    ])
    func usage(_ arguments: [String]) throws {
        try withScratchFolder { folder in
            let result = try roster(arguments, in: folder)
            #expect(result.status == 64, "\(result)")
            #expect(!(result.stdout + result.stderr).contains("Pw/Secret"), "\(result)")
            #expect(!FileManager.default.fileExists(atPath: folder + "/a.db"), "a usage error opens no store")
        }
    }
}
