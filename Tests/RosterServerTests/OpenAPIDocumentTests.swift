import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import RosterCore
import RosterReconcile
import RosterSQLite
import RosterStore
import Testing

@testable import RosterServer

/// docs/openapi.json is the JSON API's contract: the binary serves exactly it, it lists
/// exactly the routes the router has under /api/v1, and real responses match its schemas.
@Suite("The JSON API's OpenAPI document")
struct OpenAPIDocumentTests {
    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/openapi.json")
    static let embedding = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/RosterServer/API/OpenAPIDocument.swift")
    static let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    static func document() throws -> JSONValue { try JSONValue(parsing: Data(contentsOf: file)) }

    @Test("The binary serves docs/openapi.json byte for byte, without a key")
    func served() async throws {
        let text = try String(contentsOf: Self.file, encoding: .utf8)
        if ProcessInfo.processInfo.environment["ROSTER_RECORD"] != nil {
            let source = try String(contentsOf: Self.embedding, encoding: .utf8)
            let start = try #require(source.range(of: "#\"\"\"\n"))
            let end = try #require(source.range(of: "\n\"\"\"#", options: .backwards))
            try (String(source[..<start.upperBound]) + text + String(source[end.lowerBound...])).write(to: Self.embedding, atomically: true, encoding: .utf8)
        }
        let embedded = OpenAPIDocument.json == text
        #expect(embedded, "Sources/RosterServer/API/OpenAPIDocument.swift is not docs/openapi.json: ROSTER_RECORD=1 writes it anew")
        try await withScratchFolderForStore { _, environment in
            try await Application(router: RosterServer.router(environment)).test(.router) { client in
                let response = try await client.execute(uri: "/api/v1/openapi.json", method: .get)
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                #expect(Data(response.text.utf8) == Data(text.utf8))
            }
        }
    }

    @Test("Its paths and methods are the routes the router registers under /api/v1")
    func routes() async throws {
        let document = try Self.document()
        guard case .object(let paths) = document["paths"] else { Issue.record("no paths"); return }
        let documented = Set(paths.flatMap { path, item in
            Self.methods.filter { item[$0] != nil }.map { "\($0.uppercased()) \(path)" }
        })
        let server = try #require(document["servers"].flatMap { if case .array(let list) = $0 { list.first?["url"]?.string } else { nil } })
        #expect(server == "/api/v1")
        try await withScratchFolderForStore { _, environment in
            let routed = Set(RosterServer.router(environment).routes.compactMap { route -> String? in
                let path = route.path.description
                guard path.hasPrefix(server + "/") else { return nil }
                // Hummingbird's `:team` is OpenAPI's `{team}`.
                let template = path.dropFirst(server.count).split(separator: "/", omittingEmptySubsequences: false)
                    .map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
                return "\(route.method) \(template)"
            })
            #expect(routed.count >= 6)
            #expect(documented == routed, "documented only: \(documented.subtracting(routed).sorted()); routed only: \(routed.subtracting(documented).sorted())")
        }
    }

    /// One real request: the operation it exercises (`GET /teams/{team}/members`), the URI
    /// (`{applied}` stands for the set-up run's id) and whose key it carries.
    struct Sample: CustomStringConvertible {
        var operation: String
        var uri: String
        var key: String?
        var description: String { "\(uri) as \(key ?? "nobody")" }
    }

