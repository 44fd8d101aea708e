import Foundation
public import RosterCore

/// The plan cache's small table (`plan_cache`: key → value), read and written the same way by
/// every backend: what the cache is (stamp, generation, configuration, tree, complete), the
/// store's teams its tree does not declare, and its totals; and, for a basis read, whether
/// the cache can be read in part (`PlanBasis.Reading.declaring`).
public struct PlanCacheMeta: Sendable {
    /// Whether only the files that declare `asked` are to be read.
    public let partial: Bool
    /// What a file's `teams` text contains when it declares one of the teams asked for, one a
    /// team, sorted: ` slug@`, matched against the text with a space put in front (a file's
    /// teams are `slug@line:column` separated by spaces; slugs hold neither).
    public let patterns: [String]
    private let meta: [String: String]
    private let undeclared: Set<String>?
    private let totals: PlanCache.Totals?

    /// The table's rows as read; `asked` are the teams the plan compares again (marked or expired).
    public init(_ meta: [String: String], reading: PlanBasis.Reading, asked: Set<String>) {
        self.meta = meta
        undeclared = meta["undeclared"].map(PlanCache.slugs(fromText:))
        totals = Int(meta["file_count"] ?? "").flatMap { files in
            Int(meta["byte_count"] ?? "").map { PlanCache.Totals(files: files, bytes: $0) }
        }
        if case .declaring(let tree) = reading, meta["tree"] == tree, meta["complete"] == "1", undeclared != nil,
            totals != nil, asked.count <= PlanBasis.Reading.lookupLimit
        {
            partial = true
            patterns = asked.sorted().map { " \($0)@" }
        } else {
            partial = false
            patterns = []
        }
    }

    /// The cache, with the files read.
    public func cache(stamp: String, config: String, files: [PlanCache.File]) -> PlanCache {
        var cache = PlanCache(
            stamp: stamp, generation: meta["generation"] ?? "", config: config, tree: meta["tree"],
            complete: meta["complete"] == "1", files: files)
        cache.partial = partial
        cache.undeclared = undeclared
        cache.totals = totals
        return cache
    }

    /// The rows an update leaves, under a new generation; `files` and `bytes` are the totals
    /// of the files the cache holds once the update is written.
    public static func rows(_ update: PlanCacheUpdate, files: Int, bytes: Int) -> [(key: String, value: String)] {
        var rows: [(key: String, value: String)] = [
            ("stamp", update.stamp), ("generation", UUID().uuidString.lowercased()), ("config", update.config),
            ("complete", update.complete ? "1" : "0"), ("file_count", String(files)), ("byte_count", String(bytes)),
        ]
        if let tree = update.tree { rows.append(("tree", tree)) }
        if let undeclared = update.undeclared { rows.append(("undeclared", PlanCache.text(undeclared))) }
        return rows
    }
}
