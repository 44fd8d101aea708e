import RosterCore

extension Reconciler {
    /// Records on `plan` whether its commit's author holds, in the store's state, the
    /// permissions its changes need (`plan.authority`, a metric in `roster serve`), with a
    /// warning when not. Never a refusal: git does not authenticate commit authors, so the
    /// pull request (`roster diff --require-authorized`) is where authority is enforced.
    /// Changes that only undo drift (`drift`) are the store's, and renewals and expiries time's,
    /// not the author's: they are left out.
    static func checkAuthority(_ plan: inout Plan, outcome: Outcome, drift: Set<Change>?) {
        guard let current = outcome.current, let source = plan.source, source.commit != nil else { return }
        let authority = ChangeAuthority.check(
            // Renewals and expiries are time's doing, not the author's.
            plan.changes.lazy.filter { drift?.contains($0) != true && $0.reason == nil && $0.action != .inviteRenew },
            before: current,
            teamCreators: outcome.load.config.policy.teamCreators, author: source.author.flatMap(Email.init))
        guard !authority.teams.isEmpty else { return }
        plan.authority = authority
        guard let first = authority.unauthorizedTeams.first else { return }
        let teams = authority.unauthorizedTeams.count
        plan.warnings.append(
            "the commit's author \(authority.author ?? "(none recorded)") lacks the permissions for "
                + "\(authority.uncoveredChanges) change\(authority.uncoveredChanges == 1 ? "" : "s") in \(teams) "
                + "team\(teams == 1 ? "" : "s") (first \(first.team), whose approval is \(first.approvers.joined(separator: " or "))); "
                + "applied anyway, since commit authors are not authenticated: require `roster diff --require-authorized` on pull requests")
    }
}
