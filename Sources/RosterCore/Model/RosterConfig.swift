public import Foundation

/// Roster's settings from `roster.yaml` at the repository root (kind `Config`).
public struct RosterConfig: Sendable, Equatable {
    /// Folders (or files) to read manifests from; nil means the whole repository except
    /// folders whose name starts with a dot.
    public var paths: [String]?
    public var safety: Safety
    public var reconcile: Reconcile
    /// Who may do what beyond the permission matrix (`RosterConfig+Policy.swift`).
    public var policy = Policy()
    public var invitations: Invitations

    public struct Safety: Sendable, Equatable {
        /// Removals plus revocations one apply may make.
        public var maxRemovals: Int = 25
        /// Admin members every team keeps (the owner counts).
        public var minAdmins: Int = 1
        /// Whether a team no manifest declares may be deleted.
        public var allowTeamDeletion: Bool = false
        public init() {}
    }

    public struct Reconcile: Sendable, Equatable {
        /// Whether reconciling undoes changes made outside git.
        public var selfHeal: Bool = true
        public init() {}
    }

    /// `spec.invitations`: how long a link works, and whether an expired one is re-issued.
    public struct Invitations: Sendable, Equatable {
        /// How long after it is made an invitation's link works; nil: until used or revoked.
        public var expireAfter: TimeInterval?
        /// Whether the next reconcile re-issues an expired invitation (a new link).
        public var renew: Bool = false
        public init() {}
    }

    public init(
        paths: [String]? = nil, safety: Safety = Safety(), reconcile: Reconcile = Reconcile(),
        invitations: Invitations = Invitations()
    ) {
        self.paths = paths
        self.safety = safety
        self.reconcile = reconcile
        self.invitations = invitations
    }

    /// The name of the configuration file at the repository root.
    public static let fileName = "roster.yaml"
}
