/// What applying the manifests would change, against one version of the store.
/// Saved as JSON (`roster plan --out`) and applied later only if the store has not moved.
public struct Plan: Sendable, Codable, Equatable {
    /// The JSON format's version; a reader refuses formats it does not know.
    public var formatVersion: String
    public var source: Source?
    /// For `roster diff`: the revision the plan starts from instead of the store (not part
    /// of SPEC's JSON example; absent from plans against a store).
    public var base: Source?
    /// The store's state version the plan was computed against.
    public var stateVersion: Int64
    /// In the order they apply: by team, then by kind of change, then by subject.
    public var changes: [Change]
    public var warnings: [String]
    public var summary: Summary
    /// The removal limit the plan was made under, so a saved plan is applied under it too.
    public var maxRemovals: Int?
    /// Whether the author may make the changes (`roster diff`, reconcile runs); absent otherwise.
    public var authority: ChangeAuthority?
    /// When the plan was made (UTC, RFC 3339), for the "expires in 3 days" of its temporary
    /// members; absent when no change has an expiry.
    public var plannedAt: String?
    /// How long the links of the invitations this plan makes work, in seconds
    /// (`spec.invitations.expireAfter`), so a saved plan makes them the same; absent: until used.
    public var invitationExpireAfter: Double?

    /// The git revision (or folder) the desired state came from.
    public struct Source: Sendable, Codable, Equatable {
        public var repository: String
        public var ref: String?
        public var commit: String?
        public var tree: String?
        /// The commit's author, recorded as `onBehalfOf` in audit entries; not part of SPEC's
        /// JSON example, added so a saved plan applies with the same attribution.
        public var author: String?

        public init(repository: String, ref: String? = nil, commit: String? = nil, tree: String? = nil, author: String? = nil) {
            self.repository = repository
            self.ref = ref
            self.commit = commit
            self.tree = tree
            self.author = author
        }
    }

    public struct Summary: Sendable, Codable, Equatable {
        public var total: Int
        public var byAction: [String: Int]
    }

    public static let currentFormatVersion = "1"

    public init(source: Source?, stateVersion: Int64, changes: [Change], warnings: [String]) {
        formatVersion = Self.currentFormatVersion
        self.source = source
        self.stateVersion = stateVersion
        self.changes = changes
        self.warnings = warnings
        // Counted by runs of one action (the changes come grouped by team and kind), so a
        // million invitations are one dictionary update, not a million; read in place.
        var byAction: [String: Int] = [:]
        var index = changes.startIndex
        while index < changes.endIndex {
            let action = changes[index].action
            var end = index + 1
            while end < changes.endIndex, changes[end].action == action { end += 1 }
            byAction[action.rawValue, default: 0] += end - index
            index = end
        }
        summary = Summary(total: changes.count, byAction: byAction)
    }

    /// Removals plus revocations: what `maxRemovals` limits.
    public var removalCount: Int { changes.indices.count { changes[$0].action.isRemoval } }

    public var isEmpty: Bool { changes.isEmpty }
}
