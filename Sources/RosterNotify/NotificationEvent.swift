public import Foundation
import RosterCore
import RosterStore

/// One thing a receiver is told about: a run applied, refused or failed, drift found, an
/// invitation created or renewed. Posted as JSON (`docs/notifications.md`); `text` is a line
/// Slack and Mattermost incoming webhooks show as it is.
public struct NotificationEvent: Sendable, Equatable, Encodable {
    /// What happened, as the `event` field and the `X-Roster-Event` header name it.
    public enum Kind: String, Sendable, CaseIterable, Encodable {
        case runApplied = "run.applied"
        case runRefused = "run.refused"
        case runFailed = "run.failed"
        case driftFound = "drift.found"
        case invitationCreated = "invitation.created"
        case invitationRenewed = "invitation.renewed"

        /// The invitation events: they carry a person's email and link, so they go only to
        /// the receivers trusted with links (`--notify-links`).
        public var isInvitation: Bool { self == .invitationCreated || self == .invitationRenewed }

        /// The invitation event for an audit action, nil for other actions. Matched by the raw
        /// action so a new invitation action needs one line here.
        static func invitation(action: String) -> Kind? {
            switch action {
            case "invite.create": .invitationCreated
            case "invite.renew": .invitationRenewed
            default: nil
            }
        }

        /// The audit actions that make invitation events.
        static let invitationActions = ["invite.create", "invite.renew"]
    }

    /// The run an event is about.
    public struct Run: Sendable, Equatable, Encodable {
        public var id: String
        public var result: String
        public var trigger: String
        public var repository: String?
        public var ref: String?
        public var commit: String?
        public var changes: Int
        /// The plan's counts, `2 invitations, 0 role changes, …` (applied and refused runs).
        public var summary: String?
        /// Why the run was refused or failed.
        public var reason: String?
        /// Changes made outside git that the run found.
        public var drift: Int?
        /// The run's page on the server.
        public var url: String?
    }

    /// The invitation an event is about.
    public struct Invitation: Sendable, Equatable, Encodable {
        public var team: String
        public var email: String
        public var role: String
        /// The link the invitee opens; only in bodies for `--notify-links` receivers.
        public var link: String?
    }

    /// The delivery id: the same on every retry and to every receiver, so a receiver can
    /// drop a repeat.
    public var id: String
    public var event: Kind
    /// UTC, RFC 3339 with milliseconds, as the audit log writes times.
    public var time: String
    public var text: String
    public var run: Run?
    public var invitation: Invitation?

    public init(id: String = UUID().uuidString.lowercased(), event: Kind, time: Date, text: String, run: Run? = nil, invitation: Invitation? = nil) {
        self.id = id
        self.event = event
        self.time = Timestamp.string(time)
        self.text = text
        self.run = run
        self.invitation = invitation
    }

    /// The JSON body: keys sorted so the same event is the same bytes (its signature too).
    public func body() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Every field is a string, a number or an optional of one: encoding cannot fail.
        return (try? encoder.encode(self)) ?? Data("{}".utf8)
    }
}
