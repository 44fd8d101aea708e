/// A member's role in a team, from least to most privileged.
public enum Role: String, Sendable, CaseIterable, Comparable, Codable {
    case basic, billing, dev, admin

    public static func < (lhs: Role, rhs: Role) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// `Role(rawValue:)`, told apart by length and first byte before one comparison: a
    /// manifest's roles are read with it, once per declared member.
    public static func named(_ text: String) -> Role? {
        let candidate: Role
        switch (text.utf8.count, text.utf8.first) {
        case (3, UInt8(ascii: "d")): candidate = .dev
        case (5, UInt8(ascii: "a")): candidate = .admin
        case (5, UInt8(ascii: "b")): candidate = .basic
        case (7, UInt8(ascii: "b")): candidate = .billing
        default: return nil
        }
        return text == candidate.rawValue ? candidate : nil
    }

    /// "basic, billing, dev, admin", for messages.
    public static let list = allCases.map(\.rawValue).joined(separator: ", ")

    /// Whether this role grants `permission`, per `Permission.matrix`.
    public func allows(_ permission: Permission) -> Bool {
        Permission.matrix[permission]!.contains(self)
    }
}
