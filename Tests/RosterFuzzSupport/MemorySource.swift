public import RosterCore

/// A manifest source held in memory: the fuzzer's files, without touching the disk.
public struct MemorySource: ManifestSource, Sendable {
    public var files: [String: [UInt8]]

    public init(files: [String: [UInt8]]) { self.files = files }

    public var displayName: String { "memory" }
    public var revision: SourceRevision? { nil }

    public func entry(at path: String) throws -> SourceListing {
        SourceListing(entries: files[path] == nil ? [] : [SourceEntry(path: path)])
    }

    public func listManifests(under paths: [String]?, excluding excluded: String) throws -> SourceListing {
        SourceListing(
            entries: files.keys.filter { $0 != excluded && ManifestPaths.isManifestFile($0) }.sorted().map { SourceEntry(path: $0) })
    }

    public func makeReader() throws -> any SourceReader { Reader(files: files) }

    struct Reader: SourceReader {
        var files: [String: [UInt8]]
        func read(_ entry: SourceEntry, maxSize: Int) -> Result<SourceFile, Diagnostic> {
            guard let bytes = files[entry.path] else { return .failure(Diagnostic(.error, file: entry.path, message: "no such file")) }
            if bytes.count > maxSize { return .failure(ManifestPaths.tooLarge(entry.path, size: bytes.count, limit: maxSize)) }
            return .success(SourceFile(path: entry.path, bytes: bytes))
        }
    }
}
