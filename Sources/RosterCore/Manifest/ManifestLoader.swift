import Crypto
import Foundation
import Synchronization

/// The manifests of one source, decoded and checked.
public struct LoadResult: Sendable {
    /// The declared teams, by slug. Meaningful only when `isValid`.
    public var teams: [TeamManifest]
    public var config: RosterConfig
    /// Every problem found, in report order (file, line, column).
    public var diagnostics: [Diagnostic]
    public var revision: SourceRevision?
    /// Manifest files read (roster.yaml included) and their total size.
    public var fileCount: Int
    public var byteCount: Int
    /// Every team the source declares and where, in no particular order: with a plan cache,
    /// also those in files that were not decoded again (and so are not in `teams`).
    public var declarations: [TeamDeclaration] = []
    /// Whether `teams` holds every declared team (nothing was taken from a plan cache).
    public var complete = true
    /// Whether `declarations` holds every team the source declares: false after a partial
    /// plan cache (`PlanCache.partial`), which has only those of the teams it compares again.
    public var declarationsComplete = true
    /// What an apply of this load writes into the plan cache.
    public var cacheUpdate: PlanCacheUpdate?

    /// Whether no diagnostic is an error.
    public var isValid: Bool { !diagnostics.hasErrors }
}

/// Reads a source's manifests: `roster.yaml` first (it says where the rest are), then every
/// manifest file, decoded in parallel, then the rules that span files.
public struct ManifestLoader: Sendable {
    /// Largest manifest file accepted, in bytes.
    public var maxFileSize: Int

    /// Whether the loaded teams keep their members. A check that needs only the verdict
    /// (`roster validate`) turns it off: every rule is still checked, file by file, but a
    /// file's members are dropped once it is, instead of a million being kept to the end.
    public var keepsMembers = true

    /// The default size limit: 1 MiB.
    public static let defaultMaxFileSize = 1 << 20

    public init(maxFileSize: Int = ManifestLoader.defaultMaxFileSize, keepsMembers: Bool = true) {
        self.maxFileSize = maxFileSize
        self.keepsMembers = keepsMembers
    }

    public func load(from source: some ManifestSource) async throws -> LoadResult {
        try await load(from: source, reusing: nil)
    }

    /// Where a file's teams go as soon as it is decoded, on the worker that decoded it: its
    /// place in the order of the files' names (`load(from:delivering:)`) and the number of
    /// files decoded, its teams in document order, and whether it decoded without an error.
    public typealias Delivery = @Sendable (_ index: Int, _ files: Int, _ teams: [TeamManifest], _ valid: Bool) -> Void

    /// Loads `source` cold, handing each file's teams to `delivery` as it is decoded. The
    /// files are decoded in the order of their names without the extension (`teams/ml.yaml`
    /// before `teams/ml-research.yaml`), which is the order of their teams' slugs when each
    /// file is named after the team it declares: a consumer that puts the deliveries back in
    /// index order then sees the teams in the order of the plan, while they are decoded.
    public func load(from source: some ManifestSource, delivering delivery: @escaping Delivery) async throws -> LoadResult {
        try await load(from: source, reusing: nil, delivering: delivery)
    }

    /// Loads `source`, taking from `cache` the teams of every file whose content it holds
    /// unchanged instead of decoding the file again, except files that declare a team in
    /// `replanning` (changed in the store since, or due to change with time). Without a cache
    /// it fits, every file is decoded (`complete`).
    public func load(
        from source: some ManifestSource, reusing cache: PlanCache?, replanning: Set<String> = []
    ) async throws -> LoadResult {
        try await load(from: source, reusing: cache, replanning: replanning, delivering: nil)
    }

