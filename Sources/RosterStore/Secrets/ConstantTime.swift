/// Comparisons of secrets (tokens, MACs, key hashes) whose time does not depend on where
/// the first difference is, so an attacker cannot find a secret byte by byte by timing.
public enum ConstantTime {
    /// Whether `a` and `b` hold the same bytes. Lengths are not secret; contents are.
    public static func equal(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}
