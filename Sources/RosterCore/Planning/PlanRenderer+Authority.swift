extension PlanRenderer {
    /// The authority section of the text output: one line per team (those needing approval
    /// first), then a verdict line. With `limits`, at most `limits.teams` team lines.
    public static func authorityText(_ authority: ChangeAuthority, basis: String, limits: TextLimits? = nil) -> String {
        let author = authority.author ?? "the commit's author (none recorded)"
        var out = "Authority of \(author) (each team \(basis)):".printable + "\n"
        let teams = authority.unauthorizedTeams + authority.teams.filter(\.authorized)
        let shown = teams.prefix(limits?.teams ?? .max)
        for team in shown {
            let line =
                team.authorized
                ? "\(team.team): authorized (\(grant(team)))"
                : "\(team.team): needs approval from \(team.approvers.joined(separator: " or ")): \(refusal(team, author: author))"
            out += "  " + line.printable + "\n"
        }
        if let limits, teams.count > shown.count {
            let more = teams.count - shown.count
            let refused = teams[shown.endIndex...].count { !$0.authorized }
            out += "  … \(more) more team\(more == 1 ? "" : "s"), \(refused) needing approval (\(limits.hint))\n"
        }
        return out + verdict(authority) + "\n"
    }

    /// The authority section of the Markdown comment: a callout with the verdict, then a
    /// table of the teams (those needing approval first), cut after `maxTeams` rows.
    public static func authorityMarkdown(_ authority: ChangeAuthority, basis: String, maxTeams: Int = 100) -> String {
        let author = authority.author.map { PrintableText.markdownCode($0) } ?? "The commit's author (none recorded)"
        var out = "\n#### Change authority\n\n"
        if authority.authorized {
            out += "> [!NOTE]\n> \(author) may make every change here (each team \(PrintableText.markdown(basis))).\n"
        } else {
            let refused = authority.unauthorizedTeams.count
            out +=
                "> [!CAUTION]\n> **Needs approval.** \(author) may not make the changes in \(refused) of "
                + "\(authority.teams.count) team\(authority.teams.count == 1 ? "" : "s") (each team \(PrintableText.markdown(basis))); "
                + "an approval from one of the people named below covers them.\n"
        }
        out += "\n| Team | Needs | \(author) | Approval from |\n| --- | --- | --- | --- |\n"
        let teams = authority.unauthorizedTeams + authority.teams.filter(\.authorized)
        for team in teams.prefix(maxTeams) {
            let needs = team.needs.map(\.title).joined(separator: ", ")
            let verdict = team.authorized ? "yes (\(grant(team)))" : "no (\(refusal(team, author: authority.author ?? "no author")))"
            let approvers = team.authorized ? "not needed" : team.approvers.map(PrintableText.markdown).joined(separator: ", ")
            out += "| \(PrintableText.markdownCode(team.team)) | \(PrintableText.markdown(needs)) | \(PrintableText.markdown(verdict)) | \(approvers) |\n"
        }
        if teams.count > maxTeams {
            let refused = teams[maxTeams...].count { !$0.authorized }
            out += "\n… and \(teams.count - maxTeams) more teams, \(refused) needing approval: see the JSON plan (`--format json`).\n"
        }
        return out
    }

    /// "2 of 3 teams need approval." or "Authorized: every change in 3 teams."
    public static func verdict(_ authority: ChangeAuthority) -> String {
        let count = authority.teams.count
        let teams = "\(count) team\(count == 1 ? "" : "s")"
        if authority.authorized { return "Authorized: every change in \(teams)." }
        let refused = authority.unauthorizedTeams.count
        return "\(refused) of \(teams) \(refused == 1 ? "needs" : "need") approval."
    }

    /// What the plan is checked against, for the sections' headings.
    public static func authorityBasis(_ plan: Plan) -> String {
        plan.base == nil ? "as the store holds it" : "as the base declares it"
    }

    /// Why an authorized team is: the author's role, or the rule that lets them.
    private static func grant(_ team: ChangeAuthority.Team) -> String {
        if team.needs.contains(.createTeam) { return "may create it" }
        if team.needs.contains(.deleteTeam) { return "its owner" }
        return team.authorRole?.rawValue ?? "?"
    }

    /// Why the author may not: "bob@example.com is dev there and lacks Invite team members".
    private static func refusal(_ team: ChangeAuthority.Team, author: String) -> String {
        if team.missing.contains(.createTeam) { return "\(author) is neither its declared owner nor a team creator" }
        if team.missing.contains(.deleteTeam) { return "\(author) is not its owner" }
        let lacks = team.missing.map(\.title).joined(separator: ", ")
        guard let role = team.authorRole else { return "\(author) is not a member and lacks \(lacks)" }
        return "\(author) is \(role.rawValue) there and lacks \(lacks)"
    }
}