    static let samples: [Sample] = [
        Sample(operation: "GET /openapi.json", uri: "/openapi.json", key: nil),
        Sample(operation: "GET /status", uri: "/status", key: "alice"),
        Sample(operation: "GET /status", uri: "/status", key: "carol"),
        Sample(operation: "GET /status", uri: "/status", key: nil),
        Sample(operation: "GET /teams", uri: "/teams", key: "alice"),
        Sample(operation: "GET /teams", uri: "/teams", key: "dan"),
        Sample(operation: "GET /teams", uri: "/teams", key: "zed"),
        Sample(operation: "GET /teams", uri: "/teams", key: nil),
        Sample(operation: "GET /teams", uri: "/teams?limit=1", key: "dan"),
        Sample(operation: "GET /teams", uri: "/teams?after=ml&limit=0", key: "dan"),
        Sample(operation: "GET /teams/{team}", uri: "/teams/ml", key: "alice"),
        Sample(operation: "GET /teams/{team}", uri: "/teams/ml", key: "carol"),
        Sample(operation: "GET /teams/{team}", uri: "/teams/ml?after=bob%40example.com", key: "dan"),
        Sample(operation: "GET /teams/{team}", uri: "/teams/ops", key: "dan"),
        Sample(operation: "GET /teams/{team}", uri: "/teams/ops", key: "carol"),
        Sample(operation: "GET /teams/{team}", uri: "/teams/no-such-team", key: "alice"),
        Sample(operation: "GET /teams/{team}", uri: "/teams/ml", key: nil),
        Sample(operation: "GET /teams/{team}/members", uri: "/teams/ml/members", key: "carol"),
        Sample(operation: "GET /teams/{team}/members", uri: "/teams/ops/members", key: "carol"),
        Sample(operation: "GET /teams/{team}/members", uri: "/teams/ml/members", key: nil),
        Sample(operation: "GET /invitations", uri: "/invitations", key: "alice"),
        Sample(operation: "GET /invitations", uri: "/invitations", key: "carol"),
        Sample(operation: "GET /invitations", uri: "/invitations", key: nil),
        Sample(operation: "GET /invitations", uri: "/invitations?limit=1", key: "alice"),
        Sample(operation: "GET /invitations", uri: "/invitations?after=ml%2Fbob%40example.com", key: "alice"),
        Sample(operation: "GET /runs", uri: "/runs", key: "alice"),
        Sample(operation: "GET /runs", uri: "/runs", key: "zed"),
        Sample(operation: "GET /runs", uri: "/runs?result=failed&limit=1", key: "carol"),
        Sample(operation: "GET /runs", uri: "/runs?before=repeated&limit=abc", key: "dan"),
        Sample(operation: "GET /runs", uri: "/runs?result=sideways", key: "alice"),
        Sample(operation: "GET /runs", uri: "/runs", key: nil),
        Sample(operation: "GET /runs/{id}", uri: "/runs/{applied}", key: "alice"),
        Sample(operation: "GET /runs/{id}", uri: "/runs/{applied}", key: "zed"),
        Sample(operation: "GET /runs/{id}", uri: "/runs/refused", key: "carol"),
        Sample(operation: "GET /runs/{id}", uri: "/runs/repeated", key: "dan"),
        Sample(operation: "GET /runs/{id}", uri: "/runs/no-such-run", key: "alice"),
        Sample(operation: "GET /runs/{id}", uri: "/runs/{applied}", key: nil),
        Sample(operation: "GET /audit", uri: "/audit", key: "alice"),
        Sample(operation: "GET /audit", uri: "/audit?resourceType=invite&since=2026-01-01&limit=3", key: "dan"),
        Sample(operation: "GET /audit", uri: "/audit?limit=0", key: "alice"),
        Sample(operation: "GET /audit", uri: "/audit", key: "carol"),
        Sample(operation: "GET /audit", uri: "/audit", key: nil),
    ]

