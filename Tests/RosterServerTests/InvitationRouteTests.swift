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

@Suite("Routes: invitation pages")
struct InvitationRouteTests {
    /// GETs `link` and returns the response with the CSRF cookie's value and the form's token.
    static func open(_ link: String, _ client: some TestClientProtocol) async throws -> (TestResponse, cookie: String?, field: String?) {
        let page = try await client.execute(uri: link, method: .get)
        let cookie = cookieValue(page.setCookie(Forms.csrfCookie))
        let field = page.text.components(separatedBy: #"name="csrf" value=""#).dropFirst().first.map { String($0.prefix { $0 != "\"" }) }
        return (page, cookie, field)
    }

    @Test("The page names the team, the role and what it allows, behind no-referrer and a strict CSP")
    func page() async throws {
        try await ServerFixture.with { fixture in
            let link = try await fixture.link(team: "ml", email: "bob@example.com")
            try await fixture.application.test(.router) { client in
                let (page, cookie, field) = try await Self.open(link, client)
                #expect(page.status == .ok)
                #expect(page.text.contains("Join ML Research") && page.text.contains("<strong>dev</strong>"))
                #expect(page.text.contains("Create/delete/start/stop Pods") && !page.text.contains("Access audit logs"))
                #expect(page.text.contains("Join team"))
                // No inline script: the one script is the copy buttons' static file.
                #expect(page.text.components(separatedBy: "<script").dropFirst().allSatisfy { $0.hasPrefix(" src=\"/assets/copy.js\"") })
                #expect(page.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
                #expect(page.headers[.contentSecurityPolicy]?.contains("form-action 'self'") == true)
                #expect(page.headers[.cacheControl] == "no-store")
                #expect(cookie != nil && cookie == field)
                #expect(page.setCookie(Forms.csrfCookie)?.contains("SameSite=Strict") == true)
                #expect(page.setCookie(Forms.csrfCookie)?.contains("HttpOnly") == true)
            }
        }
    }

    @Test("With a session, the invitation pages' header names who is signed in and offers to sign out, not to sign in")
    func headerWithSession() async throws {
        try await ServerFixture.with { fixture in
            let link = try await fixture.link(team: "ml", email: "bob@example.com")
            try await fixture.application.test(.router) { client in
                let (anonymous, _, _) = try await Self.open(link, client)
                #expect(anonymous.text.contains(#"<a href="/signin">Sign in</a>"#) && !anonymous.text.contains("Sign out"))

                let session = try await SignInRouteTests.signIn(fixture, "alice", client)
                let page = try await client.execute(uri: link, method: .get, headers: [.cookie: session])
                #expect(page.status == .ok && page.text.contains("Join ML Research"))
                #expect(page.text.contains(#"Sign out <span class="who">alice@example.com</span>"#), "\(page.text)")
                #expect(!page.text.contains(#"<a href="/signin">"#))
                // The sign-out form carries the page's token, the one its cookie holds.
                let token = try #require(cookieValue(page.setCookie(Forms.csrfCookie)))
                #expect(page.text.components(separatedBy: #"name="csrf" value="\#(token)""#).count == 3)

                let csrf = try #require(cookieValue(anonymous.setCookie(Forms.csrfCookie)))
                let joined = try await client.execute(
                    uri: link, method: .post,
                    headers: [.cookie: "\(Forms.csrfCookie)=\(csrf)", .contentType: "application/x-www-form-urlencoded"],
                    body: form([("csrf", csrf), ("email", "bob@example.com")]))
                #expect(joined.status == .seeOther)
                let done = try await client.execute(uri: link + "/joined", method: .get, headers: [.cookie: session])
                #expect(done.text.contains("You joined ML Research") && done.text.contains("<strong>bob@example.com</strong>"))
                #expect(done.text.contains(#"Sign out <span class="who">alice@example.com</span>"#), "\(done.text)")
                let doneToken = try #require(cookieValue(done.setCookie(Forms.csrfCookie)))
                #expect(done.text.contains(#"name="csrf" value="\#(doneToken)""#))
            }
        }
    }

    @Test("Joining makes the invitee a member; the link is then spent", arguments: [nil, "null", "http://roster.test"])
    func join(origin: String?) async throws {
        try await ServerFixture.with { fixture in
            let link = try await fixture.link(team: "ml", email: "bob@example.com")
            try await fixture.application.test(.router) { client in
                let (_, cookie, field) = try await Self.open(link, client)
                var headers: HTTPFields = [.cookie: "\(Forms.csrfCookie)=\(cookie ?? "")", .contentType: "application/x-www-form-urlencoded"]
                // A browser under no-referrer sends `Origin: null`; others the base URL's origin or none.
                headers[.origin] = origin
                let joined = try await client.execute(
                    uri: link, method: .post, headers: headers,
                    body: form([("csrf", field ?? ""), ("email", " Bob@Example.com ")]))
                #expect(joined.status == .seeOther, "\(joined.text)")
                #expect(joined.headers[.location] == link + "/joined")
                let page = try await client.execute(uri: link + "/joined", method: .get)
                #expect(page.status == .ok && page.text.contains("You joined ML Research"), "\(page.text)")
                #expect(try await fixture.store.members(team: "ml")?[Email("bob@example.com")!] == .dev)
                let entries = try await fixture.store.auditEntries(matching: AuditQuery(action: "invite.accept", team: "ml"))
                #expect(entries.last?.actor == "bob@example.com")
                let again = try await client.execute(uri: link, method: .get)
                #expect(again.status == .notFound && again.text.contains("not valid"))
            }
        }
    }

    @Test("Unknown, tampered, revoked and used tokens all get the same page")
    func sameAnswer() async throws {
        try await ServerFixture.with { fixture in
            let link = try await fixture.link(team: "ml", email: "bob@example.com")
            // Carol's invitation to ml was accepted in the fixture.
            var accepted: Invitation?
            for id in Int64(1)...4 {
                if let invitation = try await fixture.store.invitation(id: id), invitation.status == .accepted,
                    invitation.email.value == "carol@example.com"
                {
                    accepted = invitation
                }
            }
            let used = "/invite/" + InvitationTokens(keyBytes: fixture.secretKey).token(for: try #require(accepted))
            try await fixture.application.test(.router) { client in
                // The last character carries base64's spare bits: a change there must fail too.
                let tampered = String(link.dropLast()) + (link.hasSuffix("A") ? "B" : "A")
                let tamperedMiddle = String(link.prefix(link.count - 5)) + (link.dropLast(4).hasSuffix("A") ? "B" : "A") + link.suffix(4)
                let otherKey = "/invite/" + InvitationTokens(keyBytes: Data(repeating: 7, count: 32))
                    .token(for: try #require(try await fixture.store.pendingInvitation(team: "ml", email: Email("bob@example.com")!)))
                let pages = [
                    try await client.execute(uri: "/invite/999.abc", method: .get),
                    try await client.execute(uri: tampered, method: .get),
                    try await client.execute(uri: tamperedMiddle, method: .get),
                    try await client.execute(uri: otherKey, method: .get),
                    try await client.execute(uri: used, method: .get),
                    try await client.execute(uri: "/invite/" + String(repeating: "9", count: 300), method: .get),
                    try await client.execute(uri: "/invite/%00", method: .get),
                ]
                for page in pages {
                    #expect(page.status == .notFound)
                    #expect(page.text == pages[0].text)
                }
                #expect(try await client.execute(uri: link, method: .get).status == .ok)

                // Bob leaves the manifest: his invitation is revoked and its link answers the same.
                let manifest = fixture.folder + "/manifests/teams/ml.yaml"
                let text = try String(contentsOfFile: manifest, encoding: .utf8)
                try text.replacingOccurrences(of: "    - {email: bob@example.com, role: dev}\n", with: "")
                    .write(toFile: manifest, atomically: true, encoding: .utf8)
                let run = try await Reconciler.run(ServerFixture.request(fixture.folder + "/manifests", trigger: "test"), store: fixture.store)
                #expect(run.plan?.changes.map(\.action.rawValue) == ["invite.revoke"])
                let revoked = try await client.execute(uri: link, method: .get)
                #expect(revoked.status == .notFound && revoked.text == pages[0].text)
            }
        }
    }

    /// Sets `spec.invitations` to `invitations` (YAML lines), makes `editing`'s replacement in
    /// ml.yaml, adds zoe (basic) to ml, and reconciles.
    static func inviteZoe(
        _ fixture: ServerFixture, invitations: String, editing: (String, String) = ("", "")
    ) async throws -> Reconciler.RunOutcome {
        let manifests = fixture.folder + "/manifests"
        try ("apiVersion: roster/v1\nkind: Config\nspec:\n  invitations:\n" + invitations)
            .write(toFile: manifests + "/roster.yaml", atomically: true, encoding: .utf8)
        let team = manifests + "/teams/ml.yaml"
        var text = try String(contentsOfFile: team, encoding: .utf8)
        if !editing.0.isEmpty { text = text.replacingOccurrences(of: editing.0, with: editing.1) }
        try (text + "\n    - {email: zoe@example.com, role: basic}\n").write(toFile: team, atomically: true, encoding: .utf8)
        return try await Reconciler.run(ServerFixture.request(manifests, trigger: "test"), store: fixture.store)
    }

    @Test("An expired link gets the page a revoked one gets; the renewal's new link works and the old stays dead")
    func expired() async throws {
        try await ServerFixture.with { fixture in
            // From now on invitations expire after an hour and are renewed; zoe is invited under it.
            let manifests = fixture.folder + "/manifests"
            let invited = try await Self.inviteZoe(fixture, invitations: "    expireAfter: 1h\n    renew: true\n")
            #expect(invited.plan?.changes.map(\.action) == [.inviteCreate])
            let link = try await fixture.link(team: "ml", email: "zoe@example.com")

            let later = Date().addingTimeInterval(7200)
            let environment = ServerEnvironment(
                store: fixture.store, configuration: fixture.environment.configuration, secretKey: fixture.secretKey,
                logger: fixture.environment.logger, now: { later })
            let application = Application(router: RosterServer.router(environment))
            try await application.test(.router) { client in
                let unknown = try await client.execute(uri: "/invite/999.abc", method: .get)
                let expired = try await client.execute(uri: link, method: .get)
                #expect(expired.status == .notFound && expired.text == unknown.text)
                let posted = try await client.execute(
                    uri: link, method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                    body: form([("csrf", "x"), ("email", "zoe@example.com")]))
                #expect(posted.status == .notFound && posted.text == unknown.text)
            }

            // The next reconcile renews it: a new link, the old one dead.
            var request = ServerFixture.request(manifests, trigger: "test")
            request.now = { later }
            let renewal = try await Reconciler.run(request, store: fixture.store)
            #expect(renewal.plan?.changes.map(\.action) == [.inviteRenew])
            let renewed = try await fixture.link(team: "ml", email: "zoe@example.com")
            #expect(renewed != link)
            try await application.test(.router) { client in
                let fresh = try await client.execute(uri: renewed, method: .get)
                let old = try await client.execute(uri: link, method: .get)
                #expect(fresh.status == .ok)
                #expect(old.status == .notFound)
            }
        }
    }

    @Test("The team's API and page data say when a temporary member's access and an invitation's link end")
    func expiriesShown() async throws {
        try await ServerFixture.with { fixture in
            let ends = Expiry.text(Date().addingTimeInterval(3 * 86_400 + 3600).rounded())
            let run = try await Self.inviteZoe(
                fixture, invitations: "    expireAfter: 14d\n",
                editing: ("- {email: carol@example.com, role: billing}", "- {email: carol@example.com, role: billing, expires: \(ends)}"))
            #expect(run.plan?.changes.map(\.action) == [.inviteCreate])
            await fixture.environment.status.recordDeclarations(try #require(run.declarations))
            try await fixture.application.test(.router) { client in
                let response = try await client.execute(uri: "/api/v1/teams/ml", method: .get, headers: fixture.bearer("alice"))
                let detail = try #require(response.json as? [String: Any], "\(response.text)")
                let members = detail["members"] as? [[String: Any]] ?? []
                let carol = members.first { $0["email"] as? String == "carol@example.com" }
                #expect(carol?["expiresIn"] as? String == "expires in 3 days", "\(members)")
                #expect(carol?["expires"] as? String == ends)
                #expect(members.first { $0["email"] as? String == "alice@example.com" }?["expires"] == nil)
                let pending = detail["pendingInvitations"] as? [[String: Any]] ?? []
                let zoe = pending.first { $0["email"] as? String == "zoe@example.com" }
                #expect(zoe?["expired"] as? Bool == false && (zoe?["expiresIn"] as? String)?.hasPrefix("expires in 1") == true, "\(pending)")
                #expect(zoe?["age"] as? String != nil && zoe?["expiresAt"] as? String != nil)
                // Bob was invited before invitations expired: his link does not.
                let bob = pending.first { $0["email"] as? String == "bob@example.com" }
                #expect(bob?["expiresAt"] == nil && bob?["expired"] as? Bool == false, "\(pending)")
                let listed = try await client.execute(uri: "/api/v1/invitations", method: .get, headers: fixture.bearer("alice"))
                let invitations = try #require(listed.json as? [[String: Any]])
                #expect(invitations.first { $0["email"] as? String == "zoe@example.com" }?["expiresAt"] as? String
                    == zoe?["expiresAt"] as? String)
            }
        }
    }

    @Test("A post without the form's CSRF token, from another origin, or for another email joins nobody")
    func refused() async throws {
        try await ServerFixture.with { fixture in
            let link = try await fixture.link(team: "ml", email: "bob@example.com")
            try await fixture.application.test(.router) { client in
                let (_, cookie, field) = try await Self.open(link, client)
                let formType: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
                var withCookie = formType
                withCookie[.cookie] = "\(Forms.csrfCookie)=\(cookie ?? "")"
                var foreign = withCookie
                foreign[.origin] = "https://evil.example"

                let noCookie = try await client.execute(uri: link, method: .post, headers: formType, body: form([("csrf", field ?? ""), ("email", "bob@example.com")]))
                #expect(noCookie.status == .forbidden)
                let wrongToken = try await client.execute(uri: link, method: .post, headers: withCookie, body: form([("csrf", "x"), ("email", "bob@example.com")]))
                #expect(wrongToken.status == .forbidden)
                let crossOrigin = try await client.execute(uri: link, method: .post, headers: foreign, body: form([("csrf", field ?? ""), ("email", "bob@example.com")]))
                #expect(crossOrigin.status == .forbidden)
                let wrongEmail = try await client.execute(uri: link, method: .post, headers: withCookie, body: form([("csrf", field ?? ""), ("email", "mallory@example.com")]))
                #expect(wrongEmail.status == .unprocessableContent)
                #expect(wrongEmail.text.contains("not for that email address"))
                let notAnEmail = try await client.execute(uri: link, method: .post, headers: withCookie, body: form([("csrf", field ?? ""), ("email", "<script>")]))
                #expect(notAnEmail.status == .unprocessableContent && !notAnEmail.text.contains("<script>"))
                let missingField = try await client.execute(uri: link, method: .post, headers: withCookie, body: form([("csrf", field ?? "")]))
                #expect(missingField.status == .badRequest)
                #expect(try await fixture.store.members(team: "ml")?[Email("bob@example.com")!] == nil)
            }
        }
    }

    /// Opens `link` and posts its form with `email`, as a browser would.
    static func post(_ email: String, to link: String, _ client: some TestClientProtocol) async throws -> TestResponse {
        let (_, cookie, field) = try await open(link, client)
        return try await client.execute(
            uri: link, method: .post,
            headers: [.cookie: "\(Forms.csrfCookie)=\(cookie ?? "")", .contentType: "application/x-www-form-urlencoded"],
            body: form([("csrf", field ?? ""), ("email", email)]))
    }

    @Test("After a wrong email the form keeps what was typed, escaped", arguments: [
        ("mallory@example.com", #"value="mallory@example.com""#),
        (#"bob"><script>x</script>@example.com"#, #"value="bob&quot;&gt;&lt;script&gt;x&lt;/script&gt;@example.com""#),
    ])
    func keepsTyped(typed: String, attribute: String) async throws {
        try await ServerFixture.with { fixture in
            let link = try await fixture.link(team: "ml", email: "bob@example.com")
            try await fixture.application.test(.router) { client in
                let wrong = try await Self.post(typed, to: link, client)
                #expect(wrong.status == .unprocessableContent)
                #expect(wrong.text.contains(#"<input id="email""#) && wrong.text.contains(attribute), "\(wrong.text)")
                #expect(!wrong.text.contains("<script>"))
                // A fresh page starts empty.
                let (fresh, _, _) = try await Self.open(link, client)
                #expect(!fresh.text.contains(#"type="email" autocomplete="email" required inputmode="email" value="#))
            }
        }
    }

    @Test("A join redirects to a page with the new member's permissions and the team page; reloading it joins nothing again")
    func joinedPage() async throws {
        try await ServerFixture.with { fixture in
            let link = try await fixture.link(team: "ml", email: "bob@example.com")
            try await fixture.application.test(.router) { client in
                let joined = try await Self.post("bob@example.com", to: link, client)
                #expect(joined.status == .seeOther)
                let location = try #require(joined.headers[.location])
                #expect(location == link + "/joined")
                #expect(joined.text.isEmpty)
                let accepts = { try await fixture.store.auditEntries(matching: AuditQuery(action: "invite.accept", team: "ml")).count }
                let acceptedOnce = try await accepts()
                for _ in 0..<2 {  // the redirect, then a reload
                    let page = try await client.execute(uri: location, method: .get)
                    #expect(page.status == .ok)
                    #expect(page.headers[.cacheControl] == "no-store")
                    #expect(page.text.contains("You joined ML Research"))
                    #expect(page.text.contains("<strong>bob@example.com</strong>") && page.text.contains("<strong>dev</strong>"))
                    #expect(page.text.contains("As dev you can now"))
                    #expect(page.text.contains("<li>Create/delete/start/stop Pods</li>") && !page.text.contains("Access audit logs"))
                    #expect(page.text.contains(#"<a href="/teams/ml">"#) && page.text.contains("sign in"))
                    #expect(!page.text.contains("<form method=\"post\" action=\"/invite/"))
                }
                #expect(try await accepts() == acceptedOnce)
            }
        }
    }

    @Test("The joined page answers only for an accepted invitation whose member is still in the team")
    func joinedPageNeedsTheAcceptedToken() async throws {
        try await ServerFixture.with { fixture in
            let link = try await fixture.link(team: "ml", email: "bob@example.com")
            try await fixture.application.test(.router) { client in
                let invalid = try await client.execute(uri: "/invite/999.abc", method: .get)
                #expect(invalid.status == .notFound)
                // Before joining, the pending invitation's joined page says nothing.
                let pending = try await client.execute(uri: link + "/joined", method: .get)
                #expect(pending.status == .notFound && pending.text == invalid.text)

                #expect(try await Self.post("bob@example.com", to: link, client).status == .seeOther)
                #expect(try await client.execute(uri: link + "/joined", method: .get).status == .ok)
                let tampered = String(link.dropLast()) + (link.hasSuffix("A") ? "B" : "A")
                let otherID = link.replacingOccurrences(of: "/invite/", with: "/invite/9")
                for uri in [tampered + "/joined", otherID + "/joined", "/invite/999.abc/joined", "/invite/%00/joined"] {
                    let page = try await client.execute(uri: uri, method: .get)
                    #expect(page.status == .notFound && page.text == invalid.text, "\(uri)")
                }

                // Bob leaves the manifest: the page no longer says he is a member.
                let manifest = fixture.folder + "/manifests/teams/ml.yaml"
                let text = try String(contentsOfFile: manifest, encoding: .utf8)
                try text.replacingOccurrences(of: "    - {email: bob@example.com, role: dev}\n", with: "")
                    .write(toFile: manifest, atomically: true, encoding: .utf8)
                let run = try await Reconciler.run(ServerFixture.request(fixture.folder + "/manifests", trigger: "test"), store: fixture.store)
                #expect(run.plan?.changes.map(\.action.rawValue) == ["member.remove"])
                let left = try await client.execute(uri: link + "/joined", method: .get)
                #expect(left.status == .notFound && left.text == invalid.text)
            }
        }
    }
}

extension Date {
    /// To the whole second, as a manifest writes it.
    fileprivate func rounded() -> Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.up)) }
}
