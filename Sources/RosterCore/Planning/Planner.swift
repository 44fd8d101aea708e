import Foundation

/// Computes a plan: a pure function of the desired state (the manifests), the current state
/// (the store) and the rules. It never touches the store or git.
public enum Planner {
    /// The plan, and the errors that forbid it (SPEC section 5: removing or demoting an
    /// owner, a spend limit above the team's ceiling, an owner who is not a member, a team
    /// left with too few admins). Errors point at the manifest line they come from.
    public static func plan(
        desired teams: [TeamManifest], current: CurrentState, rules: PlanRules, source: Plan.Source?
    ) -> (plan: Plan, errors: [Diagnostic]) {
        plan(planTeams(teams, current: current, rules: rules), desired: teams, current: current, rules: rules, source: source)
    }

    /// The plan whose declared teams' part is `planned`: what `plan(desired:…)` gives when
    /// `planned` holds what `plan(_:current:rules:into:)` adds for each of `teams`, in order
    /// (a plan made a team at a time as the manifests are decoded).
    public static func plan(
        _ planned: TeamsPlan, desired teams: [TeamManifest], current: CurrentState, rules: PlanRules, source: Plan.Source?
    ) -> (plan: Plan, errors: [Diagnostic]) {
        var warnings: [String] = []
        var (changes, errors, unrenewed) = (planned.changes, planned.errors, planned.unrenewed)
        let declared = Set(teams.lazy.map(\.slug))

        for slug in current.teams.keys.sorted() where !declared.contains(slug) {
            let state = current.teams[slug]!
            if rules.allowTeamDeletion {
                changes.append(Change(.teamDelete, team: slug, subject: slug, before: .team(.init(state))))
            } else {
                warnings.append(
                    "team \(slug) is in the store but no manifest declares it; it is left alone (allowTeamDeletion is off)")
            }
        }

        var plan = Plan(source: source, stateVersion: current.version, changes: changes, warnings: [])
        // Only for plans that say "expires in …", so other plans keep SPEC's shape.
        if rules.now != .distantPast, changes.indices.contains(where: { changes[$0].expires != nil }) {
            plan.plannedAt = Expiry.text(rules.now)
        }
        if plan.removalCount > rules.maxRemovals {
            warnings.insert(
                "this plan removes \(plan.removalCount) members or invitations, over maxRemovals (\(rules.maxRemovals)): "
                    + (rules.allowMassRemoval
                        ? "allowed for this run by --allow-mass-removal"
                        : "apply refuses it unless run with --allow-mass-removal"), at: 0)
        }
        if unrenewed > 0 {
            warnings.append(
                "\(unrenewed) invitation\(unrenewed == 1 ? " has" : "s have") expired and \(unrenewed == 1 ? "is" : "are") not renewed "
                    + "(spec.invitations.renew is off); `roster invite list --expired` lists them")
        }
        plan.invitationExpireAfter = rules.invitationExpireAfter
        var result = plan
        result.warnings = warnings
        return (result, errors.sorted(by: Diagnostic.reportOrder))
    }

    /// What one run of teams plans: their changes in order, the errors, and how many expired
    /// invitations are left unrenewed.
    public struct TeamsPlan: Sendable {
        public var changes: [Change] = []
        public var errors: [Diagnostic] = []
        public var unrenewed = 0

        public init() {}
    }

    /// Adds what `team` plans against the store to `part`: the plan's changes for the team,
    /// in the plan's order (a plan's teams are planned one by one, in slug order).
    public static func plan(_ team: TeamManifest, current: CurrentState, rules: PlanRules, into part: inout TeamsPlan) {
        if let state = current.teams[team.slug] {
            update(team, from: state, rules: rules, into: &part.changes, errors: &part.errors, unrenewed: &part.unrenewed)
        } else {
            create(team, ceiling: current.ceiling(of: team.slug), now: rules.now, into: &part.changes, errors: &part.errors)
        }
    }

