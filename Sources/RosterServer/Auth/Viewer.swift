public import RosterCore

/// Who is asking, signed in with an API key, and their role in each team. What they may
/// see follows the permission matrix of that role.
public struct Viewer: Sendable, Equatable {
    public var email: Email
    public var keyID: String
    public var roles: [String: Role]

    /// Whether the viewer's role in `team` grants `permission`.
    public func can(_ permission: Permission, in team: String) -> Bool {
        roles[team]?.allows(permission) ?? false
    }

    /// The teams where the viewer's role grants `permission`, sorted.
    public func teams(where permission: Permission) -> [String] {
        roles.filter { $0.value.allows(permission) }.keys.sorted()
    }
}
