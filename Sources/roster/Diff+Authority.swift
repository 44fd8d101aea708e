import ArgumentParser
import RosterCore

extension Roster.Diff {
    /// With `--require-authorized`, exits 3 when the author may not make every change, naming
    /// on standard error (the CI log) whose approval would cover each team.
    func requireAuthority(_ plan: Plan) throws {
        guard requireAuthorized, let authority = plan.authority, !authority.authorized else { return }
        var message = "error: \(PlanRenderer.verdict(authority)) (--require-authorized)\n"
        for team in authority.unauthorizedTeams.prefix(PlanRenderer.TextLimits.standard.teams) {
            message += "  " + "\(team.team): approval from \(team.approvers.joined(separator: " or "))".printable + "\n"
        }
        Output.err(message)
        throw ExitCode(3)
    }
}
