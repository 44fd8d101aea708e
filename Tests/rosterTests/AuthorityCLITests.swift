import Foundation
import RosterTestSupport
import Testing

/// Team `web`: alice owns it, bob is a dev; ops may create teams.
private let files = [
    "roster.yaml": """
        apiVersion: roster/v1
        kind: Config
        spec:
          paths: [teams]
          policy:
            teamCreators: [ops@example.com]

        """,
    "teams/web.yaml": """
        apiVersion: roster/v1
        kind: Team
        metadata:
          name: web
        spec:
          displayName: Web
          owner: alice@example.com
          members:
            - email: alice@example.com
              role: admin
            - email: bob@example.com
              role: dev

        """,
]

private let frank = "    - email: frank@example.com\n      role: dev\n"

@Suite("change authority: roster diff --require-authorized, roster codeowners, reconcile's check")
struct AuthorityCLITests {
    @Test("a pull request by a team's dev shows who must approve it and fails the required check")
    func nonAdminNeedsApproval() throws {
        try withWorkspace { ws in
            try ws.makeRepository(files: files)
            try ws.write(try ws.read("teams/web.yaml") + frank, to: "teams/web.yaml")
            try ws.commit("bob invites frank", author: "Bob@Example.com")
            let diff = ["diff", "--repo", ws.repository, "--base", "HEAD~1", "--head", "HEAD"]

            let markdown = try ws.roster(diff + ["--format", "markdown", "--require-authorized"])
            #expect(markdown.status == 3, "\(markdown)")
            #expect(markdown.stdout.contains("**Needs approval.** `bob@example.com` may not make the changes in 1 of 1 team"), "\(markdown)")
            #expect(markdown.stdout.contains("| `web` | Invite team members | no (bob@example.com is dev there and lacks Invite team members) | alice@example.com |"), "\(markdown)")
            #expect(markdown.stderr.contains("error: 1 of 1 team needs approval. (--require-authorized)"), "\(markdown)")
            #expect(markdown.stderr.contains("web: approval from alice@example.com"), "\(markdown)")

            let text = try ws.roster(diff)
            #expect(text.status == 0, "without --require-authorized the verdict is only shown: \(text)")
            #expect(text.stdout.contains("Authority of bob@example.com (each team as the base declares it):\n  web: needs approval from alice@example.com"), "\(text)")

            let json = try jsonObject(try ws.roster(diff + ["--format", "json"]))
            let authority = try #require(json["authority"] as? [String: Any], "\(json)")
            #expect(authority["authorized"] as? Bool == false && authority["author"] as? String == "bob@example.com")
            let team = try #require((authority["teams"] as? [[String: Any]])?.first)
            #expect(team["approvers"] as? [String] == ["alice@example.com"] && team["authorRole"] as? String == "dev", "\(team)")
            #expect(team["missing"] as? [String] == ["inviteMembers"], "\(team)")

            // The admin's own approval is the author being the admin.
            let asAdmin = try ws.roster(diff + ["--require-authorized", "--author", "Alice@example.com"])
            #expect(asAdmin.status == 0, "\(asAdmin)")
            #expect(asAdmin.stdout.contains("  web: authorized (admin)\nAuthorized: every change in 1 team."), "\(asAdmin)")
            let exitcodes = try ws.roster(diff + ["--require-authorized", "--detailed-exitcode"])
            #expect(exitcodes.status == 3, "refused before 'has changes': \(exitcodes)")
            let badAuthor = try ws.roster(diff + ["--author", "alice"])
            #expect(badAuthor.status == 64 && badAuthor.stderr.contains("--author alice is not an email address"), "\(badAuthor)")
        }
    }

    @Test("creating a team needs its declared owner or a team creator")
    func creatingTeams() throws {
        try withWorkspace { ws in
            try ws.makeRepository(files: files)
            try ws.write(files["teams/web.yaml"]!.replacingOccurrences(of: "web", with: "lab"), to: "teams/lab.yaml")
            try ws.commit("a new team", author: "bob@example.com")
            let diff = ["diff", "--repo", ws.repository, "--base", "HEAD~1", "--head", "HEAD", "--require-authorized"]
            let bob = try ws.roster(diff)
            #expect(bob.status == 3, "\(bob)")
            #expect(bob.stdout.contains("lab: needs approval from alice@example.com or ops@example.com: bob@example.com is neither its declared owner nor a team creator"), "\(bob)")
            #expect(try ws.roster(diff + ["--author", "ops@example.com"]).status == 0)
            #expect(try ws.roster(diff + ["--author", "alice@example.com"]).status == 0)
        }
    }

