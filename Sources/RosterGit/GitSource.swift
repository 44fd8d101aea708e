internal import CGit2
public import RosterCore

/// Manifests read from a git commit's tree in the object database: never from a work tree,
/// so uncommitted edits do not count, and links and submodules are reported, never followed.
public final class GitSource: ManifestSource {
    public let revision: SourceRevision?
    public var displayName: String {
        "repository \(location) at \(ref) (\(commit.id.prefix(12)))"
    }

    private let location: String
    private let ref: String
    private let repository: GitRepository
    private let commit: GitCommit
    private let tree: GitTree

    /// Opens `repository` (a local path, bare or not, or a `file://`, `https://` or `ssh://`
    /// URL fetched into a mirror under `cacheDirectory`) and resolves `ref` there. With
    /// `fetch` false, a mirror fetched before is read as it is (for a commit already seen).
    public init(repository location: String, ref: String = "HEAD", cacheDirectory: String? = nil, fetch: Bool = true) throws {
        Git.start()
        repository =
            GitMirror.isURL(location)
            ? try GitMirror.update(
                url: location, cacheDirectory: cacheDirectory ?? GitMirror.defaultCacheDirectory(), fetch: fetch)
            : try GitRepository.open(path: location)
        self.location = GitMirror.redacted(location)
        self.ref = ref
        commit = try repository.commit(for: ref)
        tree = try commit.tree()
        revision = SourceRevision(
            repository: self.location, ref: ref, commit: commit.id, tree: commit.treeID, author: commit.authorEmail)
    }

    public func entry(at path: String) throws -> SourceListing {
        guard let entry = tree.entry(at: path) else { return SourceListing() }
        switch entry.kind {
        case .blob: return SourceListing(entries: [SourceEntry(path: path, blobID: Git.hex(entry.oid))])
        case .link: return SourceListing(diagnostics: [ManifestPaths.skippedLink(path)])
        default: return SourceListing()
        }
    }

    public func listManifests(under paths: [String]?, excluding excluded: String) throws -> SourceListing {
        var listing = SourceListing()
        var found: [SourceEntry] = []
        if let paths {
            for (index, path) in paths.enumerated() {
                if path.isEmpty || path == "." {
                    try walk(tree, prefix: "", depth: 0, excluding: excluded, into: &found, listing: &listing)
                    continue
                }
                guard let entry = tree.entry(at: path) else {
                    listing.diagnostics.append(ManifestPaths.missingPath(path, index: index))
                    continue
                }
                try visit(entry, path: path, explicit: true, depth: 0, excluding: excluded, into: &found, listing: &listing)
            }
        } else {
            try walk(tree, prefix: "", depth: 0, excluding: excluded, into: &found, listing: &listing)
        }
        var seen = Set<String>()
        listing.entries = found.sorted { $0.path < $1.path }.filter { seen.insert($0.path).inserted }
        return listing
    }

    /// A reader with its own repository handle: libgit2 handles must not be shared
    /// between threads, but separate handles on one repository read in parallel.
    public func makeReader() throws -> any SourceReader {
        try GitBlobReader(repository: try GitRepository.open(path: repository.path))
    }

    /// Deepest folder nesting walked; a hostile repository could nest far deeper.
    private static let maxDepth = 64

    private func walk(
        _ tree: GitTree, prefix: String, depth: Int, excluding excluded: String, into found: inout [SourceEntry],
        listing: inout SourceListing
    ) throws {
        guard depth < Self.maxDepth else {
            listing.diagnostics.append(
                Diagnostic(.error, file: prefix, message: "folders nest deeper than \(Self.maxDepth) levels here"))
            return
        }
        for entry in tree.entries {
            let path = prefix.isEmpty ? entry.name : prefix + "/" + entry.name
            try visit(entry, path: path, explicit: false, depth: depth, excluding: excluded, into: &found, listing: &listing)
        }
    }

    private func visit(
        _ entry: GitTree.Entry, path: String, explicit: Bool, depth: Int, excluding excluded: String,
        into found: inout [SourceEntry], listing: inout SourceListing
    ) throws {
        guard path != excluded else { return }  // read (and reported) by `entry(at:)`
        switch entry.kind {
        case .tree where explicit || !ManifestPaths.isSkippedFolder(entry.name):
            try walk(
                try tree.subtree(entry), prefix: path, depth: depth + 1, excluding: excluded, into: &found,
                listing: &listing)
        case .blob where explicit || ManifestPaths.isManifestFile(entry.name):
            found.append(SourceEntry(path: path, blobID: Git.hex(entry.oid)))
        case .link where explicit || !ManifestPaths.isSkippedFolder(entry.name):
            listing.diagnostics.append(ManifestPaths.skippedLink(path))
        case .submodule where explicit || !ManifestPaths.isSkippedFolder(entry.name):
            listing.diagnostics.append(
                Diagnostic(.warning, file: path, message: "submodule skipped: Roster reads only this repository's own files"))
        default:
            break
        }
    }
}

/// Reads blobs through its own repository handle; used by one task at a time, which is
/// what makes the unchecked `Sendable` sound.
final class GitBlobReader: SourceReader, @unchecked Sendable {
    private let repository: GitRepository
    private let odb: OpaquePointer

    init(repository: GitRepository) throws {
        self.repository = repository
        odb = try repository.objectDatabase()
    }

    deinit { git_odb_free(odb) }

    func read(_ entry: SourceEntry, maxSize: Int) -> Result<SourceFile, Diagnostic> {
        var oid = git_oid()
        guard let id = entry.blobID, git_oid_fromstr(&oid, id) == 0 else {
            return .failure(Diagnostic(.error, file: entry.path, message: "no blob id for this file"))
        }
        var size = 0
        var type = GIT_OBJECT_INVALID
        // The header gives the size without inflating the object: a hostile 1 GiB blob is
        // refused before it is read.
        if git_odb_read_header(&size, &type, odb, &oid) == 0, size > maxSize {
            return .failure(ManifestPaths.tooLarge(entry.path, size: size, limit: maxSize))
        }
        var blob: OpaquePointer?
        guard git_blob_lookup(&blob, repository.handle, &oid) == 0, let blob else {
            return .failure(Diagnostic(.error, file: entry.path, message: "cannot read the blob: \(Git.lastError())"))
        }
        defer { git_blob_free(blob) }
        let bytes = [UInt8](UnsafeRawBufferPointer(start: git_blob_rawcontent(blob), count: Int(git_blob_rawsize(blob))))
        return .success(SourceFile(path: entry.path, bytes: bytes, blobID: id))
    }
}
