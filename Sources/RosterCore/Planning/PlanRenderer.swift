public import Foundation

/// Prints plans for people (text, Markdown for a pull-request comment) and machines (JSON).
public enum PlanRenderer {
    /// `Plan: 2 invitations, 1 role change, 1 removal, 1 revocation, 0 spend-limit changes.`
    /// The five counts always; other kinds of change when there are any.
    public static func summaryLine(_ plan: Plan) -> String {
        let count = { (action: Change.Action) in plan.summary.byAction[action.rawValue] ?? 0 }
        func phrase(_ n: Int, _ one: String, _ many: String) -> String { "\(n) \(n == 1 ? one : many)" }
        var parts = [
            phrase(count(.inviteCreate), "invitation", "invitations"),
            phrase(count(.memberRoleUpdate), "role change", "role changes"),
            phrase(count(.memberRemove), "removal", "removals"),
            phrase(count(.inviteRevoke), "revocation", "revocations"),
            phrase(count(.teamSpendLimitUpdate), "spend-limit change", "spend-limit changes"),
        ]
        let extras: [(Change.Action, String, String)] = [
            (.teamCreate, "new team", "new teams"), (.inviteUpdate, "invitation role change", "invitation role changes"),
            (.teamOwnerUpdate, "owner change", "owner changes"),
            (.teamDisplayNameUpdate, "display-name change", "display-name changes"),
            (.teamDelete, "team deletion", "team deletions"),
            (.inviteRenew, "invitation renewal", "invitation renewals"),
        ]
        for (action, one, many) in extras where count(action) > 0 { parts.append(phrase(count(action), one, many)) }
        return "Plan: " + parts.joined(separator: ", ") + "."
    }

    /// What the store (or a diff's base) matches when there is nothing to do.
    public static func noChangesLine(_ plan: Plan) -> String {
        if let base = plan.base { return "No changes. The head \(revision(plan.source)) declares what the base \(revision(base)) does." }
        let target = plan.source.map { source in
            source.commit.map { String($0.prefix(12)) } ?? source.repository
        } ?? "the manifests"
        return "No changes. The store matches \(target.printable)."
    }

    /// One line per change, `+`/`~`/`-` first, as `terraform plan` reads. Values (display
    /// names, emails from the store) are printed with control characters escaped, so a
    /// change is always exactly one line.
    /// A temporary member's change ends with when their access ends, relative to `now` (the
    /// plan's time) when known: `(expires in 3 days)`; a change made because time passed ends
    /// with its reason: `: expired`.
    public static func line(_ change: Change, now: Date? = nil) -> String {
        var text = rawLine(change)
        if let expires = change.expires {
            text += " (" + (now.map { Expiry.phrase(expires, now: $0) } ?? "expires") + ", " + Expiry.text(expires) + ")"
        }
        if let reason = change.reason { text += ": " + reason.rawValue }
        return text.printable
    }

    /// The time `plan` was made at, for relative expiries.
    static func now(_ plan: Plan) -> Date? { plan.plannedAt.flatMap(Expiry.parse) }

    private static func rawLine(_ change: Change) -> String {
        let subject = change.subject
        switch change.action {
        case .teamCreate: return "+ create team \(change.team): \(change.after.map(\.description) ?? "")"
        case .teamDelete: return "- delete team \(change.team): \(change.before.map(\.description) ?? "")"
        case .teamDisplayNameUpdate: return "~ display name: \(arrow(change))"
        case .teamSpendLimitUpdate: return "~ spend limit: \(arrow(change))"
        case .teamOwnerUpdate: return "~ owner: \(arrow(change))"
        case .inviteCreate: return "+ invite \(subject) as \(change.after.map(\.description) ?? "?")"
        case .inviteUpdate: return "~ invitation \(subject): \(arrow(change))"
        case .inviteRevoke: return "- revoke invitation \(subject) (\(change.before.map(\.description) ?? "?"))"
        case .inviteRenew:
            return "~ renew invitation \(subject): expired \(change.before.map(\.description) ?? "?"), "
                + (change.after.map { "a new link until \($0)" } ?? "a new link that does not expire")
        case .memberRoleUpdate: return "~ \(subject): \(arrow(change))"
        case .memberRemove: return "- remove \(subject) (\(change.before.map(\.description) ?? "?"))"
        }
    }

    /// `` `main` (0123456789ab) ``: a revision by its ref and commit.
    private static func revision(_ source: Plan.Source?) -> String {
        guard let source else { return "the manifests" }
        let commit = source.commit.map { String($0.prefix(12)) }
        switch (source.ref, commit) {
        // A ref is the user's text: a code span that a backtick or a control character in it
        // cannot leave, in the text output as in Markdown.
        case (let ref?, let commit?): return "\(PrintableText.markdownCode(ref)) (\(commit))"
        case (nil, let commit?): return commit
        default: return PrintableText.markdownCode(source.ref ?? source.repository)
        }
    }

    private static func arrow(_ change: Change) -> String {
        "\(change.before.map(\.description) ?? "none") → \(change.after.map(\.description) ?? "none")"
    }

