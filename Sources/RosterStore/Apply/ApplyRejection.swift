public import RosterCore

/// Why a backend could not carry out one change of a plan whose state version matched: the
/// plan itself is wrong (hand-edited, or made by something else). One wording for every
/// backend; the whole apply rolls back.
public enum ApplyRejection: Sendable, Equatable {
    case teamMissing
    case teamExists
    case alreadyMember
    case aboveCeiling
    case ownerNotAdmin
    case noSuchMemberOrOwner
    case noPendingInvitation
    case malformed

    /// The reason, in the words of the error.
    public var reason: String {
        switch self {
        case .teamMissing: "the team is not in the store"
        case .teamExists: "the team is already in the store"
        case .alreadyMember: "the invitee is already a member"
        case .aboveCeiling: "the spend limit is above the team's ceiling"
        case .ownerNotAdmin: "the new owner is not an admin member"
        case .noSuchMemberOrOwner: "no such member, or it is the team's owner"
        case .noPendingInvitation: "no pending invitation"
        case .malformed: "the change is malformed"
        }
    }

    /// The error for `change`.
    public func error(_ change: Change) -> StoreError {
        StoreError(
            .invalid,
            "the plan cannot apply \(change.action.rawValue) to \(change.resourceID): \(reason); nothing was applied")
    }
}
