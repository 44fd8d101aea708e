import Foundation
import RosterCore
import RosterStore

/// The audit log's filters as query parameters (`since`, `until`, `user`, `resourceType`,
/// `resourceId`, `action`, `team`, `run`, `limit`, and `before`, the page of entries older
/// than a sequence number), the command line's in another form, limited to the teams where
/// the viewer's role may read audit logs.
struct AuditFilter {
    static let resourceTypes = AuditResourceType.allCases.map(\.rawValue)
    static let defaultLimit = 100
    static let maximumLimit = 10_000

    var since: String?
    var until: String?
    var user: String?
    var resourceType: String?
    var resourceID: String?
    var action: String?
    var team: String?
    var run: String?
    var before: Int64?
    var limit: Int

    /// Why a filter cannot be used.
    enum Problem: Error, Equatable {
        /// A malformed value: 400.
        case invalid(String)
        /// A team the viewer may not read: 403.
        case forbidden(String)
    }

    /// Reads the parameters; empty ones count as absent (a submitted form sends them all).
    init(_ parameters: [String: String]) throws(Problem) {
        func value(_ name: String) -> String? {
            guard let text = parameters[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            return text
        }
        since = value("since")
        until = value("until")
        user = value("user")
        resourceType = value("resourceType")
        resourceID = value("resourceId")
        action = value("action")
        team = value("team")
        run = value("run")
        if let text = value("before") {
            guard let seq = Int64(text), seq > 0 else { throw .invalid("before is an entry's sequence number, not \(text)") }
            before = seq
        }
        if let action, AuditAction(rawValue: action) == nil {
            throw .invalid("action is one of \(AuditAction.allCases.map(\.rawValue).joined(separator: ", ")), not \(action)")
        }
        if let since, Timestamp.bound(since) == nil {
            throw .invalid("since takes RFC 3339 (2026-11-23T10:00:00Z) or a date (2026-11-23), not \(since)")
        }
        if let until, Timestamp.bound(until) == nil {
            throw .invalid("until takes RFC 3339 (2026-11-23T10:00:00Z) or a date (2026-11-23), not \(until)")
        }
        if let resourceType, !Self.resourceTypes.contains(resourceType) {
            throw .invalid("resourceType is one of \(Self.resourceTypes.joined(separator: ", ")), not \(resourceType)")
        }
        if let text = value("limit") {
            guard let limit = Int(text), (1...Self.maximumLimit).contains(limit) else {
                throw .invalid("limit is a number from 1 to \(Self.maximumLimit), not \(text)")
            }
            self.limit = limit
        } else {
            limit = Self.defaultLimit
        }
    }

    /// The store query for `viewer`: their audit-readable teams only.
    func query(for viewer: Viewer) throws(Problem) -> AuditQuery {
        let readable = viewer.teams(where: .accessAuditLogs)
        if readable.isEmpty { throw .forbidden("the audit log is for team admins; you are admin in no team") }
        if let team, !readable.contains(team) { throw .forbidden("you may not read the audit log of team \(team)") }
        return AuditQuery(
            since: since.flatMap(Timestamp.bound), until: until.flatMap(Timestamp.bound), user: user,
            resourceType: resourceType, resourceID: resourceID, action: action, team: team, runID: run,
            // One team asked for (and readable, checked above) is the whole restriction.
            teams: team.map { [$0] } ?? readable, limit: limit, before: before)
    }
}
