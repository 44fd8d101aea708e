public import Foundation

/// Browser sessions of `roster serve`, kept in the store so that signing out on one replica
/// ends the session on all of them.
public protocol SessionStore: Sendable {
    /// Stores a new session, and deletes those that expired by `session.createdAt`, so the
    /// table holds live sessions only (and sessions ended but not yet expired).
    func createSession(_ session: Session) async throws
    /// The session with `id` (`Session.id(forSecret:)`), live, ended or expired.
    func session(id: String) async throws -> Session?
    /// Ends the session for good; false when there is no session with `id` not ended yet.
    func endSession(id: String, at time: Date) async throws -> Bool
}
