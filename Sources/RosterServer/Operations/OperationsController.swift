import Foundation
import Hummingbird
import Logging
import HTTPTypes
import RosterStore

/// `/healthz`, `/readyz`, `/metrics` (no key needed: they say nothing about people) and the
/// pages' stylesheet.
struct OperationsController: Sendable {
    let environment: ServerEnvironment

    func addRoutes(to router: Router<RosterRequestContext>) {
        router.get("healthz") { _, _ in Self.text("ok\n") }
        router.get("readyz") { _, _ in try await readiness() }
        router.get("metrics") { _, _ in
            Self.text(environment.metrics.text(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("assets/roster.css") { _, _ in
            var response = Self.text(Templates.stylesheet, contentType: "text/css; charset=utf-8")
            response.headers[.cacheControl] = "public, max-age=3600"
            return response
        }
    }

    /// Ready when the store answers and a reconcile has completed, by this process or
    /// another on the same store (a standby is ready to serve pages).
    private func readiness() async throws -> Response {
        let runs: [ReconcileRun]
        do {
            _ = try await environment.store.stateVersion()
            runs = try await environment.store.runs(limit: 50)
        } catch {
            environment.logger.error("readiness: the store does not answer", metadata: ["error": "\(error)"])
            return Self.text("not ready: the store does not answer\n", status: .serviceUnavailable)
        }
        let completed = await environment.status.lastCompletedAt != nil || runs.contains { $0.result != .failed }
        guard completed else {
            return Self.text("not ready: no reconcile has completed yet\n", status: .serviceUnavailable)
        }
        return Self.text("ready\n")
    }

    static func text(_ body: String, status: HTTPResponse.Status = .ok, contentType: String = "text/plain; charset=utf-8")
        -> Response
    {
        Response(status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
