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

    /// One worker per core; each takes the next file as soon as it is free, so no core
    /// idles while another still has a queue.
    static func chunkCount(_ files: Int) -> Int {
        min(files, ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Reads and decodes files on every core, each worker with its own reader. A file's
    /// bytes are dropped as soon as it is decoded; the chunks come back in worker order
    /// (the caller sorts what it needs).
    static func readAndDecode(
        _ entries: [SourceEntry], readers: [any SourceReader], maxFileSize: Int, minAdmins: Int
    ) async -> [Chunk] {
        let next = WorkCounter()
        return await withTaskGroup(of: (Int, Chunk).self) { group in
            for (worker, reader) in readers.enumerated() {
                group.addTask {
                    var chunk = Chunk()
                    while case let index = next.take(), index < entries.count {
                        let entry = entries[index]
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
                    return (worker, chunk)
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

/// Hands out 0, 1, 2, … to concurrent workers.
final class WorkCounter: Sendable {
    private let next = Atomic<Int>(0)
    func take() -> Int { next.add(1, ordering: .relaxed).oldValue }
}
