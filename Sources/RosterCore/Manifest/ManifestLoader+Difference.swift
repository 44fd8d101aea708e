/// What a change between two trees declares: for `roster diff`, the files that differ are all
/// a pull request can change, so only they are decoded, on both sides.
extension ManifestLoader {
    /// Both sides of a change: only what differs (`loadDifference`) unless `everything` is
    /// asked for (`roster diff --no-cache`) or the configurations differ, then all of both.
    public func loadChange(base: some ManifestSource, head: some ManifestSource, everything: Bool = false) async throws
        -> (base: LoadResult, head: LoadResult)
    {
        if !everything, let loads = try await loadDifference(base: base, head: head) { return loads }
        return (try await load(from: base), try await load(from: head))
    }

    /// Both sides of the change from `base` to `head`, each holding the teams of the files
    /// that differ between them (by path and blob id) and of the unchanged files that may
    /// declare a team new in `head` (found by searching their bytes for its slug, so a team
    /// created twice is still reported). Nil when the configurations differ, or either cannot
    /// be read: then the whole of both is to be loaded.
    ///
    /// An unchanged file declares the same teams on both sides, so it adds no change to the
    /// plan of `head` against `base`; its errors are not the change's and are not reported
    /// (`roster validate` reads every file).
    public func loadDifference(base: some ManifestSource, head: some ManifestSource) async throws
        -> (base: LoadResult, head: LoadResult)?
    {
        let baseConfig = try readConfig(base)
        let headConfig = try readConfig(head)
        guard baseConfig.content == headConfig.content, baseConfig.diagnostics.isEmpty, headConfig.diagnostics.isEmpty
        else { return nil }
        let config = headConfig.config
        let baseListing = try base.listManifests(under: config.paths, excluding: RosterConfig.fileName)
        let headListing = try head.listManifests(under: config.paths, excluding: RosterConfig.fileName)
        let baseBlobs = Dictionary(baseListing.entries.map { ($0.path, $0.blobID) }, uniquingKeysWith: { first, _ in first })
        let headBlobs = Dictionary(headListing.entries.map { ($0.path, $0.blobID) }, uniquingKeysWith: { first, _ in first })
        // Without blob ids (not git) nothing can be told unchanged.
        func changed(_ entry: SourceEntry, other: [String: String?]) -> Bool {
            guard let blob = entry.blobID, let theirs = other[entry.path], let theirs else { return true }
            return blob != theirs
        }
        let baseChanged = baseListing.entries.filter { changed($0, other: headBlobs) }
        let headChanged = headListing.entries.filter { changed($0, other: baseBlobs) }
        let unchanged = headListing.entries.filter { !changed($0, other: baseBlobs) }

        var baseSide = try await decode(baseChanged, from: base, config: config)
        var headSide = try await decode(headChanged, from: head, config: config)
        let known = Set(baseSide.teams.map(\.slug))
        let new = Set(headSide.teams.map(\.slug)).subtracting(known)
        if !new.isEmpty {
            // A new slug might already be declared by a file the change did not touch.
            let reader = try head.makeReader()
            let suspects = unchanged.filter { entry in
                guard case .success(let file) = reader.read(entry, maxSize: maxFileSize) else { return true }
                return new.contains { file.bytes.contains(slice: Array($0.utf8)) }
            }
            let shared = try await decode(suspects, from: head, config: config)
            baseSide.add(shared)
            headSide.add(shared)
        }
        return (
            result(baseSide, config: baseConfig, listing: baseListing, source: base),
            result(headSide, config: headConfig, listing: headListing, source: head)
        )
    }

    private func decode(_ entries: [SourceEntry], from source: some ManifestSource, config: RosterConfig) async throws -> Chunk {
        let readers = try (0..<Self.chunkCount(entries.count)).map { _ in try source.makeReader() }
        var all = Chunk()
        for chunk in await Self.readAndDecode(
            entries, readers: readers, maxFileSize: maxFileSize, minAdmins: config.safety.minAdmins)
        {
            all.add(chunk)
        }
        return all
    }

    private func result(_ side: Chunk, config: ConfigRead, listing: SourceListing, source: some ManifestSource) -> LoadResult {
        var diagnostics = config.diagnostics + listing.diagnostics + side.diagnostics
        let declarations = side.teams.map { TeamDeclaration(slug: $0.slug, file: $0.file, position: $0.namePosition) }
            .sorted { $0.slug < $1.slug }
        diagnostics += Self.duplicateTeams(declarations)
        diagnostics.sort(by: Diagnostic.reportOrder)
        var result = LoadResult(
            teams: side.teams.sorted { $0.slug < $1.slug }, config: config.config, diagnostics: diagnostics,
            revision: source.revision, fileCount: config.listing.entries.count + listing.entries.count,
            byteCount: config.bytes + side.bytes)
        result.declarations = declarations
        result.complete = false
        return result
    }
}

extension ManifestLoader.Chunk {
    fileprivate mutating func add(_ other: Self) {
        teams += other.teams
        diagnostics += other.diagnostics
        bytes += other.bytes
    }
}

extension [UInt8] {
    /// Whether `needle` occurs in these bytes.
    fileprivate func contains(slice needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return needle.isEmpty }
        let first = needle[0]
        var index = 0
        let last = count - needle.count
        while index <= last {
            if self[index] == first, self[index..<(index + needle.count)].elementsEqual(needle) { return true }
            index += 1
        }
        return false
    }
}
