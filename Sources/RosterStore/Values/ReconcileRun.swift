public import Foundation

/// One reconcile or apply run.
public struct ReconcileRun: Sendable, Equatable, Codable {
    public enum Result: String, Sendable, Codable, CaseIterable { case applied, noChanges = "no-changes", refused, failed }

    public var id: String
    public var trigger: String
    public var startedAt: Date
    public var finishedAt: Date
    public var repository: String?
    public var ref: String?
    public var commit: String?
    public var author: String?
    public var result: Result
    public var changes: Int
    /// The whole reason of a refused or failed run, as the command line shows it.
    public var message: String?
    /// The same reason in parts, each with who may read it (the pages and the API).
    public var reason: RunReason?
    /// The store's state version the run found (applied: the one it made); nil when it
    /// never read the store (a source that could not be opened).
    public var stateVersion: Int64?
    /// How many runs this record stands for: consecutive no-change runs of the same commit
    /// and state are one record, counted, so real applies do not fall off the history.
    public var repeats: Int
    /// When the last of those runs finished (nil for a record of one run).
    public var lastSeenAt: Date?
    /// Changes made outside git that the run found; nil when it could not tell.
    public var drift: RunDrift?

    public init(
        id: String, trigger: String, startedAt: Date, finishedAt: Date, repository: String? = nil, ref: String? = nil,
        commit: String? = nil, author: String? = nil, result: Result, changes: Int = 0, message: String? = nil,
        reason: RunReason? = nil, stateVersion: Int64? = nil, repeats: Int = 1, lastSeenAt: Date? = nil,
        drift: RunDrift? = nil
    ) {
        self.drift = drift
        self.id = id
        self.trigger = trigger
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.repository = repository
        self.ref = ref
        self.commit = commit
        self.author = author
        self.result = result
        self.changes = changes
        self.message = message
        self.reason = reason
        self.stateVersion = stateVersion
        self.repeats = repeats
        self.lastSeenAt = lastSeenAt
    }

    /// Whether `next` is the same no-change run again: it then only counts on this record.
    public func isRepeated(by next: ReconcileRun) -> Bool {
        result == .noChanges && next.result == .noChanges && commit == next.commit && stateVersion == next.stateVersion
            && repository == next.repository && ref == next.ref
    }
}


extension ReconcileRun {
    enum CodingKeys: String, CodingKey {
        case id, trigger, startedAt, finishedAt, repository, ref, commit, author, result, changes, message, reason
        case stateVersion, repeats, lastSeenAt, drift
    }

    /// Reads what any version wrote: fields added later take their defaults.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try container.decode(String.self, forKey: .id), trigger: try container.decode(String.self, forKey: .trigger),
            startedAt: try container.decode(Date.self, forKey: .startedAt),
            finishedAt: try container.decode(Date.self, forKey: .finishedAt),
            repository: try container.decodeIfPresent(String.self, forKey: .repository),
            ref: try container.decodeIfPresent(String.self, forKey: .ref),
            commit: try container.decodeIfPresent(String.self, forKey: .commit),
            author: try container.decodeIfPresent(String.self, forKey: .author),
            result: try container.decode(Result.self, forKey: .result),
            changes: try container.decodeIfPresent(Int.self, forKey: .changes) ?? 0,
            message: try container.decodeIfPresent(String.self, forKey: .message),
            reason: try container.decodeIfPresent(RunReason.self, forKey: .reason),
            stateVersion: try container.decodeIfPresent(Int64.self, forKey: .stateVersion),
            repeats: try container.decodeIfPresent(Int.self, forKey: .repeats) ?? 1,
            lastSeenAt: try container.decodeIfPresent(Date.self, forKey: .lastSeenAt),
            drift: try container.decodeIfPresent(RunDrift.self, forKey: .drift))
    }

    /// Every field, absent ones as null (the JSON of `roster status` and the API).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(trigger, forKey: .trigger)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(finishedAt, forKey: .finishedAt)
        try container.encode(repository, forKey: .repository)
        try container.encode(ref, forKey: .ref)
        try container.encode(commit, forKey: .commit)
        try container.encode(author, forKey: .author)
        try container.encode(result, forKey: .result)
        try container.encode(changes, forKey: .changes)
        try container.encode(message, forKey: .message)
        try container.encode(reason, forKey: .reason)
        try container.encode(stateVersion, forKey: .stateVersion)
        try container.encode(repeats, forKey: .repeats)
        try container.encode(lastSeenAt, forKey: .lastSeenAt)
        try container.encode(drift, forKey: .drift)
    }
}
