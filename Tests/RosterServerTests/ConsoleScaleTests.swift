import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import Logging
import RosterCore
import RosterReconcile
import RosterSQLite
import RosterStore
import RosterTestSupport
import Testing

@testable import RosterServer

/// The console's pages for an admin of every team of a generated organisation: their size
/// must not grow with the number of teams (sizes only; times are the benchmark's,
/// scripts/console-bench.sh).
@Suite("Routes: page sizes at scale")
struct ConsoleScaleTests {
    /// Every page and API call an admin of everything opens, and its size in bytes.
    private static func sizes(teams count: Int) async throws -> [String: Int] {
        try await withScratchFolder(prefix: "roster-scale") { folder in
            let manifests = folder + "/manifests"
            try FileManager.default.createDirectory(atPath: manifests + "/teams", withIntermediateDirectories: true)
            for index in 0..<count {
                var text = """
                    apiVersion: roster/v1
                    kind: Team
                    metadata:
                      name: team-\(String(format: "%05d", index))
                    spec:
                      owner: boss@example.com
                      members:
                        - {email: boss@example.com, role: admin}

                    """
                for member in 0..<20 { text += "    - {email: user\(index * 20 + member)@example.com, role: dev}\n" }
                try text.write(toFile: manifests + "/teams/team-\(index).yaml", atomically: true, encoding: .utf8)
            }
            let store = try SQLiteStore(path: folder + "/roster.db")
            let run = try await Reconciler.run(ServerFixture.request(manifests, trigger: "test"), store: store)
            try #require(run.run?.result == .applied, "\(run.errors)")
            let key = APIKeySecret.generate()
            _ = try await store.createAPIKey(key, email: Email("boss@example.com")!, createdBy: "test", at: Date())
            var logger = Logger(label: "roster-test")
            logger.logLevel = .critical
            let environment = ServerEnvironment(
                store: store, configuration: ServerConfiguration(baseURL: URL(string: "http://roster.test")!),
                secretKey: try SecretKeyFile.load(path: folder + "/roster.db.key"), logger: logger)
            let runID = try #require(run.run?.id)
            let application = Application(router: RosterServer.router(environment))
            return try await application.test(.router) { client in
                var sizes: [String: Int] = [:]
                let page = try await client.execute(uri: "/signin", method: .get)
                let csrf = try #require(cookieValue(page.setCookie(Forms.csrfCookie)))
                let signedIn = try await client.execute(
                    uri: "/signin", method: .post,
                    headers: [.cookie: "\(Forms.csrfCookie)=\(csrf)", .contentType: "application/x-www-form-urlencoded"],
                    body: form([("csrf", csrf), ("key", key.text), ("next", "/")]))
                let session = try #require(cookieValue(signedIn.setCookie(SessionCookie.name)))
                let cookie: HTTPFields = [.cookie: "\(SessionCookie.name)=\(session); \(Forms.csrfCookie)=\(csrf)"]
                let bearer: HTTPFields = [.authorization: "Bearer " + key.text]
                for (path, headers) in [
                    ("/", cookie), ("/teams", cookie), ("/teams/team-00001", cookie), ("/runs", cookie), ("/runs/\(runID)", cookie),
                    ("/audit", cookie), ("/api/v1/status", bearer), ("/api/v1/teams", bearer), ("/api/v1/teams/team-00001", bearer),
                    ("/api/v1/invitations", bearer), ("/api/v1/runs", bearer), ("/api/v1/runs/\(runID)", bearer),
                    ("/api/v1/audit", bearer),
                ] {
                    let response = try await client.execute(uri: path, method: .get, headers: headers)
                    #expect(response.status == .ok, "\(path): \(response.status)")
                    sizes[path.replacingOccurrences(of: runID, with: "<run>")] = response.body.readableBytes
                }
                return sizes
            }
        }
    }

    @Test("Every page and API call stays the same size from 600 teams to 1,200, well under 500 KB")
    func pagesHold() async throws {
        // Both past every page's length (500 API rows, 100 teams a page), so a paged list fills
        // its page at both sizes and only what grows with the organisation can differ.
        let small = try await Self.sizes(teams: 600)
        let large = try await Self.sizes(teams: 1_200)
        for (path, size) in large.sorted(by: { $0.key < $1.key }) {
            #expect(size < 500 * 1024, "\(path): \(size) bytes")
            // Paged lists fill their page at both sizes; summaries do not list teams at all.
            let before = small[path] ?? 0
            #expect(Double(size) <= Double(before) * 1.1 + 1024, "\(path) grew with the organisation: \(before) → \(size) bytes")
        }
    }
}