    /// Plans each declared team against the store. Teams are independent of each other, so
    /// a large organisation's are planned in as many slices as there are cores, and the
    /// slices' changes joined in order: the same plan as one pass.
    private static func planTeams(
        _ teams: [TeamManifest], current: CurrentState, rules: PlanRules
    ) -> TeamsPlan {
        @Sendable func plan(_ slice: ArraySlice<TeamManifest>, reserving capacity: Int = 0) -> TeamsPlan {
            var result = TeamsPlan()
            result.changes.reserveCapacity(capacity)
            for team in slice { Planner.plan(team, current: current, rules: rules, into: &result) }
            return result
        }
        let slices = teams.count < 1_000 ? 1 : max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
        let size = (teams.count + slices - 1) / slices
        // A new team's changes are known in number: its creation and an invitation for each
        // other member. The first slice's array is made that large for every slice's new
        // teams, so the join below appends to it instead of moving a million changes into a
        // larger one, and its pages are first touched while the other slices are planned.
        let created = slices == 1 ? 0 : teams.reduce(0) { $0 + (current.teams[$1.slug] == nil ? $1.members.count : 0) }
        var results = [TeamsPlan](repeating: TeamsPlan(), count: slices)
        if slices == 1 {
            results[0] = plan(teams[...])
        } else {
            results.withUnsafeMutableBufferPointer { buffer in
                nonisolated(unsafe) let buffer = buffer
                DispatchQueue.concurrentPerform(iterations: slices) { slice in
                    let range = min(slice * size, teams.count)..<min((slice + 1) * size, teams.count)
                    buffer[slice] = plan(teams[range], reserving: slice == 0 ? created : 0)
                }
            }
        }
        // The first slice's changes are taken over, not copied (a million on a first apply).
        var joined = TeamsPlan()
        swap(&joined, &results[0])
        joined.changes.reserveCapacity(results.reduce(joined.changes.count) { $0 + $1.changes.count })
        for result in results.dropFirst() {
            joined.changes += result.changes
            joined.errors += result.errors
            joined.unrenewed += result.unrenewed
        }
        return joined
    }

    /// A team the store does not have: create it (its owner becomes an admin member at once)
    /// and invite everyone else.
    private static func create(
        _ team: TeamManifest, ceiling: SpendLimit, now: Date, into changes: inout [Change], errors: inout [Diagnostic]
    ) {
        if team.spendLimit > ceiling { errors.append(ceilingError(team, ceiling: ceiling)) }
        changes.append(
            Change(.teamCreate, team: team.slug, subject: team.slug,
                   after: .team(.init(displayName: team.displayName, owner: team.owner, spendLimit: team.spendLimit))))
        // A member whose access has already ended is not invited at all.
        for member in TextOrder.sorted(team.members, by: \.email.value)
        where member.email != team.owner && !member.hasExpired(at: now) {
            changes.append(
                Change(.inviteCreate, team: team.slug, subject: member.email.value, after: .role(member.role),
                       expires: member.expires))
        }
    }

