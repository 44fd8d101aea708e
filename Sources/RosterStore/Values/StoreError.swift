/// A store failure a user can act on. Maps to SPEC's exit codes: `stalePlan`, `locked` and
/// `fenced` are refusals (3), the rest errors (1).
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case stalePlan, locked, notFound, invalid, corrupt, io
        /// The writer no longer holds the lease it writes under (another replica leads now).
        case fenced
        /// The target of `store copy` already holds data.
        case notEmpty
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
