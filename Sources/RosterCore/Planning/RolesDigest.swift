/// An order-independent digest of a team's addresses and roles, so a plan can tell a team
/// that is exactly as the store holds it without looking up each of its members.
///
/// Each entry's address is hashed with Swift's `Hasher` (SipHash, seeded afresh in every
/// process, so no one can choose addresses that collide), its role mixed into that hash
/// (`add(emailHash:_:)`), and the digest keeps the count and two sums of those hashes (of
/// each and of its square): adding an entry is a few instructions, taken while the address
/// has just been read. Two different sets of entries agree on all three
/// with a probability of about 2⁻⁶⁴ even when they differ by one entry. A digest is made
/// only in the process that compares it; it is never stored.
public struct RolesDigest: Sendable, Equatable {
    public private(set) var count = 0
    private var sum: UInt64 = 0
    private var squares: UInt64 = 0

    public init() {}

    /// Adds one address with its role.
    public mutating func add(_ email: Email, _ role: Role) {
        add(emailHash: Self.hash(email), role)
    }

    /// The keyed hash of an address `add(emailHash:_:)` takes: a decoder hashes each address
    /// once, for this digest and for its own check that no address is listed twice.
    public static func hash(_ email: Email) -> Int {
        var hasher = Hasher()
        hasher.combine(email)
        return hasher.finalize()
    }

    /// Adds the address whose `hash(_:)` is `emailHash`, with its role.
    public mutating func add(emailHash: Int, _ role: Role) {
        // The role moves the keyed hash by a constant of its own, and SplitMix64's finaliser
        // (a bijection) spreads the sum: two entries agree only if address hash and role do.
        var hash = UInt64(bitPattern: Int64(emailHash)) &+ role.digestSalt
        hash = (hash ^ (hash >> 30)) &* 0xBF58_476D_1CE4_E5B9
        hash = (hash ^ (hash >> 27)) &* 0x94D0_49BB_1331_11EB
        hash ^= hash >> 31
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

extension Role {
    /// Odd constants far apart, one per role, for `RolesDigest`.
    fileprivate var digestSalt: UInt64 {
        switch self {
        case .basic: 0x9E37_79B9_7F4A_7C15
        case .billing: 0x3C6E_F372_FE94_F82B
        case .dev: 0xDAA6_6D2C_7DDF_7441
        case .admin: 0x78DD_E6E5_FD29_F057
        }
    }
}
