public import Foundation
public import RosterCore
public import RosterStore
import Synchronization

extension Reconciler {
    /// What `applyStreamed` did.
    public enum StreamedApply: Sendable {
        /// Applied: the plan, and the store's report.
        case applied(Plan, ApplyReport)
        /// Nothing written: what `plan(source:…)` gives when that is known without planning
        /// again (invalid manifests, an empty plan, a plan `accept` turned down).
        case planned(Outcome)
    }

    /// A first apply that writes while it plans. On a store that holds no team, a plan is
    /// every team's creation and invitations, and decoding the manifests and writing the
    /// store are each about half of the apply: here the store's writer takes each team's
    /// changes as soon as the team is decoded, in the order of the plan, in one transaction.
    ///
    /// The plan's order is the slugs' order, which only the whole load knows; the files are
    /// decoded in the order of their names (`ManifestLoader.load(from:delivering:)`), which
    /// is the same order when each file is named after its team. Anything that makes the
    /// plan other than what was fed stops the writer and rolls back: a team out of that
    /// order, a file with an error, an invalid load, a plan that breaks a rule or is empty,
    /// `accept` answering false. `accept` is given the plan once every change is written,
    /// before the commit (the command prints it then).
    ///
    /// Nil when the store holds a team or `roster.yaml` has a problem (nothing is read but
    /// it and whether there is a team), and when a valid load was rolled back before its
    /// plan was whole (a team out of order, or one that breaks a rule): each team's members
    /// are let go once planned, so the usual path plans again.
    public static func applyStreamed(
        source: some ManifestSource, loader: ManifestLoader, store: any Store, overrides: Overrides,
        context: ApplyContext, now: Date = Date(), accept: @escaping @Sendable (Outcome) throws -> Bool
    ) async throws -> StreamedApply? {
        guard try await !store.holdsTeams(), let config = try loader.config(of: source) else { return nil }
        let current = try await store.currentState()
        guard current.teams.isEmpty else { return nil }
        let rules = overrides.rules(config, now: now)
        let feed = store.makeChangeFeed()
        feed.invitationExpireAfter = rules.invitationExpireAfter
        let streamer = StreamedPlanner(feed: feed, current: current, rules: rules)
        let planSource = planSource(source)
        let (loads, loaded) = AsyncStream.makeStream(of: LoadResult.self)

        async let applying = store.apply(
            streaming: feed, stateVersion: current.version, source: planSource, context: context
        ) { feed in
            // The feed ended, so every team was fed in the plan's order and the load is in.
            guard let load = await loads.first(where: { _ in true }), overrides.rules(load.config, now: now) == rules else {
                return nil
            }
            let outcome = plan(load, current: current, rules: rules, source: planSource, planned: streamer.planned(feed.takeAll()))
            streamer.outcome = outcome
            guard outcome.isPlannable, let plan = outcome.plan, !plan.isEmpty, try accept(outcome) else { return nil }
            return (plan, outcome.load.cacheUpdate)
        }
        // Each team's members are planned as it is decoded, then let go: a million of them
        // are not kept to the end beside their changes.
        var dropping = loader
        dropping.keepsMembers = false
        let load: LoadResult
        do {
            load = try await dropping.load(from: source, delivering: streamer.deliver)
        } catch {
            feed.abandon()
            loaded.finish()
            _ = try? await applying
            throw error
        }
        streamer.end(with: load)
        loaded.yield(load)
        loaded.finish()
        if let report = try await applying, let outcome = streamer.outcome, let plan = outcome.plan {
            return .applied(plan, report)
        }
        // Rolled back. A plan made of the whole feed is the plan, and invalid manifests are
        // reported from the load; else the members are gone, and the usual path plans again.
        if let outcome = streamer.outcome { return .planned(outcome) }
        guard load.isValid else { return .planned(try await plan(load, current: current, overrides: overrides, source: source, now: now)) }
        return nil
    }
}

/// Puts each file's teams back in name order as the decoding workers deliver them, and
/// feeds their changes to the writer (`Reconciler.applyStreamed`). Each file's teams are
/// planned on the worker that decoded them; only the hand-over is in order.
final class StreamedPlanner: Sendable {
    private struct Delivered: Sendable {
        var slugs: [String]
        var changes: [Change]
        var unrenewed: Int
    }

    private struct State: Sendable {
        /// The index of the next file to feed.
        var next = 0
        var waiting: [Int: Delivered] = [:]
        var lastSlug: String?
        var teams = 0
        var unrenewed = 0
        var outcome: Reconciler.Outcome?
    }

    let feed: ChangeFeed
    let current: CurrentState
    let rules: PlanRules
    private let state = Mutex(State())

    init(feed: ChangeFeed, current: CurrentState, rules: PlanRules) {
        self.feed = feed
        self.current = current
        self.rules = rules
    }

    /// The plan made of the whole feed, once there is one.
    var outcome: Reconciler.Outcome? {
        get { state.withLock { $0.outcome } }
        set { state.withLock { $0.outcome = newValue } }
    }

    /// A file's teams (a `ManifestLoader.Delivery`): planned here, fed once every file before
    /// it is. A file with an error, a team that breaks a rule, or a slug that is not after
    /// the last one fed abandons the feed.
    @Sendable func deliver(_ index: Int, _ files: Int, _ teams: [TeamManifest], _ valid: Bool) {
        var part = Planner.TeamsPlan()
        if valid {
            for team in teams { Planner.plan(team, current: current, rules: rules, into: &part) }
        }
        let delivered = Delivered(slugs: teams.map(\.slug), changes: part.changes, unrenewed: part.unrenewed)
        state.withLock { state in
            guard !feed.isAbandoned else { return }
            guard valid, part.errors.isEmpty else { return feed.abandon() }
            state.waiting[index] = delivered
            while let file = state.waiting.removeValue(forKey: state.next) {
                for slug in file.slugs {
                    if let last = state.lastSlug, !(last < slug) { return feed.abandon() }
                    state.lastSlug = slug
                }
                // Room for the whole plan, guessed from the first file: twice as many
                // changes a file for every file.
                if state.next == 0 { feed.reserve(2 * file.changes.count * files + feed.blockSize) }
                state.teams += file.slugs.count
                state.unrenewed += file.unrenewed
                feed.append(contentsOf: file.changes)
                state.next += 1
            }
        }
    }

    /// Ends the feed once the load is in: finished when every team of a valid load was fed,
    /// else abandoned.
    func end(with load: LoadResult) {
        state.withLock { state in
            if !feed.isAbandoned, load.isValid, load.complete, state.waiting.isEmpty, state.teams == load.teams.count {
                feed.finish()
            } else {
                feed.abandon()
            }
        }
    }

    /// The teams' part of the plan, whose changes are `changes` (all that was fed). No
    /// errors: a team with one abandons the feed.
    func planned(_ changes: [Change]) -> Planner.TeamsPlan {
        var part = Planner.TeamsPlan()
        part.changes = changes
        part.unrenewed = state.withLock { $0.unrenewed }
        return part
    }
}
