public import Foundation
public import RosterCore
public import RosterStore

/// What `roster status` reports: the last runs, the pending invitations and, with a source,
/// the drift against it. Its JSON is the `--format json` output.
public struct StatusReport: Sendable, Encodable {
    public var runs: [ReconcileRun]
    public var pendingInvitations: [PendingInvitation]
    /// The plan's changes by action; nil without a source.
    public var drift: Drift?

    public struct PendingInvitation: Sendable, Encodable {
        public var team: String
        public var email: String
        public var role: String
        public var createdBy: String
        public var createdAt: Date
        /// Seconds since it was made.
        public var ageSeconds: Int
        /// When its link stops working; nil (null) when it works until used or revoked.
        public var expiresAt: Date?
        public var expired: Bool

        private enum CodingKeys: String, CodingKey { case team, email, role, createdBy, createdAt, ageSeconds, expiresAt, expired }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(team, forKey: .team)
            try container.encode(email, forKey: .email)
            try container.encode(role, forKey: .role)
            try container.encode(createdBy, forKey: .createdBy)
            try container.encode(createdAt, forKey: .createdAt)
            try container.encode(ageSeconds, forKey: .ageSeconds)
            try container.encode(expiresAt, forKey: .expiresAt)
            try container.encode(expired, forKey: .expired)
        }
    }

    public struct Drift: Sendable, Encodable {
        public var total: Int
        public var byAction: [String: Int]
    }

    public init(runs: [ReconcileRun], pending: [Invitation], drift: Plan?, now: Date = Date()) {
        self.runs = runs
        pendingInvitations = pending.map {
            PendingInvitation(
                team: $0.team, email: $0.email.value, role: $0.role.rawValue, createdBy: $0.createdBy, createdAt: $0.createdAt,
                ageSeconds: max(0, Int(now.timeIntervalSince($0.createdAt))), expiresAt: $0.expiresAt,
                expired: $0.hasExpired(at: now))
        }
        self.drift = drift.map { Drift(total: $0.summary.total, byAction: $0.summary.byAction) }
    }

    /// The report as JSON: keys sorted, times as stored (RFC 3339 UTC with milliseconds),
    /// absent values as null.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.string(date))
        }
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    private enum CodingKeys: String, CodingKey { case runs, pendingInvitations, drift }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(runs, forKey: .runs)
        try container.encode(pendingInvitations, forKey: .pendingInvitations)
        // `drift` is always present: null without a source.
        try container.encode(drift, forKey: .drift)
    }
}
