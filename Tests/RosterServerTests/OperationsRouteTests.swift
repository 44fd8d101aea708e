import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import RosterReconcile
import RosterSQLite
import RosterStore
import Testing

@testable import RosterServer

@Suite("Routes: health, readiness, metrics, assets")
struct OperationsRouteTests {
    @Test("healthz is up at once; readyz waits for a completed run; metrics need no key")
    func probes() async throws {
        try await ServerFixture.with { fixture in
            try await fixture.application.test(.router) { client in
                let health = try await client.execute(uri: "/healthz", method: .get)
                #expect(health.status == .ok && health.text == "ok\n")
                // The fixture's set-up run was recorded: the store has a completed run.
                let ready = try await client.execute(uri: "/readyz", method: .get)
                #expect(ready.status == .ok, "\(ready.text)")
                let metrics = try await client.execute(uri: "/metrics", method: .get)
                #expect(metrics.status == .ok)
                #expect(metrics.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                let css = try await client.execute(uri: "/assets/roster.css", method: .get)
                #expect(css.status == .ok && css.headers[.contentType] == "text/css; charset=utf-8")
                let missing = try await client.execute(uri: "/nothing-here", method: .get)
                #expect(missing.status == .notFound)
                // Every answer carries the security headers.
                for response in [health, metrics, css, missing] {
                    #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
                    #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
                }
            }
        }
    }

    @Test("readyz is 503 until a reconcile has completed")
    func notReady() async throws {
        try await withScratchFolderForStore { store, environment in
            try await Application(router: RosterServer.router(environment)).test(.router) { client in
                // The probe gives the store 3 s; a test machine running the whole suite at once
                // has been seen to take longer, and that answer is a 503 of its own: ask again.
                var response = try await client.execute(uri: "/readyz", method: .get)
                for _ in 0..<3 where response.text.contains("the store does not answer") {
                    response = try await client.execute(uri: "/readyz", method: .get)
                }
                #expect(response.status == .serviceUnavailable)
                #expect(response.text.contains("no reconcile has completed"))
            }
            try await store.record(ReconcileRun(id: "r", trigger: "t", startedAt: Date(), finishedAt: Date(), result: .noChanges))
            try await Application(router: RosterServer.router(environment)).test(.router) { client in
                // The same slow machine as above: a store that did not answer is asked again.
                var ready = try await client.execute(uri: "/readyz", method: .get)
                for _ in 0..<3 where ready.text.contains("the store does not answer") {
                    ready = try await client.execute(uri: "/readyz", method: .get)
                }
                #expect(ready.status == .ok, "\(ready.text)")
            }
        }
    }
}
