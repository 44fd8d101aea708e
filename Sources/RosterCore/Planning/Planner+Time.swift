public import Foundation

extension Planner {
    /// The earliest instant after `now` at which the plan of this team could change by time
    /// alone, with neither its manifest nor its store state changing: a member's `expires`
    /// (and, for pending invitations, their expiry). Nil when nothing about the team depends
    /// on time. An incremental planner re-plans a team once this instant passes; `roster
    /// serve` wakes at the earliest over all teams so access ends on time.
    ///
    /// Pure and cheap (one pass over the team's members); it may name an instant at which
    /// nothing ends up changing (an expiring member who never joined), never miss one.
    public static func nextTimeDependentChange(team: TeamManifest?, state: TeamState?, after now: Date) -> Date? {
        var next: Date?
        func consider(_ date: Date?) {
            guard let date, date > now else { return }
            if next.map({ date < $0 }) ?? true { next = date }
        }
        for member in team?.members ?? [] { consider(member.expires) }
        if let state { for expires in state.invitationExpiries.values { consider(expires) } }
        return next
    }

    /// `nextTimeDependentChange` over every team of `desired` and `current`: when `roster
    /// serve` must plan again even if nothing else changes.
    public static func nextTimeDependentChange(desired: [TeamManifest], current: CurrentState, after now: Date) -> Date? {
        var next: Date?
        var seen = Set<String>()
        func consider(_ date: Date?) {
            guard let date else { return }
            if next.map({ date < $0 }) ?? true { next = date }
        }
        for team in desired {
            seen.insert(team.slug)
            consider(nextTimeDependentChange(team: team, state: current.teams[team.slug], after: now))
        }
        for (slug, state) in current.teams where !seen.contains(slug) {
            consider(nextTimeDependentChange(team: nil, state: state, after: now))
        }
        return next
    }
}

extension Planner {
    /// Warnings for `expires` already past at `now` in the teams of `teams` whose manifest
    /// changed since `base` (a new file, or one whose content differs): a date in the past
    /// written now is most likely a typo (the year), while one left in an old manifest is a
    /// member whose access ended as intended and says nothing new.
    public static func pastExpiries(in teams: [TeamManifest], changedSince base: [TeamManifest], now: Date) -> [Diagnostic] {
        var baseFiles: [String: String?] = [:]
        for team in base { baseFiles[team.file] = team.blobID }
        var warnings: [Diagnostic] = []
        for team in teams {
            if let blob = baseFiles[team.file], blob != nil, blob == team.blobID { continue }
            for (index, member) in team.members.enumerated() where member.hasExpired(at: now) {
                warnings.append(
                    Diagnostic(.warning, file: team.file, at: member.expiresPosition, path: "spec.members[\(index)].expires",
                               message: "\(member.email) expires at \(Expiry.text(member.expires!)), which has passed: "
                                   + "they will not be invited (or will be removed); is the date right?"))
            }
        }
        return warnings.sorted(by: Diagnostic.reportOrder)
    }
}