    @Test("Real responses match the documented schema, for every documented status of every operation")
    func responses() async throws {
        let document = try Self.document()
        let checker = JSONSchemaCheck(document: document)
        // Every documented (operation, status) must be met by a sample below.
        var uncovered = Set<String>()
        if case .object(let paths) = document["paths"] {
            for (path, item) in paths {
                for method in Self.methods {
                    guard case .object(let responses) = item[method]?["responses"] else { continue }
                    for status in responses.keys { uncovered.insert("\(method.uppercased()) \(path) \(status)") }
                }
            }
        }
        #expect(!uncovered.isEmpty)
        let covered = try await ServerFixture.with(configure: Self.configure) { fixture in
            let applied = try await Self.recordRuns(fixture)
            return try await fixture.application.test(.router) { client in
                var covered = Set<String>()
                for sample in Self.samples {
                    let parts = sample.operation.split(separator: " ")
                    let operation = try #require(document["paths"]?[String(parts[1])]?[parts[0].lowercased()], "\(sample.operation) is not documented")
                    let headers = sample.key.map { fixture.bearer($0) } ?? [:]
                    let uri = "/api/v1" + sample.uri.replacingOccurrences(of: "{applied}", with: applied)
                    let response = try await client.execute(uri: uri, method: .get, headers: headers)
                    let status = String(response.status.code)
                    guard var documented = operation["responses"]?[status] else {
                        Issue.record("\(sample): status \(status) is not documented")
                        continue
                    }
                    covered.insert("\(sample.operation) \(status)")
                    if let reference = documented["$ref"]?.string { documented = try #require(checker.resolve(reference)) }
                    let schema = try #require(documented["content"]?["application/json"]?["schema"], "\(sample): no JSON schema")
                    #expect(response.headers[.contentType] == "application/json", "\(sample)")
                    let body = try JSONValue(parsing: Data(response.text.utf8))
                    let problems = checker.problems(body, schema)
                    #expect(problems.isEmpty, "\(sample) (\(status)):\n\(problems.joined(separator: "\n"))")
                    if case .object(let documentedHeaders) = documented["headers"] {
                        for (name, header) in documentedHeaders {
                            let value = response.headers[HTTPField.Name(name)!]
                            if header["required"] == .bool(true) { #expect(value != nil, "\(sample): no \(name) header") }
                            if let value, let headerSchema = header["schema"] {
                                #expect(checker.problems(.string(value), headerSchema).isEmpty, "\(sample): \(name): \(value)")
                            }
                        }
                    }
                }
                return covered
            }
        }
        uncovered.subtract(covered)
        #expect(uncovered.isEmpty, "no sample gets \(uncovered.sorted())")
    }

    /// Links to the repository's web host, so commit and declaration links appear.
    private static func configure(_ configuration: inout ServerConfiguration) {
        configuration.repositoryWebURL = RepositoryWebURL("https://git.example.com/org/teams/blob/{commit}/{path}#L{line}")
    }

    /// Besides the set-up run: where the teams are declared, as a run from a repository
    /// leaves it, and runs with every optional part (repeats, a commit, a reason with parts
    /// some viewers may not read). Returns the set-up run's id.
    private static func recordRuns(_ fixture: ServerFixture) async throws -> String {
        let applied = try #require(try await fixture.store.runs(limit: 1).first).id
        let commit = String(repeating: "c", count: 40)
        let read = try await Reconciler.run(ServerFixture.request(fixture.folder + "/manifests", trigger: "test"), store: fixture.store)
        await fixture.environment.status.recordDeclarations(Reconciler.Declarations(commit: commit, places: try #require(read.declarations).places))
        let now = Date()
        try await fixture.store.record(
            ReconcileRun(
                id: "repeated", trigger: "interval", startedAt: now.addingTimeInterval(1), finishedAt: now.addingTimeInterval(1),
                commit: commit, author: "alice@example.com", result: .noChanges, repeats: 3, lastSeenAt: now.addingTimeInterval(3)))
        try await fixture.store.record(
            ReconcileRun(
                id: "refused", trigger: "webhook", startedAt: now.addingTimeInterval(4), finishedAt: now.addingTimeInterval(4),
                commit: commit, author: "alice@example.com", result: .refused, message: "over the ceiling",
                reason: RunReason(
                    .invalidManifests,
                    [.everyone("teams/ml.yaml has errors"), .team("ml", .viewBilling, "spend limit over the ceiling"), .operators("raise it")])))
        return applied
    }

    @Test("The schema checker finds what is wrong")
    func checker() throws {
        let checker = JSONSchemaCheck(document: try Self.document())
        let member = JSONValue.object(["$ref": .string("#/components/schemas/Member")])
        #expect(checker.problems(try JSONValue(parsing: Data(#"{"email": "a@example.com", "role": "dev"}"#.utf8)), member).isEmpty)
        for bad in [
            #"{"email": "a@example.com"}"#, #"{"email": "a@example.com", "role": "owner"}"#,
            #"{"email": 1, "role": "dev"}"#, #"{"email": "a@example.com", "role": "dev", "extra": true}"#, #"[]"#,
        ] {
            #expect(!checker.problems(try JSONValue(parsing: Data(bad.utf8)), member).isEmpty, "\(bad)")
        }
        let status = JSONValue.object(["$ref": .string("#/components/schemas/Status")])
        let wrongTypes = #"{"instance": "a", "isLeader": 1, "stateVersion": true, "runs": [], "teams": [], "teamsTotal": 0, "lastSuccess": "yesterday"}"#
        #expect(checker.problems(try JSONValue(parsing: Data(wrongTypes.utf8)), status).count == 3)
    }
}