    private func load(
        from source: some ManifestSource, reusing cache: PlanCache?, replanning: Set<String> = [], delivering delivery: Delivery?
    ) async throws -> LoadResult {
        let configRead = try readConfig(source)
        var diagnostics = configRead.diagnostics
        let config = configRead.config
        let configBytes = configRead.bytes
        let configContent = configRead.content
        let configListing = configRead.listing
        // A cache written under another configuration (paths, minAdmins) or by another Roster
        // vouches for nothing; a partial one (the files of the teams to compare again, no
        // others) only for the tree it describes.
        let cache = cache.flatMap { cache in
            cache.stamp == PlanCache.stamp && cache.config == configContent && diagnostics.isEmpty
                && (!cache.partial || (cache.complete && cache.totals != nil && cache.tree == source.revision?.tree))
                ? cache : nil
        }
        // The same tree the cache was written for, every file in it: the same files with the
        // same content, so the cache's list is the listing and only the files of teams to
        // compare again are read. (No duplicate team either: that tree was applied.)
        let sameTree = cache.map { $0.complete && $0.tree != nil && $0.tree == source.revision?.tree } ?? false
        let partial = cache?.partial ?? false
        let cached = cache.flatMap { sameTree ? nil : $0.byPath() } ?? [:]
        let listing: SourceListing
        var reused: [PlanCache.File] = []
        var unread: [SourceEntry] = []
        if let cache, sameTree {
            listing = SourceListing(entries: [])
            for file in cache.files {
                if file.teams.contains(where: { replanning.contains($0.slug) }) {
                    unread.append(SourceEntry(path: file.path, blobID: file.content))
                } else {
                    reused.append(file)
                }
            }
        } else {
            listing = try source.listManifests(under: config.paths, excluding: RosterConfig.fileName)
        }
        diagnostics += listing.diagnostics
        let reuse: @Sendable (String, String) -> PlanCache.File? = { path, content in
            guard let file = cached[path], file.content == content,
                !file.teams.contains(where: { replanning.contains($0.slug) })
            else { return nil }
            return file
        }
        // What a blob id already says is unchanged is taken here; only the rest is read, on
        // as many workers as it needs.
        for entry in listing.entries {
            if let blobID = entry.blobID, let file = reuse(entry.path, blobID) { reused.append(file) } else { unread.append(entry) }
        }
        if delivery != nil { unread = Self.inNameOrder(unread) }
        let readers = try (0..<Self.chunkCount(unread.count)).map { _ in try source.makeReader() }
        let decoded = await Self.readAndDecode(
            unread, readers: readers, maxFileSize: maxFileSize, minAdmins: config.safety.minAdmins,
            keepsMembers: keepsMembers, reuse: reuse, delivery: delivery)

        var teams: [TeamManifest] = []
        teams.reserveCapacity(decoded.reduce(0) { $0 + $1.teams.count })
        // A partial cache's files are the same tree's, so the same bytes.
        var byteCount = configBytes + (partial ? cache?.totals?.bytes ?? 0 : reused.reduce(0) { $0 + $1.size })
        var fresh: [PlanCache.File] = []
        for chunk in decoded {
            teams += chunk.teams
            diagnostics += chunk.diagnostics
            if !partial { byteCount += chunk.bytes }
            reused += chunk.reused
            fresh += chunk.fresh
        }
        var declarations = teams.map { TeamDeclaration(slug: $0.slug, file: $0.file, position: $0.namePosition) }
        declarations.reserveCapacity(declarations.count + reused.count)
        for file in reused {
            for team in file.teams { declarations.append(TeamDeclaration(slug: team.slug, file: file.path, position: team.position)) }
        }
        if !sameTree { diagnostics += Self.duplicateTeams(declarations) }
        teams.sort { $0.slug < $1.slug }
        diagnostics.sort(by: Diagnostic.reportOrder)

        let fileCount = partial ? cache?.totals?.files ?? 0 : sameTree ? cache?.files.count ?? 0 : listing.entries.count
        var result = LoadResult(
            teams: teams, config: config, diagnostics: diagnostics, revision: source.revision,
            fileCount: configListing.entries.count + fileCount, byteCount: byteCount)
        result.declarations = declarations
        // Never complete from a partial cache: its teams are only some of the tree's.
        result.complete = reused.isEmpty && !partial
        result.declarationsComplete = !partial
        result.cacheUpdate = Self.cacheUpdate(
            cache, sameTree: sameTree, config: configContent, tree: source.revision?.tree, listing: listing,
            reused: reused, fresh: fresh)
        return result
    }

