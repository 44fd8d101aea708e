public import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// A real HTTP receiver for notifications on 127.0.0.1 (a chat webhook, a mail relay): it
/// records every request and answers `failureStatus` (500) to the first `failures` of them,
/// then 200.
public actor NotificationReceiver {
    /// One request as it arrived.
    public struct Request: Sendable {
        /// Header names lowercased.
        public var headers: [String: String]
        public var body: Data
        /// What the receiver answered.
        public var status: Int

        /// The body's JSON object.
        public var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
        }
    }

    public private(set) var requests: [Request] = []
    private var failures: Int
    private let failureStatus: Int
    private var task: Task<Void, any Error>?
    /// `http://127.0.0.1:<port>/hook`.
    public private(set) var url = ""

    private init(failures: Int, failureStatus: Int) {
        self.failures = failures
        self.failureStatus = failureStatus
    }

    /// Starts a receiver on a free port.
    public static func start(failures: Int = 0, failureStatus: Int = 500) async throws -> NotificationReceiver {
        let receiver = NotificationReceiver(failures: failures, failureStatus: failureStatus)
        let (ports, port) = AsyncStream.makeStream(of: Int.self)
        await receiver.launch(port)
        var iterator = ports.makeAsyncIterator()
        guard let bound = await iterator.next(), bound > 0 else { throw ReceiverError() }
        await receiver.setPort(bound)
        return receiver
    }

    /// The receiver did not start listening.
    struct ReceiverError: Error {}

    private func launch(_ port: AsyncStream<Int>.Continuation) {
        task = Task { [self] in
            let router = Router()
            router.post("/hook") { request, _ -> Response in
                var headers: [String: String] = [:]
                for field in request.headers { headers[field.name.canonicalName] = field.value }
                let body = try await request.body.collect(upTo: 1 << 20)
                let status = await self.record(headers: headers, body: Data(body.readableBytesView))
                return Response(status: .init(code: status))
            }
            var logger = Logger(label: "notification-receiver")
            logger.logLevel = .critical
            let app = Application(
                router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { channel in
                    port.yield(channel.localAddress?.port ?? 0)
                    port.finish()
                }, logger: logger)
            defer { port.finish() }
            // No signal handlers: the test process's SIGTERM is not the receiver's business.
            try await app.runService(gracefulShutdownSignals: [])
        }
    }

    private func setPort(_ port: Int) { url = "http://127.0.0.1:\(port)/hook" }

    private func record(headers: [String: String], body: Data) -> Int {
        let status = failures > 0 ? failureStatus : 200
        if failures > 0 { failures -= 1 }
        requests.append(Request(headers: headers, body: body, status: status))
        return status
    }

    /// The requests answered 200.
    public var delivered: [Request] { requests.filter { $0.status == 200 } }

    /// Stops the server.
    public func stop() async {
        task?.cancel()
        _ = await task?.result
    }
}
