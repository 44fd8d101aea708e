import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import RosterCore
import RosterReconcile
import RosterSQLite
import RosterStore
import Testing

@testable import RosterServer

@Suite("Routes: sign-in, status and audit pages")
struct SignInRouteTests {
    /// Signs in with `name`'s key; returns the session cookie header value and the CSRF cookie.
    static func signIn(_ fixture: ServerFixture, _ name: String, _ client: some TestClientProtocol) async throws -> String {
        let page = try await client.execute(uri: "/signin", method: .get)
        let csrf = try #require(cookieValue(page.setCookie(Forms.csrfCookie)))
        let response = try await client.execute(
            uri: "/signin", method: .post,
            headers: [.cookie: "\(Forms.csrfCookie)=\(csrf)", .contentType: "application/x-www-form-urlencoded"],
            body: form([("csrf", csrf), ("key", fixture.keys[name] ?? ""), ("next", "/audit?team=ops")]))
        #expect(response.status == .seeOther)
        #expect(response.headers[.location] == "/audit?team=ops")
        let session = try #require(response.setCookie(SessionCookie.name))
        #expect(session.contains("HttpOnly") && session.contains("SameSite=Lax") && !session.contains("Secure"))
        return "\(SessionCookie.name)=\(cookieValue(session)!); \(Forms.csrfCookie)=\(csrf)"
    }

    @Test("Pages send people without a session to sign in, and back after")
    func redirect() async throws {
        try await ServerFixture.with { fixture in
            try await fixture.application.test(.router) { client in
                let status = try await client.execute(uri: "/", method: .get)
                #expect(status.status == .seeOther && status.headers[.location] == "/signin?next=/")
                let audit = try await client.execute(uri: "/audit?team=ops", method: .get)
                #expect(audit.status == .seeOther && audit.headers[.location] == "/signin?next=/audit%3Fteam%3Dops")
                let forged = try await client.execute(uri: "/", method: .get, headers: [.cookie: "\(SessionCookie.name)=abc123def456.9999999999.AAAA"])
                #expect(forged.status == .seeOther)
            }
        }
    }

    @Test("A wrong key is refused; only local paths are followed after sign-in", arguments: ["//evil.example", "https://evil.example", "/\\evil", "javascript:alert(1)"])
    func badSignIn(_ next: String) async throws {
        #expect(SignInController.localPath(next) == "/")
        #expect(SignInController.localPath("/audit?team=ops") == "/audit?team=ops")
        try await ServerFixture.with { fixture in
            try await fixture.application.test(.router) { client in
                let page = try await client.execute(uri: "/signin", method: .get)
                let csrf = try #require(cookieValue(page.setCookie(Forms.csrfCookie)))
                let headers: HTTPFields = [.cookie: "\(Forms.csrfCookie)=\(csrf)", .contentType: "application/x-www-form-urlencoded"]
                let key = try #require(fixture.keys["alice"])
                for wrong in [String(key.dropLast()) + "x", "roster_000000000000_abc", "not a key", ""] {
                    let response = try await client.execute(uri: "/signin", method: .post, headers: headers, body: form([("csrf", csrf), ("key", wrong)]))
                    #expect(response.status == (wrong.isEmpty ? .unauthorized : .unauthorized))
                    #expect(response.setCookie(SessionCookie.name) == nil)
                }
            }
        }
    }

    @Test("The status page shows runs to everyone signed in and invitation links to admins only")
    func status() async throws {
        try await ServerFixture.with { fixture in
            try await fixture.application.test(.router) { client in
                let alice = try await Self.signIn(fixture, "alice", client)
                let page = try await client.execute(uri: "/", method: .get, headers: [.cookie: alice])
                #expect(page.status == .ok)
                #expect(page.text.contains("Recent runs") && page.text.contains(#"data-label="Trigger">test</td>"#))
                // A summary: the count, and the links on the team pages, not every invitation here.
                #expect(page.text.contains("Pending invitations in the teams you may invite to: <strong>1</strong>"), "\(page.text)")
                #expect(!page.text.contains("bob@example.com") && !page.text.contains("/invite/"))
                #expect(page.text.contains(#"<a class="slug" href="/teams/ml">ml</a>: admin"#))

                let carol = try await Self.signIn(fixture, "carol", client)
                let basic = try await client.execute(uri: "/", method: .get, headers: [.cookie: carol])
                #expect(basic.status == .ok && basic.text.contains(#"href="/teams/ml">ml</a>: billing"#))
                #expect(!basic.text.contains("Pending invitations") && !basic.text.contains("/invite/"))
            }
        }
    }

