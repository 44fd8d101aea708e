import Foundation
import Hummingbird
import HTTPTypes
import RosterCore
import RosterStore

/// Turns a request's API key (`Authorization: Bearer`, for the JSON API) or session cookie
/// (for pages) into a `Viewer`, checking the key is still active on every request.
struct Authenticator: Sendable {
    let store: any Store
    let sessions: SessionCookie
    let now: @Sendable () -> Date

    /// The viewer a bearer token names; nil without a valid, active key.
    func bearer(_ request: Request) async throws -> Viewer? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", let key = APIKeySecret(parsing: String(parts[1])) else {
            return nil
        }
        return try await viewer(key)
    }

    /// The viewer an API key signs in, if it is valid and active.
    func viewer(_ key: APIKeySecret) async throws -> Viewer? {
        guard let record = try await store.apiKey(id: key.id), record.isActive, key.matches(record) else { return nil }
        return Viewer(email: record.email, keyID: record.id, roles: try await store.roles(of: record.email))
    }

    /// The viewer a session cookie names; nil when absent, unknown, signed out, expired or
    /// its key revoked.
    func session(_ request: Request) async throws -> Viewer? {
        guard let secret = sessions.secret(in: request), let session = try await store.session(id: Session.id(forSecret: secret)),
            session.isLive(at: now()), let record = try await store.apiKey(id: session.keyID), record.isActive
        else { return nil }
        return Viewer(email: record.email, keyID: record.id, roles: try await store.roles(of: record.email))
    }
}
