import Crypto
import Foundation
import Logging
import RosterCore
import RosterNotify
import RosterReconcile
import RosterStore
import RosterTestSupport
import Synchronization
import Testing

/// The notifier against real HTTP receivers on 127.0.0.1: signed bodies, retries after 500s
/// with the same delivery id, no retry after a 4xx, overflow counted, invitation links only
/// to the receivers trusted with them.
@Suite("notifications")
struct NotifierTests {
    static let secret = Data("notify-secret".utf8)

    /// Counts what the notifier records, as `/metrics` would.
    final class Counts: Sendable {
        private let counts = Mutex<[Notifier.Result: Int]>([:])
        func add(_ result: Notifier.Result) { counts.withLock { $0[result, default: 0] += 1 } }
        subscript(_ result: Notifier.Result) -> Int { counts.withLock { $0[result] ?? 0 } }
    }

    static func notifier(
        _ destinations: [NotifyConfiguration.Destination], counts: Counts, tokens: InvitationTokens? = nil,
        queueCapacity: Int = 100, attempts: Int = 4
    ) -> Notifier {
        var logger = Logger(label: "notify-test")
        logger.logLevel = .critical
        let configuration = NotifyConfiguration(
            destinations: destinations, secret: secret, queueCapacity: queueCapacity,
            retry: .init(attempts: attempts, base: .milliseconds(20), cap: .milliseconds(100)), requestTimeout: .seconds(5),
            linkBase: "http://roster.test")
        return Notifier(configuration: configuration, tokens: tokens, logger: logger) { counts.add($0) }
    }

    static func destination(_ receiver: NotificationReceiver, links: Bool = false) async -> NotifyConfiguration.Destination {
        NotifyConfiguration.Destination(url: URL(string: await receiver.url)!, receivesLinks: links)
    }

    static func event(_ text: String = "hello") -> NotificationEvent {
        NotificationEvent(event: .runRefused, time: Date(), text: text)
    }

    @Test("a body is JSON with text, signed with HMAC-SHA256 of the exact bytes under the secret")
    func signed() async throws {
        let receiver = try await NotificationReceiver.start()
        let counts = Counts()
        let notifier = Self.notifier([await Self.destination(receiver)], counts: counts)
        let event = Self.event("Roster refused to apply main@abc: too many removals.")
        notifier.notify([event])
        await notifier.finish(within: .seconds(30))
        await receiver.stop()

        let requests = await receiver.requests
        try #require(requests.count == 1, "\(requests.map(\.status))")
        let request = requests[0]
        let expected = "sha256=" + HMAC<SHA256>.authenticationCode(for: request.body, using: SymmetricKey(data: Self.secret))
            .map { String(format: "%02x", $0) }.joined()
        #expect(request.headers["x-roster-signature-256"] == expected)
        #expect(NotificationSignature.verify(expected, body: request.body, secret: Self.secret))
        #expect(!NotificationSignature.verify(expected, body: request.body + Data(" ".utf8), secret: Self.secret))
        #expect(request.headers["content-type"] == "application/json")
        #expect(request.headers["x-roster-event"] == "run.refused")
        #expect(request.headers["x-roster-delivery"] == event.id)
        let json = request.json
        #expect(json["text"] as? String == "Roster refused to apply main@abc: too many removals.")
        #expect(json["id"] as? String == event.id && json["event"] as? String == "run.refused")
        #expect(counts[.sent] == 1 && counts[.failed] == 0)
    }

    @Test("after 500s the same body is sent again, with the same delivery id, until it is accepted")
    func retries() async throws {
        let receiver = try await NotificationReceiver.start(failures: 2)
        let counts = Counts()
        let notifier = Self.notifier([await Self.destination(receiver)], counts: counts)
        let event = Self.event()
        notifier.notify([event])
        await notifier.finish(within: .seconds(30))
        await receiver.stop()

        let requests = await receiver.requests
        #expect(requests.map(\.status) == [500, 500, 200])
        #expect(Set(requests.map(\.body)).count == 1, "every attempt is the same bytes")
        #expect(Set(requests.compactMap { $0.headers["x-roster-delivery"] }) == [event.id])
        #expect(counts[.retried] == 2 && counts[.sent] == 1 && counts[.failed] == 0)
    }

    @Test("a receiver that keeps failing is given up on after the attempts; a second receiver still gets its events")
    func givesUp() async throws {
        let dead = try await NotificationReceiver.start(failures: 1000)
        let alive = try await NotificationReceiver.start()
        let counts = Counts()
        let notifier = Self.notifier([await Self.destination(dead), await Self.destination(alive)], counts: counts, attempts: 3)
        notifier.notify([Self.event("one"), Self.event("two")])
        await notifier.finish(within: .seconds(30))
        await dead.stop()
        await alive.stop()
        #expect(await dead.requests.count == 6)
        #expect(await alive.delivered.map { $0.json["text"] as? String } == ["one", "two"], "in order")
        #expect(counts[.failed] == 2 && counts[.sent] == 2 && counts[.retried] == 4)
    }

    @Test("a 4xx refusal is not retried; 429 and 408 are", arguments: [(404, 1), (410, 1), (429, 3), (408, 3)])
    func clientErrors(_ status: Int, _ attempts: Int) async throws {
        let receiver = try await NotificationReceiver.start(failures: 1000, failureStatus: status)
        let counts = Counts()
        let notifier = Self.notifier([await Self.destination(receiver)], counts: counts, attempts: 3)
        notifier.notify([Self.event()])
        await notifier.finish(within: .seconds(30))
        await receiver.stop()
        #expect(await receiver.requests.count == attempts)
        #expect(counts[.failed] == 1 && counts[.retried] == attempts - 1 && counts[.sent] == 0)
    }

