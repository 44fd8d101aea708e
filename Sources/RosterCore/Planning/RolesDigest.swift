/// An order-independent digest of a team's addresses and roles, so a plan can tell a team
/// that is exactly as the store holds it without looking up each of its members.
///
/// Each entry is hashed with Swift's `Hasher` (SipHash, seeded afresh in every process, so no
/// one can choose addresses that collide), and the digest keeps the count and two sums of
/// those hashes (of each and of its square): adding an entry is a few instructions, taken
/// while the address has just been read. Two different sets of entries agree on all three
/// with a probability of about 2⁻⁶⁴ even when they differ by one entry. A digest is made
/// only in the process that compares it; it is never stored.
public struct RolesDigest: Sendable, Equatable {
    public private(set) var count = 0
    private var sum: UInt64 = 0
    private var squares: UInt64 = 0

    public init() {}

    /// Adds one address with its role.
    public mutating func add(_ email: Email, _ role: Role) {
        var hasher = Hasher()
        hasher.combine(email.value)
        hasher.combine(role)
        let hash = UInt64(bitPattern: Int64(hasher.finalize()))
        count += 1
        sum &+= hash
        squares &+= hash &* hash
    }

    /// The digest of both sets of entries together.
    public static func + (lhs: RolesDigest, rhs: RolesDigest) -> RolesDigest {
        var both = lhs
        both.count += rhs.count
        both.sum &+= rhs.sum
        both.squares &+= rhs.squares
        return both
    }
}
