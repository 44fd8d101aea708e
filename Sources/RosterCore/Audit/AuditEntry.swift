/// One entry of the append-only, hash-chained audit log.
public struct AuditEntry: Sendable, Equatable {
    public var seq: Int64
    /// UTC, RFC 3339 with milliseconds: `2026-11-23T13:45:07.123Z`.
    public var time: String
    /// Who performed it: the reconciler's identity or a person's email.
    public var actor: String
    /// For changes from git: the commit's author.
    public var onBehalfOf: String?
    /// Dotted name: `invite.create`, `member.role.update`, …
    public var action: String
    /// `team`, `member` or `invite`.
    public var resourceType: String
    /// `<team>/<email>` for members and invitations, the slug for teams.
    public var resourceID: String
    public var team: String?
    /// The values before and after, as JSON text (`"dev"`, `80`, `{…}`), nil for none.
    public var before: String?
    public var after: String?
    public var commit: String?
    public var runID: String?
    /// The previous entry's hash (64 zeros for the first) and this entry's.
    public var prevHash: String
    public var hash: String

    public init(
        seq: Int64, time: String, actor: String, onBehalfOf: String? = nil, action: String, resourceType: String,
        resourceID: String, team: String?, before: String?, after: String?, commit: String? = nil, runID: String? = nil,
        prevHash: String, hash: String = ""
    ) {
        self.seq = seq
        self.time = time
        self.actor = actor
        self.onBehalfOf = onBehalfOf
        self.action = action
        self.resourceType = resourceType
        self.resourceID = resourceID
        self.team = team
        self.before = before
        self.after = after
        self.commit = commit
        self.runID = runID
        self.prevHash = prevHash
        self.hash = hash
    }

    /// The predecessor hash of the first entry.
    public static let genesisHash = String(repeating: "0", count: 64)
}
