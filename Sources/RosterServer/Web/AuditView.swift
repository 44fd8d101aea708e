import Foundation
import RosterCore

/// An audit entry as people read it: `role: dev → admin`, `spend limit: $80.00 → $120.00/h`,
/// a new team as its name, owner and limit; never the raw JSON (the API's `before` and
/// `after` still carry it).
struct AuditView: Encodable {
    var seq: Int64
    var time: String
    var actor: String
    var onBehalfOf: String?
    var action: String
    var resourceType: String
    var resourceID: String
    var team: String?
    /// The change in words.
    var change: String
    var before: String?
    var after: String?
    var commit: String?
    var commitURL: String?
    var runID: String?

    init(_ entry: AuditEntry, links: RepositoryWebURL?) {
        seq = entry.seq
        time = entry.time
        actor = entry.actor
        onBehalfOf = entry.onBehalfOf
        action = entry.action
        resourceType = entry.resourceType
        resourceID = entry.resourceID
        team = entry.team
        change = Self.describe(entry)
        before = entry.before
        after = entry.after
        commit = entry.commit
        commitURL = entry.commit.flatMap { links?.link(commit: $0) }
        runID = entry.runID
    }

    /// The values the templates read.
    var page: [String: Any] {
        var values: [String: Any] = [
            "seq": seq, "time": time, "actor": actor, "onBehalfOf": onBehalfOf ?? "", "action": action,
            "resourceType": resourceType, "resourceID": resourceID, "change": change,
            "commit": commit ?? "", "shortCommit": commit.map { String($0.prefix(12)) } ?? "", "runID": runID ?? "",
            "shortRunID": runID.map { String($0.prefix(8)) } ?? "",
        ]
        if let commitURL { values["commitURL"] = commitURL }
        return values
    }

    /// `what: before → after` in words, from the entry's JSON values.
    static func describe(_ entry: AuditEntry) -> String {
        let before = entry.before.flatMap(Self.value)
        let after = entry.after.flatMap(Self.value)
        let what: String =
            switch entry.action {
            case "member.role.update", "invite.update": "role"
            case "team.spend_limit.update", "team.spend_limit_ceiling.update": "spend limit"
            case "team.display_name.update": "name"
            case "team.owner.update": "owner"
            case "invite.create", "invite.accept": "invited as"
            case "invite.revoke": "invitation revoked, was"
            case "invite.renew": "invitation renewed, expiry"
            case "member.remove": "removed, was"
            case "team.create": "created"
            case "team.delete": "deleted, was"
            default: entry.action
            }
        switch (before, after) {
        case let (before?, after?): return "\(what): \(before) → \(after)"
        case let (nil, after?): return "\(what) \(after)"
        case let (before?, nil): return "\(what) \(before)"
        case (nil, nil): return what
        }
    }

    /// A stored JSON value in words: a number is dollars an hour, an object a team.
    private static func value(_ json: String) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed]) else {
            return json
        }
        switch object {
        case let number as NSNumber:
            return "$" + SpendLimit(dollars: number.doubleValue).description + "/h"
        case let text as String: return text
        case let team as [String: Any]:
            var parts: [String] = []
            if let name = team["displayName"] as? String { parts.append(name) }
            if let owner = team["owner"] as? String { parts.append("owner " + owner) }
            if let limit = team["spendLimit"] as? NSNumber { parts.append("$" + SpendLimit(dollars: limit.doubleValue).description + "/h") }
            if let email = team["email"] as? String { parts.append(email) }
            // A removal or revocation time made: `{"reason":"expired"}`.
            if let reason = team["reason"] as? String { parts.append("reason: " + reason) }
            return parts.joined(separator: ", ")
        default: return json
        }
    }
}