    /// What an apply of a load writes into the plan cache: every clean file after a cold load,
    /// else the files decoded again and the paths gone.
    static func cacheUpdate(
        _ cache: PlanCache?, sameTree: Bool, config: String, tree: String?, listing: SourceListing,
        reused: [PlanCache.File], fresh: [PlanCache.File]
    ) -> PlanCacheUpdate {
        let upserts = fresh.sorted { $0.path < $1.path }
        guard let cache else {
            let files = (reused + fresh).sorted { $0.path < $1.path }
            return PlanCacheUpdate(
                basedOn: nil, config: config, tree: tree,
                complete: listing.diagnostics.isEmpty && files.count == listing.entries.count, replaceAll: true,
                upserts: files, removals: [])
        }
        // The same tree: every file stays, the decoded ones as clean as before (their content
        // is unchanged, and a file whose meaning moves with time is never kept).
        if sameTree {
            return PlanCacheUpdate(
                basedOn: cache.generation, config: config, tree: tree, complete: true, replaceAll: false,
                upserts: upserts, removals: [])
        }
        let kept = Set(reused.map(\.path)).union(fresh.lazy.map(\.path))
        return PlanCacheUpdate(
            basedOn: cache.generation, config: config, tree: tree,
            complete: listing.diagnostics.isEmpty && reused.count + fresh.count == listing.entries.count,
            replaceAll: false, upserts: upserts, removals: cache.files.lazy.map(\.path).filter { !kept.contains($0) })
    }

    /// `roster.yaml`'s settings (the defaults when there is none); nil when it has a problem,
    /// which `load` reports.
    public func config(of source: some ManifestSource) throws -> RosterConfig? {
        let read = try readConfig(source)
        return read.diagnostics.isEmpty ? read.config : nil
    }

    /// `roster.yaml` as read from a source.
    struct ConfigRead {
        var config = RosterConfig()
        var diagnostics: [Diagnostic] = []
        var bytes = 0
        /// Its content id ("" when there is none).
        var content = ""
        var listing: SourceListing
    }

    /// Reads and decodes `roster.yaml` (the defaults when there is none).
    func readConfig(_ source: some ManifestSource) throws -> ConfigRead {
        let reader = try source.makeReader()
        var read = ConfigRead(listing: try source.entry(at: RosterConfig.fileName))
        read.diagnostics = read.listing.diagnostics
        for entry in read.listing.entries {
            switch reader.read(entry, maxSize: maxFileSize) {
            case .failure(let problem): read.diagnostics.append(problem)
            case .success(let file):
                let decoded = ManifestDecoder.decode(file, as: .config)
                read.diagnostics += decoded.diagnostics
                if let found = decoded.config { read.config = found }
                read.bytes = file.bytes.count
                read.content = Self.contentID(file)
            }
        }
        return read
    }

