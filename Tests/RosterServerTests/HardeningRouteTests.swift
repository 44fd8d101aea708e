import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import Logging
import RosterCore
import RosterSQLite
import RosterStore
import RosterTestSupport
import Testing

@testable import RosterServer

/// The security headers every response carries, errors included.
private func expectSecurityHeaders(_ response: TestResponse, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(response.headers[.contentSecurityPolicy] == SecurityHeadersMiddleware<RosterRequestContext>.policy, sourceLocation: sourceLocation)
    #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer", sourceLocation: sourceLocation)
    #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff", sourceLocation: sourceLocation)
    #expect(response.headers[HTTPField.Name("X-Frame-Options")!] == "DENY", sourceLocation: sourceLocation)
}

/// The hidden CSRF field of a page.
private func csrfField(_ page: TestResponse) -> String? {
    page.text.components(separatedBy: #"name="csrf" value=""#).dropFirst().first.map { String($0.prefix { $0 != "\"" }) }
}

/// Log lines, kept for tests to read.
final class LogRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    var all: [String] { lock.withLock { lines } }

    func add(_ line: String) { lock.withLock { lines.append(line) } }

    var logger: Logger {
        Logger(label: "roster-test") { _ in RecordingHandler(recorder: self) }
    }

    struct RecordingHandler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let fields = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            recorder.add("\(event.level) \(event.message) \(fields)")
        }
    }
}

@Suite("Routes: sessions, CSRF, malformed input, error headers, rate limits")
struct HardeningRouteTests {
    /// Another server (a replica) on the fixture's store and key, with `logger` and `now`.
    static func replica(
        _ fixture: ServerFixture, logger: Logger? = nil, now: @escaping @Sendable () -> Date = Date.init
    ) -> ServerEnvironment {
        ServerEnvironment(
            store: fixture.store, configuration: fixture.environment.configuration, secretKey: fixture.secretKey,
            logger: logger ?? fixture.environment.logger, now: now)
    }

    @Test("Signing out ends the session on every server of the store: a copy of the cookie no longer signs in")
    func signOutEndsSession() async throws {
        try await ServerFixture.with { fixture in
            let other = Application(router: RosterServer.router(Self.replica(fixture)))
            try await fixture.application.test(.router) { client in
                try await other.test(.router) { replica in
                    let cookies = try await SignInRouteTests.signIn(fixture, "alice", client)
                    let session = String(cookies.prefix { $0 != ";" })
                    #expect(try await client.execute(uri: "/", method: .get, headers: [.cookie: session]).status == .ok)
                    #expect(try await replica.execute(uri: "/", method: .get, headers: [.cookie: session]).status == .ok)

                    // Sign out from the status page's form, as a browser does.
                    let page = try await client.execute(uri: "/", method: .get, headers: [.cookie: session])
                    let token = try #require(csrfField(page))
                    let signOut = try await client.execute(
                        uri: "/signout", method: .post,
                        headers: [.cookie: "\(session); \(Forms.csrfCookie)=\(token)", .contentType: "application/x-www-form-urlencoded"],
                        body: form([("csrf", token)]))
                    #expect(signOut.status == .seeOther && signOut.headers[.location] == "/signin")

                    // The copied cookie is worth nothing now, on this server and on the replica.
                    for server in [client, replica] as [any TestClientProtocol] {
                        let after = try await server.execute(uri: "/", method: .get, headers: [.cookie: session])
                        #expect(after.status == .seeOther && after.headers[.location] == "/signin?next=/")
                    }
                    #expect(try await client.execute(uri: "/audit", method: .get, headers: [.cookie: session]).status == .seeOther)
                }
            }
        }
    }

    @Test("A CSRF value planted in the cookie, or a token made for another session, is refused")
    func plantedCSRF() async throws {
        try await ServerFixture.with { fixture in
            let link = try await fixture.link(team: "ml", email: "bob@example.com")
            try await fixture.application.test(.router) { client in
                // What an attacker who can set a cookie would plant: a value of the right shape.
                for planted in [String(repeating: "A", count: 22), "AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"] {
                    let headers: HTTPFields = [.cookie: "\(Forms.csrfCookie)=\(planted)", .contentType: "application/x-www-form-urlencoded"]
                    let signIn = try await client.execute(
                        uri: "/signin", method: .post, headers: headers, body: form([("csrf", planted), ("key", fixture.keys["alice"]!)]))
                    #expect(signIn.status == .forbidden, "\(planted)")
                    #expect(signIn.setCookie(SessionCookie.name) == nil)
                    let join = try await client.execute(
                        uri: link, method: .post, headers: headers, body: form([("csrf", planted), ("email", "bob@example.com")]))
                    #expect(join.status == .forbidden)
                }
                #expect(try await fixture.store.members(team: "ml")?[Email("bob@example.com")!] == nil)

                // The sign-in page's token was made for no session: it does not sign alice out.
                let cookies = try await SignInRouteTests.signIn(fixture, "alice", client)
                let session = String(cookies.prefix { $0 != ";" })
                let unbound = try #require(cookieValue(cookies.components(separatedBy: "; ").last))
                let signOut = try await client.execute(
                    uri: "/signout", method: .post,
                    headers: [.cookie: cookies, .contentType: "application/x-www-form-urlencoded"], body: form([("csrf", unbound)]))
                #expect(signOut.status == .forbidden)
                #expect(try await client.execute(uri: "/", method: .get, headers: [.cookie: session]).status == .ok)
            }
        }
    }

