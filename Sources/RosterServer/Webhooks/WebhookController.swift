import Foundation
import RosterStore
import Hummingbird
import Logging
import HTTPTypes

/// `POST /hooks/{github,gitlab,gitea}`: a verified push to the tracked ref wakes the
/// reconciler (202). The payload is only a hint: the run fetches the repository itself.
struct WebhookController: Sendable {
    let environment: ServerEnvironment

    func addRoutes(to router: Router<RosterRequestContext>) {
        router.post("hooks/:provider") { request, context in
            guard let name = context.parameters.get("provider"), let provider = WebhookProvider(rawValue: name) else {
                return Self.answer(.notFound, "unknown", "no such webhook; use /hooks/github, /hooks/gitlab or /hooks/gitea")
            }
            let (response, result) = await handle(request, provider: provider)
            environment.metrics.webhook(provider: provider.rawValue, result: result)
            environment.logger.info(
                "webhook", metadata: ["provider": "\(provider.rawValue)", "result": "\(result)", "status": "\(response.status.code)"])
            return response
        }
    }

    /// The response and the result for metrics.
    private func handle(_ request: Request, provider: WebhookProvider) async -> (Response, String) {
        let configuration = environment.configuration
        let body: ByteBuffer
        do {
            body = try await BoundedBody.collect(request, limit: configuration.webhookBodyLimit, timeout: configuration.bodyReadTimeout)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            return (Self.answer(.contentTooLarge, "too-large", "the body is over \(configuration.webhookBodyLimit) bytes"), "too_large")
        } catch let error as HTTPError where error.status == .requestTimeout {
            return (Self.answer(.requestTimeout, "timeout", "the body did not arrive in time"), "timeout")
        } catch {
            return (Self.answer(.badRequest, "unreadable", "the body could not be read"), "bad_request")
        }
        guard let secret = configuration.webhookSecret else {
            return (Self.answer(.unauthorized, "unauthorized", "this server has no webhook secret (--webhook-secret-file)"), "unauthorized")
        }
        let bytes = Array(buffer: body)
        guard provider.verify(body: bytes, headers: request.headers, secret: secret) else {
            return (Self.answer(.unauthorized, "unauthorized", "missing or wrong \(provider.signatureHeader.rawName)"), "unauthorized")
        }
        if let delivery = request.headers[provider.deliveryHeader], !(await environment.deliveries.insert(provider.rawValue + ":" + delivery)) {
            return (Self.answer(.ok, "duplicate", "delivery \(delivery) was seen before; ignored"), "duplicate")
        }
        switch provider.event(in: request.headers) {
        case "push":
            break
        case "ping":
            return (Self.answer(.ok, "pong", "webhook configured"), "ping")
        case let event:
            return (Self.answer(.ok, "ignored", "event \(event ?? "(none)") does not trigger a run"), "ignored")
        }
        let payload: PushPayload
        do {
            payload = try JSONDecoder().decode(PushPayload.self, from: Data(bytes))
        } catch {
            return (Self.answer(.badRequest, "bad-payload", "the body is not a push payload with a ref"), "bad_request")
        }
        guard payload.moves(tracked: configuration.trackedRef) else {
            return (Self.answer(.ok, "ignored", "push to \(payload.ref), not the tracked \(configuration.trackedRef)"), "ignored")
        }
        await environment.trigger.fire("webhook:\(provider.rawValue)")
        // Whichever replica the git host called, the one holding the lease runs now.
        if let signals = environment.store as? any ReconcileSignals {
            do {
                try await signals.signalReconcile("webhook:\(provider.rawValue)")
            } catch {
                environment.logger.warning("could not pass the push on to the other replicas", metadata: ["error": "\(error)"])
            }
        }
        return (Self.answer(.accepted, "accepted", "a run will start shortly"), "accepted")
    }

    static func answer(_ status: HTTPResponse.Status, _ result: String, _ message: String) -> Response {
        let body = try! JSONSerialization.data(withJSONObject: ["result": result, "message": message], options: [.sortedKeys])
        return Response(
            status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
