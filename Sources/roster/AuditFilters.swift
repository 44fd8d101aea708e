import ArgumentParser
import Foundation
import RosterCore
import RosterStore

/// What `roster audit` (and `roster audit list`) selects and how it prints it: on the
/// command itself, so `roster audit --help` and shell completions show them.
struct AuditFilters: ParsableArguments {
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, csv }

    @Option(help: ArgumentHelp("From this time, inclusive: RFC 3339 or YYYY-MM-DD (UTC).", valueName: "time"))
    var since: String?
    @Option(help: ArgumentHelp("Before this time, exclusive: RFC 3339 or YYYY-MM-DD (UTC).", valueName: "time"))
    var until: String?
    @Option(help: ArgumentHelp("The actor or the commit author (onBehalfOf), case-insensitive.", valueName: "email"))
    var user: String?
    @Option(help: ArgumentHelp("team, member or invite.", valueName: "type"))
    var resourceType: String?
    @Option(help: ArgumentHelp("A team slug, or <team>/<email>.", valueName: "id"))
    var resourceId: String?
    @Option(help: ArgumentHelp("A dotted action, such as member.role.update.", valueName: "action"))
    var action: String?
    @Option(help: "A team slug.")
    var team: String?
    @Option(help: ArgumentHelp("Only the entries of one run: the id `apply`, `reconcile` and `status` print.", valueName: "id"))
    var run: String?
    @Option(help: ArgumentHelp("Only the newest N entries.", valueName: "n"))
    var limit: Int?
    @Option(help: "text, json or csv.")
    var format: Format = .text

    func validate() throws {
        if let since, Timestamp.bound(since) == nil {
            throw ValidationError("--since takes RFC 3339 (2026-11-23T10:00:00Z) or a date (2026-11-23), not \(since).")
        }
        if let until, Timestamp.bound(until) == nil {
            throw ValidationError("--until takes RFC 3339 (2026-11-23T10:00:00Z) or a date (2026-11-23), not \(until).")
        }
        if let resourceType, AuditResourceType(rawValue: resourceType) == nil {
            let names = AuditResourceType.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("--resource-type is one of \(names), not \(resourceType).")
        }
        if let limit, limit < 1 { throw ValidationError("--limit must be 1 or more.") }
        if let action, AuditAction(rawValue: action) == nil {
            throw ValidationError(
                "--action \(action) is not an audit action; the actions are "
                    + AuditAction.allCases.map(\.rawValue).joined(separator: ", ") + ".")
        }
    }

    /// Refuses filters given to a subcommand that reads the whole log (`verify`, `head`).
    func requireNone(for subcommand: String, reason: String) throws {
        let given = [since, until, user, resourceType, resourceId, action, team, run].contains { $0 != nil }
        if given || limit != nil || format != .text {
            throw ValidationError("roster audit \(subcommand) takes no filters or --format: \(reason).")
        }
    }

    /// Prints the matching entries from the store `global` names.
    func list(global: GlobalOptions) async throws {
        try await Output.reportingFailures {
            let query = AuditQuery(
                since: since.flatMap(Timestamp.bound), until: until.flatMap(Timestamp.bound), user: user,
                resourceType: resourceType, resourceID: resourceId?.lowercased(), action: action, team: team,
                runID: run, limit: limit)
            let store = try await global.openStore()
            if limit != nil {
                let entries = try await store.auditEntries(matching: query)
                switch format {
                case .text: Output.out(AuditRenderer.text(entries))
                case .json: Output.out(AuditRenderer.json(entries))
                case .csv: Output.out(AuditRenderer.csv(entries))
                }
                return
            }
            // The whole log (or all it matches) a page at a time, printed as it comes: a million
            // entries are never all in memory.
            switch format {
            case .text: break
            case .json: Output.out("[")
            case .csv: Output.out(AuditRenderer.csvHeader)
            }
            var page = query
            page.limit = Self.page
            page.after = 0
            var written = 0
            // The next page is read while this one is printed.
            var reading = Task { [page] in try await store.auditEntries(matching: page) }
            while true {
                let entries = try await reading.value
                let more = entries.count == Self.page
                if more, let last = entries.last {
                    page.after = last.seq
                    reading = Task { [page] in try await store.auditEntries(matching: page) }
                }
                switch format {
                case .text: Output.out(AuditRenderer.text(entries))
                case .json: Output.out(AuditRenderer.jsonElements(entries, first: written == 0))
                case .csv: Output.out(AuditRenderer.csvRows(entries))
                }
                written += entries.count
                guard more else { break }
            }
            if format == .json { Output.out(AuditRenderer.jsonEnd(empty: written == 0)) }
        }
    }

    /// Entries read at a time when the whole log is listed.
    static let page = 10_000
}