    @Test(
        "A malformed form is a 400 with a short message, logged, with the security headers",
        arguments: [
            "csrf=x&key=roster_%zz", "csrf=a&csrf=a&key=b", String(repeating: "a[", count: 2000) + "=1",
            "a" + String(repeating: "[a]", count: 2000) + "=1&csrf=x", "csrf=x&key=%", "csrf=x&key[]=1",
        ])
    func malformedForm(_ body: String) async throws {
        try await ServerFixture.with { fixture in
            let recorder = LogRecorder()
            let environment = Self.replica(fixture, logger: recorder.logger)
            let link = try await fixture.link(team: "ml", email: "bob@example.com")
            try await Application(router: RosterServer.router(environment)).test(.router) { client in
                let page = try await client.execute(uri: "/signin", method: .get)
                let csrf = try #require(cookieValue(page.setCookie(Forms.csrfCookie)))
                let headers: HTTPFields = [.cookie: "\(Forms.csrfCookie)=\(csrf)", .contentType: "application/x-www-form-urlencoded"]
                for uri in ["/signin", link] {
                    let response = try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
                    #expect(response.status == .badRequest, "\(uri): \(response.status) \(response.text)")
                    #expect(response.text.contains("form"), "\(response.text)")
                    #expect(response.text.utf8.count < 300)
                    expectSecurityHeaders(response)
                }
            }
            let refusals = recorder.all.filter { $0.contains("status=400") }
            #expect(refusals.count == 2, "\(recorder.all)")
            // The invitation's token is in the path: logs name the route, never the path.
            let token = String(link.dropFirst("/invite/".count))
            #expect(!recorder.all.contains { $0.contains(token) }, "\(recorder.all)")
        }
    }

    @Test("Every error (404, 405, 413, 429, 500 from a failing store) carries the security headers")
    func errorHeaders() async throws {
        try await ServerFixture.with { fixture in
            let recorder = LogRecorder()
            let frozen = Date()
            let environment = Self.replica(fixture, logger: recorder.logger, now: { frozen })
            try await Application(router: RosterServer.router(environment)).test(.router) { client in
                let missing = try await client.execute(uri: "/no/such/page", method: .get)
                #expect(missing.status == .notFound)
                expectSecurityHeaders(missing)
                let wrongMethod = try await client.execute(uri: "/healthz", method: .delete)
                #expect(wrongMethod.status.code >= 400)
                expectSecurityHeaders(wrongMethod)

                let page = try await client.execute(uri: "/signin", method: .get)
                let csrf = try #require(cookieValue(page.setCookie(Forms.csrfCookie)))
                let headers: HTTPFields = [.cookie: "\(Forms.csrfCookie)=\(csrf)", .contentType: "application/x-www-form-urlencoded"]
                let large = try await client.execute(
                    uri: "/signin", method: .post, headers: headers,
                    body: ByteBuffer(string: "csrf=\(csrf)&key=" + String(repeating: "k", count: 20_000)))
                #expect(large.status == .contentTooLarge)
                expectSecurityHeaders(large)

                // A store that fails under the server: a 500, logged, with the headers.
                let dropped = try runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["sqlite3", fixture.store.path, "DROP TABLE api_keys"])
                try #require(dropped.status == 0, "\(dropped)")
                let failed = try await client.execute(uri: "/api/v1/status", method: .get, headers: fixture.bearer("alice"))
                #expect(failed.status == .internalServerError)
                expectSecurityHeaders(failed)
                #expect(recorder.all.contains { $0.hasPrefix("error") && $0.contains("route=/api/v1/status") }, "\(recorder.all)")
            }
        }
    }

    @Test("Sign-in and join attempts are limited per client address: 429 with Retry-After, counted in /metrics")
    func rateLimit() async throws {
        try await ServerFixture.with { fixture in
            // A clock that stands still: no attempt is earned back during the test.
            let frozen = Date()
            let environment = Self.replica(fixture, now: { frozen })
            let link = try await fixture.link(team: "ml", email: "bob@example.com")
            try await Application(router: RosterServer.router(environment)).test(.router) { client in
                let page = try await client.execute(uri: "/signin", method: .get)
                let csrf = try #require(cookieValue(page.setCookie(Forms.csrfCookie)))
                let headers: HTTPFields = [.cookie: "\(Forms.csrfCookie)=\(csrf)", .contentType: "application/x-www-form-urlencoded"]
                for _ in 0..<10 {
                    let wrong = try await client.execute(
                        uri: "/signin", method: .post, headers: headers, body: form([("csrf", csrf), ("key", "roster_000000000000_guess")]))
                    #expect(wrong.status == .unauthorized)
                }
                // The eleventh attempt is refused, even with the right key.
                let limited = try await client.execute(
                    uri: "/signin", method: .post, headers: headers, body: form([("csrf", csrf), ("key", fixture.keys["alice"]!)]))
                #expect(limited.status == .tooManyRequests)
                #expect(limited.setCookie(SessionCookie.name) == nil)
                let retry = try #require(limited.headers[.retryAfter].flatMap(Int.init))
                #expect(retry >= 1 && retry <= 60)
                expectSecurityHeaders(limited)
                let join = try await client.execute(
                    uri: link, method: .post, headers: headers, body: form([("csrf", csrf), ("email", "bob@example.com")]))
                #expect(join.status == .tooManyRequests)
                #expect(try await fixture.store.members(team: "ml")?[Email("bob@example.com")!] == nil)
                // Pages and the API are not limited.
                #expect(try await client.execute(uri: "/signin", method: .get).status == .ok)

                let metrics = try await client.execute(uri: "/metrics", method: .get).text
                #expect(metrics.contains(#"roster_rate_limited_total{route="signin"} 1"#), "\(metrics)")
                #expect(metrics.contains(#"roster_rate_limited_total{route="join"} 1"#), "\(metrics)")
            }
        }
    }
}
