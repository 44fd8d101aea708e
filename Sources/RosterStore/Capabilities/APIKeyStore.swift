public import Foundation
public import RosterCore

/// API keys for the server's pages and API, kept hashed. Making and revoking one is
/// audited (`apikey.create`, `apikey.revoke`) in the same transaction.
public protocol APIKeyStore: Sendable {
    /// Stores a new API key (hashed) for `email`, audited as made by `createdBy`.
    func createAPIKey(_ key: APIKeySecret, email: Email, createdBy: String, at time: Date) async throws -> APIKey
    /// The key with `id`, active or revoked.
    func apiKey(id: String) async throws -> APIKey?
    /// Keys, newest first; only `email`'s when given.
    func apiKeys(email: Email?) async throws -> [APIKey]
    /// Revokes the key, audited as done by `actor`; false when there is no active key with `id`.
    func revokeAPIKey(id: String, by actor: String, at time: Date) async throws -> Bool
}
