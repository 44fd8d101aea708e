public import RosterCore
import Foundation

/// Why a run was refused or failed, in parts that each say who may read them: a refused
/// run's reason can name a team's members or its spend limit, which the status page and
/// the API must not show to a key holder outside that team or to a role that may not view
/// billing. The command line, which reads the store itself, shows everything.
public struct RunReason: Sendable, Equatable, Codable {
    /// What went wrong, as a closed set.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// The source could not be opened or fetched.
        case sourceUnreadable = "source-unreadable"
        /// The manifests have errors (the planner's refusals among them: minAdmins, ceilings, owners).
        case invalidManifests = "invalid-manifests"
        /// The plan removes more than `maxRemovals` allows.
        case removalLimit = "removal-limit"
        /// selfHeal is off and the last applied commit cannot be read to tell drift.
        case noBaseline = "no-baseline"
        /// The store refused the apply (another writer, a stale plan, a rejected change).
        case storeRefused = "store-refused"
        /// The store failed.
        case storeFailed = "store-failed"

        /// The reason's opening words.
        public var title: String {
            switch self {
            case .sourceUnreadable: "the source cannot be read"
            case .invalidManifests: "the manifests have errors"
            case .removalLimit: "the plan removes more than maxRemovals allows"
            case .noBaseline: "selfHeal is off and the last applied commit cannot be read"
            case .storeRefused: "the store refused the apply"
            case .storeFailed: "the store failed"
            }
        }
    }

    /// One part of a reason and who may read it.
    public struct Item: Sendable, Equatable, Codable {
        /// Who may read `detail`.
        public enum Audience: String, Sendable, Codable {
            /// Every signed-in viewer: it names no team (the source, roster.yaml, a count).
            case everyone
            /// Viewers whose role in `team` grants `permission`.
            case team
            /// Only those with the store itself (the command line, the server's log).
            case operators
        }

        public var audience: Audience
        public var team: String?
        public var permission: Permission?
        public var detail: String

        public init(audience: Audience, team: String? = nil, permission: Permission? = nil, detail: String) {
            self.audience = audience
            self.team = team
            self.permission = permission
            self.detail = detail
        }

        /// A part for everyone.
        public static func everyone(_ detail: String) -> Item { Item(audience: .everyone, detail: detail) }

        /// A part for those whose role in `team` grants `permission`.
        public static func team(_ team: String, _ permission: Permission, _ detail: String) -> Item {
            Item(audience: .team, team: team, permission: permission, detail: detail)
        }

        /// A part for operators only.
        public static func operators(_ detail: String) -> Item { Item(audience: .operators, detail: detail) }
    }

    public var kind: Kind
    public var items: [Item]

    public init(_ kind: Kind, _ items: [Item]) {
        self.kind = kind
        self.items = items
    }

    /// The reason as one line for a viewer who may read the parts `mayRead` admits: the
    /// kind, the readable parts, and how many were left out.
    public func summary(mayRead: (Item) -> Bool) -> String {
        let shown = items.filter(mayRead)
        var text = kind.title
        if !shown.isEmpty { text += ": " + shown.map(\.detail).joined(separator: "; ") }
        let hidden = items.count - shown.count
        if hidden > 0 {
            text += " (" + (hidden == 1 ? "1 detail" : "\(hidden) details")
            text += " not shown: they concern teams or settings this key may not see)"
        }
        return text
    }
}

extension RunReason {
    /// The reason as the stores keep it: compact JSON text.
    public var storedText: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings and enums cannot fail.
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    /// A reason from its stored text; nil for none, or for text another version wrote that
    /// this one cannot read (shown then as a reason without readable parts).
    public init?(storedText: String?) {
        guard let storedText, let reason = try? JSONDecoder().decode(RunReason.self, from: Data(storedText.utf8)) else {
            return nil
        }
        self = reason
    }
}

/// Changes a run found made outside git, as the store held them and git declares them: the
/// run page's drift list. A run keeps the first `RunDrift.kept` of them and their count.
public struct RunDrift: Sendable, Equatable, Codable {
    /// One difference: what the store holds of `subject` in `team`, and what git declares.
    public struct Item: Sendable, Equatable, Codable {
        public var team: String
        public var action: String
        public var subject: String
        public var store: String?
        public var git: String?

        /// What a viewer needs in `team` to read it: billing for the spend limit.
        public var permission: Permission {
            action == Change.Action.teamSpendLimitUpdate.rawValue ? .viewBilling : .accessTeamAccount
        }
    }

    public static let kept = 100

    public var count: Int
    public var items: [Item]

    /// The drift among `changes` (those in `healing`), the first `kept` of them.
    public init(_ changes: [Change], healing: Set<Change>) {
        let drifted = changes.filter(healing.contains)
        count = drifted.count
        items = drifted.prefix(Self.kept).map { change in
            Item(
                team: change.team, action: change.action.rawValue, subject: change.subject,
                store: change.before?.description, git: change.after?.description)
        }
    }

    /// The drift as the stores keep it: compact JSON text.
    public var storedText: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    /// Drift from its stored text; nil for none or unreadable text.
    public init?(storedText: String?) {
        guard let storedText, let drift = try? JSONDecoder().decode(RunDrift.self, from: Data(storedText.utf8)) else { return nil }
        self = drift
    }
}
