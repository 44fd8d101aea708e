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

/// A real store in a scratch folder, reconciled from real manifests, and the server's
/// environment on it. Teams:
/// - `ml` (ML Research), owner alice (admin); carol billing and dan basic have joined; bob
///   (dev) is invited.
/// - `ops` (Operations), owner erin (admin); dan admin has joined.
/// API keys: one each for alice, carol, dan, and zed (in no team).
struct ServerFixture: Sendable {
    let folder: String
    let store: SQLiteStore
    let environment: ServerEnvironment
    let keys: [String: String]
    let secretKey: Data

    static let webhookSecret = Data("It's a Secret to Everybody".utf8)

    static let manifests: [String: String] = [
        "teams/ml.yaml": """
            apiVersion: roster/v1
            kind: Team
            metadata:
              name: ml
            spec:
              displayName: ML Research
              owner: alice@example.com
              spendLimit: {perHour: 40}
              members:
                - {email: alice@example.com, role: admin}
                - {email: bob@example.com, role: dev}
                - {email: carol@example.com, role: billing}
                - {email: dan@example.com, role: basic}
            """,
        "teams/ops.yaml": """
            apiVersion: roster/v1
            kind: Team
            metadata:
              name: ops
            spec:
              displayName: Operations
              owner: erin@example.com
              members:
                - {email: erin@example.com, role: admin}
                - {email: dan@example.com, role: admin}
            """,
    ]

    /// A scratch folder with the manifests above and a store reconciled from them.
    static func with<T>(
        configure: (inout ServerConfiguration) -> Void = { _ in }, _ body: (ServerFixture) async throws -> T
    ) async throws -> T {
        try await withScratchFolder(prefix: "roster-server-tests") { folder in
            let manifests = folder + "/manifests"
            for (path, text) in Self.manifests {
                let url = URL(fileURLWithPath: manifests + "/" + path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try text.write(to: url, atomically: true, encoding: .utf8)
            }
            let store = try SQLiteStore(path: folder + "/roster.db")
            let setUp = try await Reconciler.run(Self.request(manifests, trigger: "test"), store: store)
            try #require(setUp.run?.result == .applied, "set-up run: \(setUp.run?.message ?? "") \(setUp.errors)")
            for (team, email) in [("ml", "carol"), ("ml", "dan"), ("ops", "dan")] {
                let address = Email("\(email)@example.com")!
                let invitation = try #require(try await store.pendingInvitation(team: team, email: address))
                try await store.acceptInvitation(id: invitation.id, email: address, at: Date())
            }
            var keys: [String: String] = [:]
            for name in ["alice", "carol", "dan", "zed"] {
                let key = APIKeySecret.generate()
                _ = try await store.createAPIKey(key, email: Email("\(name)@example.com")!, createdBy: "test", at: Date())
                keys[name] = key.text
            }
            var configuration = ServerConfiguration(
                baseURL: URL(string: "http://roster.test")!, interval: .seconds(3600), leaseTTL: .seconds(2),
                instance: "test-\(UUID().uuidString.prefix(8))", trackedRef: "main", webhookSecret: Self.webhookSecret,
                webhookBodyLimit: 64 * 1024, bodyReadTimeout: .seconds(2))
            configure(&configuration)
            let secretKey = try SecretKeyFile.load(path: folder + "/roster.db.key")
            var logger = Logger(label: "roster-test")
            logger.logLevel = .warning
            let environment = ServerEnvironment(store: store, configuration: configuration, secretKey: secretKey, logger: logger)
            return try await body(
                ServerFixture(folder: folder, store: store, environment: environment, keys: keys, secretKey: secretKey))
        }
    }

    /// A run over the folder `manifests`.
    static func request(_ manifests: String, trigger: String, skip: Reconciler.Checkpoint? = nil) -> Reconciler.RunRequest {
        Reconciler.RunRequest(trigger: trigger, openSource: { try DirectorySource(path: manifests) }, skipIfUnchanged: skip)
    }

    /// The application on the router alone (no socket).
    var application: some ApplicationProtocol {
        Application(router: RosterServer.router(environment))
    }

    /// The link of `email`'s pending invitation in `team`.
    func link(team: String, email: String) async throws -> String {
        let invitation = try #require(try await store.pendingInvitation(team: team, email: Email(email)!))
        return "/invite/" + InvitationTokens(keyBytes: secretKey).token(for: invitation)
    }

    /// `Authorization: Bearer <key of name>`.
    func bearer(_ name: String) -> HTTPFields {
        [.authorization: "Bearer " + (keys[name] ?? "roster_000000000000_none")]
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    /// The JSON body as a dictionary or array.
    var json: Any? { try? JSONSerialization.jsonObject(with: Data(text.utf8)) }

    /// `name=value` of the `Set-Cookie` header for `name`, with its attributes.
    func setCookie(_ name: String) -> String? {
        headers[values: .setCookie].first { $0.hasPrefix(name + "=") }
    }
}

/// The value a cookie line sets (`name=value; …` → `value`).
func cookieValue(_ line: String?) -> String? {
    guard let line, let equals = line.firstIndex(of: "=") else { return nil }
    return String(line[line.index(after: equals)...].prefix { $0 != ";" })
}

/// `application/x-www-form-urlencoded` of `fields`.
func form(_ fields: [(String, String)]) -> ByteBuffer {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return ByteBuffer(string: fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&"))
}

/// An empty store and an environment on it.
func withScratchFolderForStore(_ body: (SQLiteStore, ServerEnvironment) async throws -> Void) async throws {
    try await withScratchFolder(prefix: "roster-server-tests") { folder in
        let store = try SQLiteStore(path: folder + "/roster.db")
        let environment = ServerEnvironment(
            store: store, configuration: ServerConfiguration(), secretKey: try SecretKeyFile.load(path: folder + "/roster.db.key"),
            logger: Logger(label: "roster-test"))
        try await body(store, environment)
    }
}
