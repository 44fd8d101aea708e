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
        router.get("assets/copy.js") { _, _ in
            var response = Self.text(Templates.copyScript, contentType: "text/javascript; charset=utf-8")
            response.headers[.cacheControl] = "public, max-age=3600"
            return response
        }
    }

    /// Ready when the store answers (within 3 s: a load balancer's probe gives up soon) and a
    /// reconcile has completed, by this process or another on the same store (a standby is
    /// ready to serve pages).
    private func readiness() async throws -> Response {
        let runs: [ReconcileRun]
        do {
            let store = environment.store
            runs = try await withThrowingTaskGroup(of: [ReconcileRun]?.self) { group in
                group.addTask {
                    _ = try await store.stateVersion()
                    return try await store.runs(limit: 50)
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(3))
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let runs = first else {
                    throw StoreError(.io, "the store did not answer within 3 s")
                }
                return runs
            }
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
