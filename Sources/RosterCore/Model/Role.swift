internal import RosterYAML

/// A member's role in a team, from least to most privileged.
public enum Role: String, Sendable, CaseIterable, Comparable, Codable {
    case basic, billing, dev, admin

    public static func < (lhs: Role, rhs: Role) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// `Role(rawValue:)`, told apart by length and first byte before one comparison: a
    /// manifest's roles are read with it, once per declared member.
    public static func named(_ text: String) -> Role? {
        var text = text
        return text.withUTF8 { named(utf8: $0) }
    }

    /// `named(_:)` of the UTF-8 text `bytes`, where a decoder has them.
    public static func named(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Role? {
        let candidate: Role
        switch (bytes.count, bytes.first) {
        case (3, UInt8(ascii: "d")): candidate = .dev
        case (5, UInt8(ascii: "a")): candidate = .admin
        case (5, UInt8(ascii: "b")): candidate = .basic
        case (7, UInt8(ascii: "b")): candidate = .billing
        default: return nil
        }
        return utf8Names[candidate.index].withUnsafeBufferPointer { $0.bytesEqual(bytes) } ? candidate : nil
    }

    private static let utf8Names = allCases.map { Array($0.rawValue.utf8) }
    private var index: Int {
        switch self {
        case .basic: 0
        case .billing: 1
        case .dev: 2
        case .admin: 3
        }
    }

    /// "basic, billing, dev, admin", for messages.
    public static let list = allCases.map(\.rawValue).joined(separator: ", ")

    /// Whether this role grants `permission`, per `Permission.matrix`.
    public func allows(_ permission: Permission) -> Bool {
        Permission.matrix[permission]!.contains(self)
    }
}
