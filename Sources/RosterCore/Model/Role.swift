/// A member's role in a team, from least to most privileged.
public enum Role: String, Sendable, CaseIterable, Comparable, Codable {
    case basic, billing, dev, admin

    public static func < (lhs: Role, rhs: Role) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// "basic, billing, dev, admin", for messages.
    public static let list = allCases.map(\.rawValue).joined(separator: ", ")

    /// Whether this role grants `permission`, per `Permission.matrix`.
    public func allows(_ permission: Permission) -> Bool {
        Permission.matrix[permission]!.contains(self)
    }
}