    /// The changes grouped by team, then the summary line (or "No changes.").
    /// Warnings are not included: text output sends them to standard error.
    /// With `limits`, a large plan is cut (see `TextLimits`).
    public static func text(_ plan: Plan, color: Bool, limits: TextLimits? = nil) -> String {
        guard !plan.isEmpty else { return noChangesLine(plan) + "\n" }
        var out = plan.base.map { ("From the base \(revision($0)) to the head \(revision(plan.source)):").printable + "\n\n" } ?? ""
        var (teams, cutTeams, cutChanges) = (0, 0, 0)
        let now = now(plan)
        forEachTeam(plan) { team, allChanges in
            teams += 1
            if let limits, teams > limits.teams {
                cutTeams += 1
                cutChanges += allChanges.count
                return
            }
            let changes = allChanges.prefix(limits?.changesPerTeam ?? .max)
            let team = team.printable
            out += (color ? "\u{1B}[1m# team \(team)\u{1B}[0m" : "# team \(team)") + "\n"
            for change in changes {
                let text = "  " + line(change, now: now)
                guard color else { out += text + "\n"; continue }
                let paint = change.action.symbol == "+" ? "32" : change.action.symbol == "-" ? "31" : "33"
                out += "\u{1B}[\(paint)m\(text)\u{1B}[0m\n"
            }
            if let limits, allChanges.count > changes.count {
                out += "  … \(allChanges.count - changes.count) more (\(limits.hint))\n"
            }
            out += "\n"
        }
        if let limits, cutTeams > 0 {
            out += "… \(cutChanges) more change\(cutChanges == 1 ? "" : "s") in \(cutTeams) more team\(cutTeams == 1 ? "" : "s") (\(limits.hint))\n\n"
        }
        out += summaryLine(plan) + "\n"
        if let authority = plan.authority { out += "\n" + authorityText(authority, basis: authorityBasis(plan), limits: limits) }
        return out
    }

    /// Markdown for a pull-request comment: the summary first, warnings highlighted, then a
    /// collapsible section per team. A large plan is cut after `maxChanges` lines so the
    /// comment stays readable (and under GitHub's size limit); the JSON plan has everything.
    public static func markdown(_ plan: Plan, maxChanges: Int = 500) -> String {
        var out = "### Roster plan\n\n"
        guard !plan.isEmpty else {
            out += "**\(inline(noChangesLine(plan)))**\n"
            for warning in plan.warnings { out += "\n> [!WARNING]\n> \(inline(warning))\n" }
            return out
        }
        var teams = 0
        forEachTeam(plan) { _, _ in teams += 1 }
        out += "**\(summaryLine(plan))** (\(plan.summary.total) change\(plan.summary.total == 1 ? "" : "s") in \(teams) team\(teams == 1 ? "" : "s"))\n"
        if let base = plan.base {
            out += "\nFrom the base \(revision(base)) to the head \(revision(plan.source)).\n"
        } else if let commit = plan.source?.commit {
            out += "\nAt commit \(PrintableText.markdownCode(commit.prefix(12))), store version \(plan.stateVersion).\n"
        }
        for warning in plan.warnings { out += "\n> [!WARNING]\n> \(inline(warning))\n" }
        if let authority = plan.authority { out += authorityMarkdown(authority, basis: authorityBasis(plan)) }
        let now = now(plan)
        var shown = 0
        var cutTeams = 0
        var cutChanges = 0
        forEachTeam(plan) { team, changes in
            guard shown < maxChanges else {
                cutTeams += 1
                cutChanges += changes.count
                return
            }
            out += "\n<details><summary><code>\(PrintableText.html(team))</code>: \(changes.count) change\(changes.count == 1 ? "" : "s")</summary>\n\n```diff\n"
            for change in changes.prefix(maxChanges - shown) { out += line(change, now: now) + "\n" }
            if changes.count > maxChanges - shown { out += "… \(changes.count - (maxChanges - shown)) more\n" }
            shown += min(changes.count, maxChanges - shown)
            out += "```\n</details>\n"
        }
        if cutTeams > 0 {
            out += "\n… and \(cutChanges) more changes in \(cutTeams) more teams: see the JSON plan (`roster plan --format json`).\n"
        }
        return out
    }

    /// The versioned JSON of SPEC section 3.
    public static func json(_ plan: Plan) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes, .sortedKeys]
        return String(decoding: try! encoder.encode(plan), as: UTF8.self) + "\n"
    }

    /// Calls `body` with each team's changes, teams in the plan's order.
    private static func forEachTeam(_ plan: Plan, _ body: (String, ArraySlice<Change>) -> Void) {
        var start = plan.changes.startIndex
        while start < plan.changes.endIndex {
            let team = plan.changes[start].team
            var end = start
            while end < plan.changes.endIndex, plan.changes[end].team == team { end += 1 }
            body(team, plan.changes[start..<end])
            start = end
        }
    }

    /// Running Markdown text: control characters escaped, markup characters written
    /// literally, so a value cannot add a line, a link or an image to the comment.
    private static func inline(_ text: String) -> String { PrintableText.markdown(text) }
}
