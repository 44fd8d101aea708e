public import Foundation

/// A team as a manifest declares it, with where each part was written.
public struct TeamManifest: Sendable {
    public var slug: String
    public var displayName: String
    public var owner: Email
    public var spendLimit: SpendLimit
    public var members: [MemberManifest] { didSet { rolesDigest = nil } }
    /// The digest of `members` (email → role) when none of them expires; nil when unknown
    /// (the decoder makes it; changing `members` forgets it).
    public var rolesDigest: RolesDigest?

    /// The file that declares the team, and that file's git blob id when read from git.
    public var file: String
    public var blobID: String?
    /// Where `metadata.name` and `spec.owner` were written.
    public var namePosition: SourcePosition
    public var ownerPosition: SourcePosition
    /// Where `spec.spendLimit.perHour` was written (the name's position when omitted).
    public var spendLimitPosition: SourcePosition

    public init(
        slug: String, displayName: String, owner: Email, spendLimit: SpendLimit = .default,
        members: [MemberManifest], file: String, blobID: String? = nil,
        namePosition: SourcePosition = .start, ownerPosition: SourcePosition = .start,
        spendLimitPosition: SourcePosition? = nil
    ) {
        self.slug = slug
        self.displayName = displayName
        self.owner = owner
        self.spendLimit = spendLimit
        self.members = members
        self.file = file
        self.blobID = blobID
        self.namePosition = namePosition
        self.ownerPosition = ownerPosition
        self.spendLimitPosition = spendLimitPosition ?? namePosition
    }
}

/// One `spec.members[]` entry. Kept small (40 bytes): a plan holds a million of them on a
/// large organisation. Where the email and role were written matters only to the checks
/// made while decoding, which keep those positions themselves.
public struct MemberManifest: Sendable {
    public var email: Email
    /// When this member's access ends (`expires`), nil for a permanent member; from then on
    /// the plan removes them (or revokes their invitation).
    public var expires: Date?
    public var role: Role
    /// Where `expires` was written (where the email was, when omitted).
    public var expiresPosition: SourcePosition

    public init(email: Email, role: Role, expires: Date? = nil, expiresPosition: SourcePosition = .start) {
        self.email = email
        self.role = role
        self.expires = expires
        self.expiresPosition = expiresPosition
    }

    /// Whether this member's access has ended at `now`.
    public func hasExpired(at now: Date) -> Bool { Expiry.hasPassed(expires, at: now) }
}