    @Test("codeowners writes each manifest's admins, and --check fails until the file is regenerated and committed")
    func codeowners() throws {
        try withWorkspace { ws in
            try ws.makeRepository(files: files)
            let written = try ws.roster(["codeowners", "--dir", ws.repository])
            #expect(written.status == 0, "\(written)")
            // alice is web's only admin: the team creators can approve her own changes.
            let expected = ["* ops@example.com", "/teams/web.yaml alice@example.com ops@example.com"]
            #expect(try ws.read(".github/CODEOWNERS").split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init) == expected)
            let printed = try ws.roster(["codeowners", "--dir", ws.repository, "--out", "-"])
            #expect(printed.stdout == (try ws.read(".github/CODEOWNERS")), "\(printed)")

            let uncommitted = try ws.roster(["codeowners", "--repo", ws.repository, "--check"])
            #expect(uncommitted.status == 1 && uncommitted.stderr.contains(".github/CODEOWNERS is missing"), "\(uncommitted)")
            try ws.commit("CODEOWNERS")
            #expect(try ws.roster(["codeowners", "--repo", ws.repository, "--check"]).status == 0)
            #expect(try ws.roster(["codeowners", "--dir", ws.repository, "--check"]).status == 0)

            try ws.edit("teams/web.yaml", replacing: "bob@example.com\n      role: dev", with: "bob@example.com\n      role: admin")
            try ws.commit("bob becomes an admin")
            let stale = try ws.roster(["codeowners", "--repo", ws.repository, "--check"])
            #expect(stale.status == 1 && stale.stderr.contains(".github/CODEOWNERS is out of date; run `roster codeowners`"), "\(stale)")
            try ws.must(["codeowners", "--dir", ws.repository, "--quiet"])
            #expect(try ws.read(".github/CODEOWNERS").contains("/teams/web.yaml alice@example.com bob@example.com\n"))
            #expect(try ws.roster(["codeowners", "--dir", ws.repository, "--check"]).status == 0)

            let outside = try ws.roster(["codeowners", "--dir", ws.repository, "--out", "../CODEOWNERS"])
            #expect(outside.status == 64, "\(outside)")
            try ws.write("apiVersion: roster/v1\nkind: Team\n", to: "teams/broken.yaml")
            let invalid = try ws.roster(["codeowners", "--dir", ws.repository])
            #expect(invalid.status == 1 && invalid.stderr.contains("teams/broken.yaml"), "\(invalid)")
        }
    }

    @Test("reconcile applies a commit whose author lacks the permissions, with a warning")
    func reconcileWarns() throws {
        try withWorkspace { ws in
            try ws.makeRepository(files: files)
            let created = try ws.roster(["reconcile", "--repo", ws.repository])
            #expect(created.status == 0, "\(created)")
            #expect(created.stderr.contains("warning: the commit's author dana.owner@example.com lacks the permissions for 2 changes in 1 team (first web, whose approval is alice@example.com or ops@example.com)"), "\(created)")

            try ws.write(try ws.read("teams/web.yaml") + frank, to: "teams/web.yaml")
            try ws.commit("alice invites frank", author: "alice@example.com")
            let byAdmin = try ws.roster(["reconcile", "--repo", ws.repository])
            #expect(byAdmin.status == 0 && !byAdmin.stderr.contains("lacks the permissions"), "\(byAdmin)")

            try ws.edit("teams/web.yaml", replacing: frank, with: "")
            try ws.commit("bob removes frank's invitation", author: "bob@example.com")
            let byDev = try ws.roster(["reconcile", "--repo", ws.repository])
            #expect(byDev.status == 0, "a warning, not a refusal: \(byDev)")
            #expect(byDev.stderr.contains("the commit's author bob@example.com lacks the permissions for 1 change in 1 team"), "\(byDev)")
            #expect(try ws.count("SELECT count(*) FROM invitations WHERE email = 'frank@example.com' AND status = 'pending'") == 0)
        }
    }
}
