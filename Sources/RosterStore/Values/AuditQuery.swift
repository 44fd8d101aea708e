public import Foundation

/// Filters for `roster audit`, all optional.
public struct AuditQuery: Sendable, Equatable {
    /// Inclusive lower and exclusive upper bound of the entries' time.
    public var since: Date?
    public var until: Date?
    /// Matches the actor or `onBehalfOf`, case-insensitively.
    public var user: String?
    public var resourceType: String?
    public var resourceID: String?
    public var action: String?
    public var team: String?
    /// Only the entries of one run.
    public var runID: String?
    /// Only entries of these teams (what a person may see); nil for all.
    public var teams: [String]?
    /// Only the newest `limit` entries (still printed oldest first).
    public var limit: Int?
    /// Only entries before this sequence number: the page of older entries.
    public var before: Int64?
    /// Only entries after this sequence number: the page of newer entries. With it, `limit`
    /// keeps the oldest entries after it, so a listing can be read forward a page at a time.
    public var after: Int64?

    public init(
        since: Date? = nil, until: Date? = nil, user: String? = nil, resourceType: String? = nil,
        resourceID: String? = nil, action: String? = nil, team: String? = nil, runID: String? = nil,
        teams: [String]? = nil, limit: Int? = nil, before: Int64? = nil, after: Int64? = nil
    ) {
        self.before = before
        self.after = after
        self.since = since
        self.until = until
        self.user = user
        self.resourceType = resourceType
        self.resourceID = resourceID
        self.action = action
        self.team = team
        self.runID = runID
        self.teams = teams
        self.limit = limit
    }

    /// The time bounds as stored (RFC 3339 UTC with milliseconds, which sorts as text).
    public var sinceText: String? { since.map(Timestamp.string) }
    public var untilText: String? { until.map(Timestamp.string) }
}