    private static func update(
        _ team: TeamManifest, from state: TeamState, rules: PlanRules, into changes: inout [Change],
        errors: inout [Diagnostic], unrenewed: inout Int
    ) {
        if isUnchanged(team, from: state, now: rules.now) { return }
        let slug = team.slug
        var ordered: [Change] = []
        if team.displayName != state.displayName {
            ordered.append(Change(.teamDisplayNameUpdate, team: slug, subject: slug,
                                  before: .text(state.displayName), after: .text(team.displayName)))
        }
        if team.spendLimit != state.spendLimit {
            if team.spendLimit > state.ceiling { errors.append(ceilingError(team, ceiling: state.ceiling)) }
            ordered.append(Change(.teamSpendLimitUpdate, team: slug, subject: slug,
                                  before: .spendLimit(state.spendLimit), after: .spendLimit(team.spendLimit)))
        }

        // A member whose `expires` has passed is as good as not declared: removed (or their
        // invitation revoked) with the reason "expired", never invited again. The owner
        // cannot expire (validation), so the owner checks below are unaffected.
        var declared: [Email: MemberManifest] = [:]
        declared.reserveCapacity(team.members.count)
        var expired: Set<Email> = []
        for member in team.members {
            if member.hasExpired(at: rules.now) {
                expired.insert(member.email)
            } else {
                declared[member.email] = member
            }
        }

        var roleUpdates: [Change] = []
        var invites: [Change] = []
        var inviteUpdates: [Change] = []
        var renewals: [Change] = []
        for member in team.members where !expired.contains(member.email) {
            if let role = state.members[member.email] {
                if role != member.role {
                    roleUpdates.append(Change(.memberRoleUpdate, team: slug, subject: member.email.value,
                                              before: .role(role), after: .role(member.role), expires: member.expires))
                }
            } else if let role = state.invitations[member.email] {
                if role != member.role {
                    inviteUpdates.append(Change(.inviteUpdate, team: slug, subject: member.email.value,
                                                before: .role(role), after: .role(member.role), expires: member.expires))
                }
                // An invitation whose link has expired: re-issued when the rules say so, else
                // left (and counted in a warning). `invitationExpiries` is usually empty.
                if let ended = state.invitationExpiries[member.email], ended <= rules.now {
                    if rules.renewInvitations {
                        let until = rules.invitationExpireAfter.map { rules.now.addingTimeInterval($0) }
                        renewals.append(Change(.inviteRenew, team: slug, subject: member.email.value,
                                               before: .time(ended), after: until.map(ChangeValue.time)))
                    } else {
                        unrenewed += 1
                    }
                }
            } else {
                invites.append(Change(.inviteCreate, team: slug, subject: member.email.value, after: .role(member.role),
                                      expires: member.expires))
            }
        }
        // `expired` is usually empty: the reason is looked up only for undeclared entries.
        func reason(_ email: Email) -> Change.Reason? { expired.contains(email) ? .expired : nil }
        var removals: [Change] = []
        for (email, role) in state.members where declared[email] == nil {
            removals.append(Change(.memberRemove, team: slug, subject: email.value, before: .role(role), reason: reason(email)))
        }
        var revocations: [Change] = []
        for (email, role) in state.invitations where declared[email] == nil {
            revocations.append(Change(.inviteRevoke, team: slug, subject: email.value, before: .role(role), reason: reason(email)))
        }

        // The owner after this plan: the declared one, who must already be a member (an
        // invitation is not enough: ownership goes to someone who has joined).
        if team.owner != state.owner {
            if state.members[team.owner] == nil {
                errors.append(
                    Diagnostic(.error, file: team.file, at: team.ownerPosition, path: "spec.owner",
                               message: "\(team.owner) cannot become the owner of \(slug) before joining it; "
                                   + "keep \(state.owner) as owner until the invitation is accepted"))
            }
        } else {
            if declared[state.owner] == nil {
                errors.append(ownerError(team, "would remove the owner \(state.owner) from \(slug)"))
            }
        }
        // Demoting the (new or unchanged) owner is refused by validation already: the
        // declared owner must be a declared admin.

        // Admin members after the plan, against the minimum (invitations do not count).
        let adminsBefore = state.members.values.lazy.filter { $0 == .admin }.count
        var adminsAfter = adminsBefore
        for change in roleUpdates {
            if change.before == .role(.admin) { adminsAfter -= 1 }
            if change.after == .role(.admin) { adminsAfter += 1 }
        }
        for change in removals where change.before == .role(.admin) { adminsAfter -= 1 }
        if adminsAfter < rules.minAdmins, adminsAfter < adminsBefore {
            errors.append(
                Diagnostic(.error, file: team.file, at: team.namePosition, path: "spec.members",
                           message: "this plan leaves \(slug) with \(adminsAfter) admin member\(adminsAfter == 1 ? "" : "s"), "
                               + "fewer than minAdmins (\(rules.minAdmins)); promote or keep an admin until the invited ones join"))
        }

        if team.owner != state.owner {
            roleUpdates.append(Change(.teamOwnerUpdate, team: slug, subject: slug,
                                      before: .email(state.owner), after: .email(team.owner)))
        }
        func bySubject(_ changes: [Change]) -> [Change] { TextOrder.sorted(changes, by: \.subject) }
        changes += ordered
        changes += bySubject(roleUpdates.filter { $0.action == .memberRoleUpdate })
        changes += roleUpdates.filter { $0.action == .teamOwnerUpdate }
        changes += bySubject(invites)
        changes += bySubject(inviteUpdates)
        changes += bySubject(renewals)
        changes += bySubject(revocations)
        changes += bySubject(removals)
    }

    /// Whether `team` is exactly what the store holds: the usual case of a large
    /// organisation's plan. With both digests (the decoder's and the store's) it is answered
    /// without looking at a member; else with one lookup per member. Declared emails are
    /// distinct (a valid load), so finding each in maps holding as many entries in all means
    /// the sets are equal: nothing to invite, change, revoke or remove.
    private static func isUnchanged(_ team: TeamManifest, from state: TeamState, now: Date) -> Bool {
        guard team.displayName == state.displayName, team.spendLimit == state.spendLimit, team.owner == state.owner,
            team.members.count == state.members.count + state.invitations.count,
            state.members[state.owner] != nil, state.invitationExpiries.values.allSatisfy({ $0 > now })
        else { return false }
        if let declared = team.rolesDigest, let held = state.rolesDigest { return declared == held }
        for member in team.members {
            guard !member.hasExpired(at: now) else { return false }
            guard (state.members[member.email] ?? state.invitations[member.email]) == member.role else { return false }
        }
        return true
    }

    private static func ceilingError(_ team: TeamManifest, ceiling: SpendLimit) -> Diagnostic {
        Diagnostic(.error, file: team.file, at: team.spendLimitPosition, path: "spec.spendLimit.perHour",
                   message: "spend limit $\(team.spendLimit)/h for \(team.slug) is above its approved ceiling of "
                       + "$\(ceiling)/h; an operator approves more with `roster team ceiling --team \(team.slug) --per-hour \(team.spendLimit)`")
    }

    private static func ownerError(_ team: TeamManifest, _ message: String) -> Diagnostic {
        Diagnostic(.error, file: team.file, at: team.ownerPosition, path: "spec.owner",
                   message: message + "; move ownership first (team.owner.update to another declared admin)")
    }
}

extension ChangeValue.TeamValue {
    init(_ state: TeamState) {
        self.init(displayName: state.displayName, owner: state.owner, spendLimit: state.spendLimit)
    }
}
