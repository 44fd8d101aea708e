import Foundation

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

    /// Whether no diagnostic is an error.
    public var isValid: Bool { !diagnostics.hasErrors }
}

/// Reads a source's manifests: `roster.yaml` first (it says where the rest are), then every
/// manifest file, decoded in parallel, then the rules that span files.
public struct ManifestLoader: Sendable {
    /// Largest manifest file accepted, in bytes.
    public var maxFileSize: Int

    /// The default size limit: 1 MiB.
    public static let defaultMaxFileSize = 1 << 20

    public init(maxFileSize: Int = ManifestLoader.defaultMaxFileSize) {
        self.maxFileSize = maxFileSize
    }

    public func load(from source: some ManifestSource) async throws -> LoadResult {
        var diagnostics: [Diagnostic] = []
        var config = RosterConfig()

        let reader = try source.makeReader()
        let configListing = try source.entry(at: RosterConfig.fileName)
        diagnostics += configListing.diagnostics
        var configBytes = 0
        for entry in configListing.entries {
            switch reader.read(entry, maxSize: maxFileSize) {
            case .failure(let problem): diagnostics.append(problem)
            case .success(let file):
                let decoded = ManifestDecoder.decode(file, as: .config)
                diagnostics += decoded.diagnostics
                if let found = decoded.config { config = found }
                configBytes = file.bytes.count
            }
        }

        let listing = try source.listManifests(under: config.paths, excluding: RosterConfig.fileName)
        diagnostics += listing.diagnostics
        let readers = try (0..<Self.chunkCount(listing.entries.count)).map { _ in try source.makeReader() }
        let decoded = await Self.readAndDecode(
            listing.entries, readers: readers, maxFileSize: maxFileSize, minAdmins: config.safety.minAdmins)

        var teams: [TeamManifest] = []
        teams.reserveCapacity(decoded.reduce(0) { $0 + $1.teams.count })
        var byteCount = configBytes
        for chunk in decoded {
            teams += chunk.teams
            diagnostics += chunk.diagnostics
            byteCount += chunk.bytes
        }
        diagnostics += Self.duplicateTeams(teams)
        teams.sort { $0.slug < $1.slug }
        diagnostics.sort(by: Diagnostic.reportOrder)
        return LoadResult(
            teams: teams, config: config, diagnostics: diagnostics, revision: source.revision,
            fileCount: configListing.entries.count + listing.entries.count, byteCount: byteCount)
    }

    /// What one worker read and decoded.
    struct Chunk: Sendable {
        var teams: [TeamManifest] = []
        var diagnostics: [Diagnostic] = []
        var bytes = 0
    }

    /// Several chunks per core, so a core that finishes early takes another.
    static func chunkCount(_ files: Int) -> Int {
        min(files, ProcessInfo.processInfo.activeProcessorCount * 4)
    }

    /// Reads and decodes files on every core, each chunk with its own reader, keeping the
    /// files' order. A file's bytes are dropped as soon as it is decoded.
    static func readAndDecode(
        _ entries: [SourceEntry], readers: [any SourceReader], maxFileSize: Int, minAdmins: Int
    ) async -> [Chunk] {
        guard !readers.isEmpty else { return [] }
        let chunkSize = (entries.count + readers.count - 1) / readers.count
        return await withTaskGroup(of: (Int, Chunk).self) { group in
            for (index, reader) in readers.enumerated() {
                let slice = entries[min(index * chunkSize, entries.count)..<min((index + 1) * chunkSize, entries.count)]
                group.addTask {
                    var chunk = Chunk()
                    for entry in slice {
                        switch reader.read(entry, maxSize: maxFileSize) {
                        case .failure(let problem):
                            chunk.diagnostics.append(problem)
                        case .success(let file):
                            chunk.bytes += file.bytes.count
                            let decoded = ManifestDecoder.decode(file, as: .manifests, minAdmins: minAdmins)
                            chunk.teams += decoded.teams
                            chunk.diagnostics += decoded.diagnostics
                        }
                    }
                    return (index, chunk)
                }
            }
            var chunks: [(Int, Chunk)] = []
            for await chunk in group { chunks.append(chunk) }
            return chunks.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// A team declared twice, reported at the later place, naming the first.
    static func duplicateTeams(_ teams: [TeamManifest]) -> [Diagnostic] {
        var first: [String: TeamManifest] = [:]
        first.reserveCapacity(teams.count)
        var diagnostics: [Diagnostic] = []
        let ordered = teams.sorted { ($0.file, $0.namePosition) < ($1.file, $1.namePosition) }
        for team in ordered {
            if let earlier = first[team.slug] {
                diagnostics.append(
                    Diagnostic(
                        .error, file: team.file, at: team.namePosition, path: "metadata.name",
                        message: "team \(team.slug) is declared twice; first at \(earlier.file):\(earlier.namePosition.line):\(earlier.namePosition.column)"
                    ))
            } else {
                first[team.slug] = team
            }
        }
        return diagnostics
    }
}
