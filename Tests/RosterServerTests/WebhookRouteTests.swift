import Crypto
import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import RosterServer

/// Every webhook answer, through the router (no socket).
@Suite("Routes: webhooks")
struct WebhookRouteTests {
    static func push(_ ref: String = "refs/heads/main") -> String {
        #"{"ref":"\#(ref)","repository":{"default_branch":"main"},"commits":[]}"#
    }

    static func hex(_ body: String, secret: Data = ServerFixture.webhookSecret) -> String {
        HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: SymmetricKey(data: secret)).map { String(format: "%02x", $0) }
            .joined()
    }

    static func headers(_ provider: WebhookProvider, body: String, delivery: String = UUID().uuidString, event: String? = nil)
        -> HTTPFields
    {
        var fields = HTTPFields()
        switch provider {
        case .github:
            fields[HTTPField.Name("X-Hub-Signature-256")!] = "sha256=" + hex(body)
            fields[HTTPField.Name("X-GitHub-Event")!] = event ?? "push"
            fields[HTTPField.Name("X-GitHub-Delivery")!] = delivery
        case .gitlab:
            fields[HTTPField.Name("X-Gitlab-Token")!] = String(decoding: ServerFixture.webhookSecret, as: UTF8.self)
            fields[HTTPField.Name("X-Gitlab-Event")!] = event ?? "Push Hook"
            fields[HTTPField.Name("X-Gitlab-Event-UUID")!] = delivery
        case .gitea:
            fields[HTTPField.Name("X-Gitea-Signature")!] = hex(body)
            fields[HTTPField.Name("X-Gitea-Event")!] = event ?? "push"
            fields[HTTPField.Name("X-Gitea-Delivery")!] = delivery
        }
        fields[.contentType] = "application/json"
        return fields
    }

    /// The reason the reconcile loop would wake with now, or nil if nothing is pending.
    static func pendingTrigger(_ fixture: ServerFixture) async -> String? {
        await fixture.environment.trigger.wait(timeout: .milliseconds(1))
    }

    @Test("A signed push to the tracked branch is accepted (202) and wakes the reconciler", arguments: WebhookProvider.allCases)
    func accepted(_ provider: WebhookProvider) async throws {
        try await ServerFixture.with { fixture in
            try await fixture.application.test(.router) { client in
                let body = Self.push()
                let response = try await client.execute(
                    uri: "/hooks/\(provider.rawValue)", method: .post, headers: Self.headers(provider, body: body),
                    body: ByteBuffer(string: body))
                #expect(response.status == .accepted, "\(response.text)")
            }
            #expect(await Self.pendingTrigger(fixture) == "webhook:\(provider.rawValue)")
            #expect(fixture.environment.metrics.text().contains(#"roster_webhook_deliveries_total{provider="\#(provider.rawValue)",result="accepted"} 1"#))
        }
    }

    @Test("Unsigned, badly signed and unconfigured webhooks get 401 and trigger nothing", arguments: WebhookProvider.allCases)
    func unauthorized(_ provider: WebhookProvider) async throws {
        try await ServerFixture.with { fixture in
            try await fixture.application.test(.router) { client in
                let body = Self.push()
                var forged = Self.headers(provider, body: body)
                forged[provider.signatureHeader] = provider == .github ? "sha256=" + Self.hex(body, secret: Data("guess".utf8)) : "guess"
                var unsigned = Self.headers(provider, body: body)
                unsigned[provider.signatureHeader] = nil
                // The signature of another body (GitLab's token does not cover the body).
                let other = Self.headers(provider, body: Self.push("refs/heads/other"))
                for headers in provider == .gitlab ? [forged, unsigned] : [forged, unsigned, other] {
                    let response = try await client.execute(
                        uri: "/hooks/\(provider.rawValue)", method: .post, headers: headers, body: ByteBuffer(string: body))
                    #expect(response.status == .unauthorized)
                }
            }
            #expect(await Self.pendingTrigger(fixture) == nil)
        }
        try await ServerFixture.with(configure: { $0.webhookSecret = nil }) { fixture in
            try await fixture.application.test(.router) { client in
                let body = Self.push()
                let response = try await client.execute(
                    uri: "/hooks/\(provider.rawValue)", method: .post, headers: Self.headers(provider, body: body),
                    body: ByteBuffer(string: body))
                #expect(response.status == .unauthorized)
                #expect(response.text.contains("--webhook-secret-file"))
            }
        }
    }

    @Test("A body over the limit gets 413 before its signature is looked at")
    func tooLarge() async throws {
        try await ServerFixture.with { fixture in
            try await fixture.application.test(.router) { client in
                let body = #"{"ref":"refs/heads/main","pad":""# + String(repeating: "x", count: 70 * 1024) + #""}"#
                let response = try await client.execute(
                    uri: "/hooks/github", method: .post, headers: Self.headers(.github, body: body), body: ByteBuffer(string: body))
                #expect(response.status == .contentTooLarge)
            }
            #expect(await Self.pendingTrigger(fixture) == nil)
        }
    }

    @Test("Replays, other branches, other events and bad JSON trigger nothing")
    func ignored() async throws {
        try await ServerFixture.with { fixture in
            try await fixture.application.test(.router) { client in
                let body = Self.push()
                let headers = Self.headers(.github, body: body, delivery: "delivery-1")
                let first = try await client.execute(uri: "/hooks/github", method: .post, headers: headers, body: ByteBuffer(string: body))
                #expect(first.status == .accepted)
                #expect(await Self.pendingTrigger(fixture) == "webhook:github")

                let replay = try await client.execute(uri: "/hooks/github", method: .post, headers: headers, body: ByteBuffer(string: body))
                #expect(replay.status == .ok && replay.text.contains("duplicate"))

                let branch = Self.push("refs/heads/feature")
                let other = try await client.execute(
                    uri: "/hooks/github", method: .post, headers: Self.headers(.github, body: branch), body: ByteBuffer(string: branch))
                #expect(other.status == .ok && other.text.contains("ignored"))

                let ping = try await client.execute(
                    uri: "/hooks/github", method: .post, headers: Self.headers(.github, body: "{}", event: "ping"), body: ByteBuffer(string: "{}"))
                #expect(ping.status == .ok && ping.text.contains("pong"))

                let issue = try await client.execute(
                    uri: "/hooks/gitea", method: .post, headers: Self.headers(.gitea, body: body, event: "issues"), body: ByteBuffer(string: body))
                #expect(issue.status == .ok && issue.text.contains("ignored"))

                for junk in ["{not json", #"{"after":"abc"}"#, "[]", ""] {
                    let response = try await client.execute(
                        uri: "/hooks/gitlab", method: .post, headers: Self.headers(.gitlab, body: junk), body: ByteBuffer(string: junk))
                    #expect(response.status == .badRequest, "\(junk): \(response.status)")
                }
                let unknown = try await client.execute(uri: "/hooks/bitbucket", method: .post, body: ByteBuffer(string: body))
                #expect(unknown.status == .notFound)
            }
            #expect(await Self.pendingTrigger(fixture) == nil)
        }
    }

    @Test("Triggers that arrive while the loop is busy coalesce into one")
    func coalesce() async throws {
        let trigger = ReconcileTrigger()
        await trigger.fire("webhook:github")
        await trigger.fire("webhook:gitlab")
        await trigger.fire("webhook:gitea")
        #expect(await trigger.wait(timeout: .seconds(5)) == "webhook:github")
        #expect(await trigger.wait(timeout: .milliseconds(10)) == nil)
        // A waiter is woken by the next trigger; closing wakes it with nothing.
        async let woken = trigger.wait(timeout: .seconds(30))
        try await Task.sleep(for: .milliseconds(50))
        await trigger.fire("interval")
        #expect(await woken == "interval")
        async let closed = trigger.wait(timeout: .seconds(30))
        try await Task.sleep(for: .milliseconds(50))
        await trigger.close()
        #expect(await closed == nil)
        #expect(await trigger.wait(timeout: .seconds(30)) == nil)
    }
}