    @Test("finishing never waits past its limit for a receiver that does not answer")
    func boundedExit() async throws {
        // A listening socket that never accepts: connections hang until the notifier gives up.
        let counts = Counts()
        let silent = try SilentSocket()
        defer { silent.close() }
        let notifier = Self.notifier(
            [NotifyConfiguration.Destination(url: URL(string: "http://127.0.0.1:\(silent.port)/hook")!, receivesLinks: false)],
            counts: counts)
        notifier.notify([Self.event()])
        await notifier.finish(within: .milliseconds(300))
        #expect(counts[.sent] == 0)
    }

    @Test("a full queue drops events and counts them; what was queued is delivered")
    func overflow() async throws {
        let receiver = try await NotificationReceiver.start()
        let counts = Counts()
        let notifier = Self.notifier([await Self.destination(receiver)], counts: counts, queueCapacity: 2)
        notifier.notify((0..<50).map { Self.event("event \($0)") })
        await notifier.finish(within: .seconds(30))
        await receiver.stop()
        // Events, not requests: under load a request can outlast its timeout after the
        // receiver has it, and its retry then arrives with the same delivery id.
        let delivered = Set(await receiver.delivered.map { $0.headers["x-roster-delivery"] ?? "" }).count
        #expect(counts[.dropped] > 0)
        #expect(counts[.sent] == delivered && delivered + counts[.dropped] == 50, "sent \(delivered), dropped \(counts[.dropped])")
    }

    @Test("an applied run: its summary and run page to every receiver; the invitations it made, with links, only to --notify-links")
    func invitationsWithLinks() async throws {
        try await ServerFixture.with { fixture in
            let manifests = fixture.folder + "/manifests"
            let path = manifests + "/teams/ops.yaml"
            let text = try String(contentsOfFile: path, encoding: .utf8)
            try (text + "\n    - {email: fay@example.com, role: dev}\n").write(toFile: path, atomically: true, encoding: .utf8)
            let outcome = try await Reconciler.run(ServerFixture.request(manifests, trigger: "test"), store: fixture.store)
            let run = try #require(outcome.run)
            try #require(run.result == .applied, "\(run)")

            let chat = try await NotificationReceiver.start()
            let relay = try await NotificationReceiver.start()
            let counts = Counts()
            let tokens = InvitationTokens(keyBytes: fixture.secretKey)
            let notifier = Self.notifier(
                [await Self.destination(chat), await Self.destination(relay, links: true)], counts: counts, tokens: tokens)
            notifier.notify(outcome, store: fixture.store)
            await notifier.finish(within: .seconds(30))
            await chat.stop()
            await relay.stop()

            let chatEvents = await chat.delivered.map(\.json)
            #expect(chatEvents.map { $0["event"] as? String } == ["run.applied"], "\(chatEvents)")
            let applied = try #require(chatEvents.first)
            let about = try #require(applied["run"] as? [String: Any])
            #expect(about["url"] as? String == "http://roster.test/runs/\(run.id)")
            #expect((applied["text"] as? String)?.contains("Roster applied 1 change") == true, "\(applied)")
            #expect((applied["text"] as? String)?.hasSuffix("http://roster.test/runs/\(run.id)") == true, "\(applied)")
            #expect(await chat.delivered.allSatisfy { !String(decoding: $0.body, as: UTF8.self).contains("/invite/") })

            let relayEvents = await relay.delivered.map(\.json)
            #expect(relayEvents.map { $0["event"] as? String } == ["run.applied", "invitation.created"], "\(relayEvents)")
            let invitation = try #require(relayEvents.last?["invitation"] as? [String: Any])
            #expect(invitation["team"] as? String == "ops" && invitation["email"] as? String == "fay@example.com")
            #expect(invitation["role"] as? String == "dev")
            let expected = "http://roster.test" + (try await fixture.link(team: "ops", email: "fay@example.com"))
            #expect(invitation["link"] as? String == expected)
            #expect((relayEvents.last?["text"] as? String)?.contains(expected) == true)
            for request in await relay.delivered {
                let signature = try #require(request.headers["x-roster-signature-256"])
                #expect(NotificationSignature.verify(signature, body: request.body, secret: Self.secret))
            }
        }
    }

    @Test("a refused run's event names the reason and links its run page")
    func refusedText() {
        let run = ReconcileRun(
            id: "r1", trigger: "webhook:github", startedAt: Date(), finishedAt: Date(), ref: "main",
            commit: "0123456789abcdef0123", result: .refused, changes: 5,
            message: "the plan removes 5 members; maxRemovals is 2\nraise it in roster.yaml")
        let events = RunEvents.events(for: run, plan: nil, drift: 2, linkBase: "https://roster.example.com/")
        #expect(events.map(\.event) == [.runRefused, .driftFound])
        #expect(
            events[0].text
                == "Roster refused to apply main@0123456789ab: the plan removes 5 members; maxRemovals is 2 raise it in roster.yaml. "
                + "Nothing was applied. https://roster.example.com/runs/r1")
        #expect(events[0].run?.reason?.contains("maxRemovals is 2") == true)
        #expect(events[1].text.hasPrefix("Roster found 2 changes made outside git (main@0123456789ab)."))
        #expect(events[0].id != events[1].id)
    }
}

/// A TCP socket on 127.0.0.1 that listens but never accepts or answers.
struct SilentSocket {
    let fd: Int32
    let port: Int

    init() throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let fd = self.fd
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 1) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        try #require(bound, "cannot listen on 127.0.0.1")
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { _ = Glibc.close(fd) }
}