    /// The id the plan cache knows a file's content by: its git blob id, else the SHA-256 of
    /// its bytes.
    static func contentID(_ file: SourceFile) -> String {
        if let blobID = file.blobID { return blobID }
        return "sha256:" + SHA256.hash(data: file.bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// What one worker read and decoded.
    struct Chunk: Sendable {
        var teams: [TeamManifest] = []
        var diagnostics: [Diagnostic] = []
        var bytes = 0
        /// Files taken from the plan cache, not decoded.
        var reused: [PlanCache.File] = []
        /// Files decoded without any diagnostic: what the cache may keep of them.
        var fresh: [PlanCache.File] = []
    }

    /// `entries` in the order of their file names without the extension, then their paths.
    static func inNameOrder(_ entries: [SourceEntry]) -> [SourceEntry] {
        func stem(_ path: String) -> Substring {
            let name = path[(path.lastIndex(of: "/").map(path.index(after:)) ?? path.startIndex)...]
            return name.lastIndex(of: ".").map { name[..<$0] } ?? name
        }
        return entries.map { (stem($0.path), $0) }.sorted { ($0.0, $0.1.path) < ($1.0, $1.1.path) }.map(\.1)
    }

    /// One worker per core; each takes the next file as soon as it is free, so no core
    /// idles while another still has a queue.
    static func chunkCount(_ files: Int) -> Int {
        min(files, ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Reads and decodes files on every core, each worker with its own reader. A file's
    /// bytes are dropped as soon as it is decoded; the chunks come back in worker order
    /// (the caller sorts what it needs).
    static func readAndDecode(
        _ entries: [SourceEntry], readers: [any SourceReader], maxFileSize: Int, minAdmins: Int,
        keepsMembers: Bool = true, reuse: @escaping @Sendable (String, String) -> PlanCache.File? = { _, _ in nil },
        delivery: Delivery? = nil
    ) async -> [Chunk] {
        let next = WorkCounter()
        return await withTaskGroup(of: (Int, Chunk).self) { group in
            for (worker, reader) in readers.enumerated() {
                group.addTask {
                    var chunk = Chunk()
                    while case let index = next.take(), index < entries.count {
                        // The workers hold every thread of the concurrency pool: when their
                        // teams go to a writer (a streamed apply), its tasks run between files.
                        if delivery != nil { await Task.yield() }
                        let entry = entries[index]
                        switch reader.read(entry, maxSize: maxFileSize) {
                        case .failure(let problem):
                            chunk.diagnostics.append(problem)
                            delivery?(index, entries.count, [], false)
                        case .success(let file):
                            chunk.bytes += file.bytes.count
                            let content = contentID(file)
                            // A folder's file: unchanged if its bytes hash the same.
                            if entry.blobID == nil, let cached = reuse(entry.path, content) {
                                chunk.reused.append(cached)
                                delivery?(index, entries.count, [], false)
                                continue
                            }
                            var decoded = ManifestDecoder.decode(file, as: .manifests, minAdmins: minAdmins)
                            // A file with a temporary member is decoded on every plan: time
                            // alone changes what it means.
                            if decoded.diagnostics.isEmpty,
                                !decoded.teams.contains(where: { $0.members.contains { $0.expires != nil } })
                            {
                                chunk.fresh.append(
                                    PlanCache.File(
                                        path: file.path, content: content, size: file.bytes.count,
                                        teams: decoded.teams.map { PlanCache.Declared(slug: $0.slug, position: $0.namePosition) }))
                            }
                            delivery?(index, entries.count, decoded.teams, !decoded.diagnostics.hasErrors)
                            if !keepsMembers {
                                for index in decoded.teams.indices { decoded.teams[index].members = [] }
                            }
                            chunk.teams += decoded.teams
                            chunk.diagnostics += decoded.diagnostics
                        }
                    }
                    return (worker, chunk)
                }
            }
            var chunks: [(Int, Chunk)] = []
            for await chunk in group { chunks.append(chunk) }
            return chunks.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// A team declared twice, reported at the later place, naming the first.
    static func duplicateTeams(_ teams: [TeamDeclaration]) -> [Diagnostic] {
        // Counted first: on a valid tree no slug repeats, and nothing is sorted.
        var counts: [String: Int] = [:]
        counts.reserveCapacity(teams.count)
        for team in teams { counts[team.slug, default: 0] += 1 }
        let repeated = teams.filter { counts[$0.slug]! > 1 }
        var diagnostics: [Diagnostic] = []
        var first: [String: TeamDeclaration] = [:]
        for team in repeated.sorted(by: { ($0.file, $0.position) < ($1.file, $1.position) }) {
            if let earlier = first[team.slug] {
                diagnostics.append(
                    Diagnostic(
                        .error, file: team.file, at: team.position, path: "metadata.name",
                        message: "team \(team.slug) is declared twice; first at \(earlier.file):\(earlier.position.line):\(earlier.position.column)"
                    ))
            } else {
                first[team.slug] = team
            }
        }
        return diagnostics
    }
}

/// Hands out 0, 1, 2, … to concurrent workers.
final class WorkCounter: Sendable {
    private let next = Atomic<Int>(0)
    func take() -> Int { next.add(1, ordering: .relaxed).oldValue }
}