    @Test("The audit page is for admins, showing only their teams' entries; revoking the key ends the session")
    func audit() async throws {
        try await ServerFixture.with { fixture in
            try await fixture.application.test(.router) { client in
                let dan = try await Self.signIn(fixture, "dan", client)
                let page = try await client.execute(uri: "/audit", method: .get, headers: [.cookie: dan])
                #expect(page.status == .ok)
                #expect(page.text.contains("ops/dan@example.com") && !page.text.contains("ml/"))
                let other = try await client.execute(uri: "/audit?team=ml", method: .get, headers: [.cookie: dan])
                #expect(other.status == .forbidden)
                let filtered = try await client.execute(uri: "/audit?action=invite.accept&user=DAN@example.com", method: .get, headers: [.cookie: dan])
                #expect(
                    filtered.status == .ok && filtered.text.contains(#"data-label="Action">invite.accept<"#)
                        && !filtered.text.contains(#"data-label="Action">team.create<"#))
                let bad = try await client.execute(uri: "/audit?since=yesterday", method: .get, headers: [.cookie: dan])
                #expect(bad.status == .badRequest && bad.text.contains("since takes RFC 3339"))

                let carol = try await Self.signIn(fixture, "carol", client)
                #expect(try await client.execute(uri: "/audit", method: .get, headers: [.cookie: carol]).status == .forbidden)

                let danKey = try #require(APIKeySecret(parsing: fixture.keys["dan"]!))
                #expect(try await fixture.store.revokeAPIKey(id: danKey.id, by: "test", at: Date()))
                #expect(try await client.execute(uri: "/audit", method: .get, headers: [.cookie: dan]).status == .seeOther)
            }
        }
    }

    @Test("Under https the cookies are __Host- (Secure, Path=/, no Domain); signing out clears the session")
    func secureCookies() async throws {
        try await ServerFixture.with(configure: { $0.baseURL = URL(string: "https://roster.example.com")! }) { fixture in
            try await fixture.application.test(.router) { client in
                let (csrfName, sessionName) = ("__Host-" + Forms.csrfCookie, "__Host-" + SessionCookie.name)
                let page = try await client.execute(uri: "/signin", method: .get)
                #expect(page.setCookie(Forms.csrfCookie) == nil)
                let csrfLine = try #require(page.setCookie(csrfName))
                #expect(csrfLine.contains("Secure") && csrfLine.contains("Path=/") && !csrfLine.contains("Domain"))
                let csrf = try #require(cookieValue(csrfLine))
                let response = try await client.execute(
                    uri: "/signin", method: .post,
                    headers: [.cookie: "\(csrfName)=\(csrf)", .contentType: "application/x-www-form-urlencoded"],
                    body: form([("csrf", csrf), ("key", fixture.keys["alice"]!)]))
                #expect(response.status == .seeOther)
                let sessionLine = try #require(response.setCookie(sessionName))
                #expect(sessionLine.contains("Secure") && sessionLine.contains("Path=/") && !sessionLine.contains("Domain"))
                #expect(sessionLine.contains("HttpOnly") && sessionLine.contains("SameSite=Lax"))
                let session = "\(sessionName)=\(cookieValue(sessionLine)!)"
                #expect(try await client.execute(uri: "/", method: .get, headers: [.cookie: session]).status == .ok)
                // The same value under the plain name is not a session.
                let plain = "\(SessionCookie.name)=\(cookieValue(sessionLine)!)"
                #expect(try await client.execute(uri: "/", method: .get, headers: [.cookie: plain]).status == .seeOther)

                let status = try await client.execute(uri: "/", method: .get, headers: [.cookie: session])
                let token = try #require(cookieValue(status.setCookie(csrfName)))
                let signOut = try await client.execute(
                    uri: "/signout", method: .post,
                    headers: [.cookie: "\(session); \(csrfName)=\(token)", .contentType: "application/x-www-form-urlencoded"],
                    body: form([("csrf", token)]))
                #expect(signOut.status == .seeOther)
                #expect(signOut.setCookie(sessionName)?.contains("Max-Age=0") == true)
                #expect(try await client.execute(uri: "/", method: .get, headers: [.cookie: session]).status == .seeOther)
            }
        }
    }
}
