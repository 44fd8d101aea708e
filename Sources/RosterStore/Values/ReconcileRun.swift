public import Foundation

/// One reconcile or apply run.
public struct ReconcileRun: Sendable, Equatable, Codable {
    public enum Result: String, Sendable, Codable { case applied, noChanges = "no-changes", refused, failed }

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

    public init(
        id: String, trigger: String, startedAt: Date, finishedAt: Date, repository: String? = nil, ref: String? = nil,
        commit: String? = nil, author: String? = nil, result: Result, changes: Int = 0, message: String? = nil,
        reason: RunReason? = nil
    ) {
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
    }
}


extension ReconcileRun {
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
    }
}
