public import Foundation
public import RosterCore

/// API keys for the server's pages and API, kept hashed.
public protocol APIKeyStore: Sendable {
    /// Stores a new API key (hashed) for `email`.
    func createAPIKey(_ key: APIKeySecret, email: Email, createdBy: String, at time: Date) async throws -> APIKey
    /// The key with `id`, active or revoked.
    func apiKey(id: String) async throws -> APIKey?
    /// Keys, newest first; only `email`'s when given.
    func apiKeys(email: Email?) async throws -> [APIKey]
    /// Revokes the key; false when there is no active key with `id`.
    func revokeAPIKey(id: String, at time: Date) async throws -> Bool
}
