import Foundation
import HTTPTypes
import RosterTestSupport
import Testing

@testable import RosterServer

@Suite("Webhook signatures")
struct WebhookProviderTests {
    /// GitHub's documented test vector (docs: "Validating webhook deliveries").
    static let secret = Data("It's a Secret to Everybody".utf8)
    static let body = Data("Hello, World!".utf8)
    static let signature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"

    private func headers(_ name: String, _ value: String) -> HTTPFields {
        var fields = HTTPFields()
        fields[HTTPField.Name(name)!] = value
        return fields
    }

    @Test("GitHub's documented test vector verifies")
    func githubVector() {
        #expect(WebhookProvider.github.verify(body: Self.body, headers: headers("X-Hub-Signature-256", Self.signature), secret: Self.secret))
    }

    @Test("A wrong, truncated, unprefixed or missing GitHub signature does not", arguments: [
        "sha256=857107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e1",
        "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
        "sha1=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
        "sha256=zz7107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
        "",
    ])
    func githubRejects(_ signature: String) {
        #expect(!WebhookProvider.github.verify(body: Self.body, headers: headers("X-Hub-Signature-256", signature), secret: Self.secret))
        #expect(!WebhookProvider.github.verify(body: Self.body, headers: HTTPFields(), secret: Self.secret))
    }

    @Test("The body and the secret are both covered")
    func githubCoversBodyAndSecret() {
        let fields = headers("X-Hub-Signature-256", Self.signature)
        #expect(!WebhookProvider.github.verify(body: Data("Hello, World?".utf8), headers: fields, secret: Self.secret))
        #expect(!WebhookProvider.github.verify(body: Self.body, headers: fields, secret: Data("another".utf8)))
    }

    @Test("Gitea signs with the bare hex HMAC, upper or lower case")
    func gitea() {
        let hex = String(Self.signature.dropFirst("sha256=".count))
        #expect(WebhookProvider.gitea.verify(body: Self.body, headers: headers("X-Gitea-Signature", hex), secret: Self.secret))
        #expect(WebhookProvider.gitea.verify(body: Self.body, headers: headers("X-Gitea-Signature", hex.uppercased()), secret: Self.secret))
        #expect(!WebhookProvider.gitea.verify(body: Self.body, headers: headers("X-Gitea-Signature", Self.signature), secret: Self.secret))
    }

    @Test("GitLab sends the secret itself")
    func gitlab() {
        #expect(WebhookProvider.gitlab.verify(body: Self.body, headers: headers("X-Gitlab-Token", "It's a Secret to Everybody"), secret: Self.secret))
        #expect(!WebhookProvider.gitlab.verify(body: Self.body, headers: headers("X-Gitlab-Token", "It's a Secret to Everybod"), secret: Self.secret))
        #expect(!WebhookProvider.gitlab.verify(body: Self.body, headers: headers("X-Gitlab-Token", "It's a Secret to Everybody!"), secret: Self.secret))
    }

    @Test("Pushes move the tracked ref only when they name it", arguments: [
        ("main", "refs/heads/main", nil, true),
        ("main", "refs/heads/feature", nil, false),
        ("v1", "refs/tags/v1", nil, true),
        ("refs/heads/main", "refs/heads/main", nil, true),
        ("HEAD", "refs/heads/trunk", "trunk", true),
        ("HEAD", "refs/heads/main", "trunk", false),
        ("HEAD", "refs/heads/main", nil, true),
        ("HEAD", "refs/tags/v1", nil, false),
    ] as [(String, String, String?, Bool)])
    func tracked(_ tracked: String, _ ref: String, _ defaultBranch: String?, _ expected: Bool) {
        let payload = PushPayload(ref: ref, repository: defaultBranch.map { PushPayload.Repository(defaultBranch: $0) }, project: nil)
        #expect(payload.moves(tracked: tracked) == expected)
    }
}

@Suite("Reconcile schedule")
struct ReconcileScheduleTests {
    let schedule = ReconcileSchedule(interval: .seconds(300), jitter: 0.1, backoffBase: .seconds(10), backoffCap: .seconds(600))

    @Test("An expiry before the scheduled run cuts the wait to end at it; one after, or none, leaves it")
    func wakesAtTheNextExpiry() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let scheduled = Duration.seconds(300)
        func waits(_ expected: Duration, byExpiry: Bool, until due: Date?) -> Bool {
            let cut = schedule.delay(scheduled, until: due, now: now)
            return cut.delay == expected && cut.byExpiry == byExpiry
        }
        #expect(waits(scheduled, byExpiry: false, until: nil))
        #expect(waits(scheduled, byExpiry: false, until: now.addingTimeInterval(301)))
        #expect(waits(.milliseconds(42_250), byExpiry: true, until: now.addingTimeInterval(42.25)))
        // Already due (a run that took longer than the time left): at once.
        #expect(waits(.zero, byExpiry: true, until: now.addingTimeInterval(-5)))
    }

    @Test("After a completed run the interval, jittered within ±10%")
    func interval() {
        var random = SeededGenerator(seed: 42)  // many draws, each within bounds
        let delays = (0..<1000).map { _ in schedule.delay(afterFailures: 0, using: &random) }
        #expect(delays.allSatisfy { $0 >= .seconds(270) && $0 <= .seconds(330) })
        // Spread over the range, not stuck at one value.
        #expect(delays.min()! < .seconds(275) && delays.max()! > .seconds(325))
    }

    @Test("After failures the wait doubles from the base up to the cap", arguments: [
        (1, 10), (2, 20), (3, 40), (4, 80), (6, 320), (7, 600), (50, 600), (Int.max, 600),
    ])
    func backoff(_ failures: Int, _ seconds: Int) {
        var unjittered = schedule
        unjittered.jitter = 0
        var random = SeededGenerator(seed: 1)
        #expect(unjittered.delay(afterFailures: failures, using: &random) == .seconds(seconds))
    }
}
