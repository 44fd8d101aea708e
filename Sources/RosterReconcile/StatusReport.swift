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

        /// The invitation as `json()` writes it in the array, by hand: JSONEncoder took 33 µs
        /// an invitation, half a minute for a million. Keys sorted, two spaces a level, strings
        /// escaped as the audit log's are (`"` and `\\`, controls as `\\n` or `\\u00XX`), which
        /// is the encoder's JSON for every address, slug and identity a store holds.
        var element: String {
            let expires = expiresAt.map { AuditChain.quote(Timestamp.string($0)) } ?? "null"
            return "    {\n      \"ageSeconds\" : \(ageSeconds),\n      \"createdAt\" : \(AuditChain.quote(Timestamp.string(createdAt))),\n"
                + "      \"createdBy\" : \(AuditChain.quote(createdBy)),\n      \"email\" : \(AuditChain.quote(email)),\n"
                + "      \"expired\" : \(expired),\n      \"expiresAt\" : \(expires),\n      \"role\" : \(AuditChain.quote(role)),\n"
                + "      \"team\" : \(AuditChain.quote(team))\n    }"
        }

        init(_ invitation: Invitation, now: Date) {
            team = invitation.team
            email = invitation.email.value
            role = invitation.role.rawValue
            createdBy = invitation.createdBy
            createdAt = invitation.createdAt
            ageSeconds = max(0, Int(now.timeIntervalSince(invitation.createdAt)))
            expiresAt = invitation.expiresAt
            expired = invitation.hasExpired(at: now)
        }

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
        self.now = now
        pendingInvitations = pending.map { PendingInvitation($0, now: now) }
        self.drift = drift.map { Drift(total: $0.summary.total, byAction: $0.summary.byAction) }
    }

    /// When the report was made: what ages are counted from.
    private let now: Date

    /// The report as JSON: keys sorted, times as stored (RFC 3339 UTC with milliseconds),
    /// absent values as null.
    public func json() throws -> String {
        String(decoding: try Self.encoder.encode(self), as: UTF8.self) + "\n"
    }

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.string(date))
        }
        return encoder
    }

    /// `json()` of this report with more pending invitations, written in parts: `start()`,
    /// then `add(_:)` for each page of invitations, then `end()`. A status of a million
    /// invitations is then never held whole (it is 300 MB of JSON).
    public func streamingJSON() throws -> StreamingJSON {
        let whole = try json()
        // This report's own invitations are written by `start()`; the pages follow them.
        let open = #""pendingInvitations" : ["#
        guard let start = whole.range(of: open), let close = whole.range(of: "\n  ]", range: start.upperBound..<whole.endIndex)
        else { throw EncodingError.invalidValue(whole, .init(codingPath: [], debugDescription: "no pendingInvitations array")) }
        let written = whole[start.upperBound..<close.lowerBound]
        return StreamingJSON(
            head: String(whole[..<start.upperBound]) + (pendingInvitations.isEmpty ? "" : String(written)),
            tail: String(whole[close.upperBound...]), count: pendingInvitations.count, now: now)
    }

    /// See `streamingJSON()`.
    public struct StreamingJSON {
        fileprivate let head: String
        fileprivate let tail: String
        fileprivate var count: Int
        fileprivate let now: Date

        public func start() -> String { head }

        /// `page`'s invitations as array elements, in order.
        public mutating func add(_ page: [Invitation]) throws -> String {
            var out = ""
            for invitation in page {
                out += (count == 0 ? "\n" : ",\n") + PendingInvitation(invitation, now: now).element
                count += 1
            }
            return out
        }

        /// The array's end and the rest of the report.
        public func end() -> String { (count == 0 ? "\n\n  ]" : "\n  ]") + tail }
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
