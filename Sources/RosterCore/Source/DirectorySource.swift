import Foundation

/// Manifests from a plain folder (`--dir`), for editing before committing.
public struct DirectorySource: ManifestSource, SourceReader {
    let root: URL
    public var displayName: String { "folder \(root.path)" }
    public var revision: SourceRevision? { nil }

    /// Fails when `path` is not a readable folder.
    public init(path: String) throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else {
            throw SourceError("--dir \(path): no such folder")
        }
        root = URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL
    }

    public func entry(at path: String) throws -> SourceListing {
        switch entryKind(path) {
        case .missing, .folder: return SourceListing()
        case .link: return SourceListing(diagnostics: [ManifestPaths.skippedLink(path)])
        case .file: return SourceListing(entries: [SourceEntry(path: path)])
        }
    }

    public func listManifests(under paths: [String]?, excluding excluded: String) throws -> SourceListing {
        var listing = SourceListing()
        var found: [String] = []
        if let paths {
            for (index, path) in paths.enumerated() where path != excluded {
                switch entryKind(path) {
                case .missing: listing.diagnostics.append(ManifestPaths.missingPath(path, index: index))
                case .link: listing.diagnostics.append(ManifestPaths.skippedLink(path))
                case .file: found.append(path)
                case .folder: try walk(path, excluding: excluded, into: &found, listing: &listing)
                }
            }
        } else {
            try walk("", excluding: excluded, into: &found, listing: &listing)
        }
        listing.entries = Set(found).sorted().map { SourceEntry(path: $0) }
        return listing
    }

    public func makeReader() throws -> any SourceReader { self }

    public func read(_ entry: SourceEntry, maxSize: Int) -> Result<SourceFile, Diagnostic> {
        // Checked again at read time: only regular files reached without a link are read.
        guard entryKind(entry.path) == .file else { return .failure(ManifestPaths.skippedLink(entry.path)) }
        let full = root.path + "/" + entry.path
        // O_NOFOLLOW: a file swapped for a link since it was listed is not followed either.
        let descriptor = open(full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { return .failure(Diagnostic(.error, file: entry.path, message: "cannot read the file")) }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        var info = stat()
        if fstat(descriptor, &info) == 0, Int(info.st_size) > maxSize {
            return .failure(ManifestPaths.tooLarge(entry.path, size: Int(info.st_size), limit: maxSize))
        }
        guard let data = try? handle.readToEnd() ?? Data() else {
            return .failure(Diagnostic(.error, file: entry.path, message: "cannot read the file"))
        }
        guard data.count <= maxSize else {
            return .failure(ManifestPaths.tooLarge(entry.path, size: data.count, limit: maxSize))
        }
        return .success(SourceFile(path: entry.path, bytes: [UInt8](data)))
    }

    private enum EntryKind { case missing, file, folder, link }

    /// What `path` names, judged component by component: a path through a symbolic link
    /// (`link/secret.yaml` with `link -> /etc`) is a link, so nothing outside the folder is
    /// ever read, whichever part of the path the link is.
    private func entryKind(_ path: String) -> EntryKind {
        var full = root.path
        var kind = EntryKind.folder
        for component in path.split(separator: "/") {
            guard kind == .folder else { return .missing }
            full += "/" + component
            var info = stat()
            guard lstat(full, &info) == 0 else { return .missing }
            switch info.st_mode & S_IFMT {
            case S_IFLNK: return .link
            case S_IFDIR: kind = .folder
            case S_IFREG: kind = .file
            default: return .missing
            }
        }
        return kind
    }

    private func walk(
        _ folder: String, excluding excluded: String, into found: inout [String], listing: inout SourceListing
    ) throws {
        let full = folder.isEmpty ? root.path : root.appendingPathComponent(folder).path
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: full).sorted()
        } catch {
            throw SourceError("cannot read folder \(full): \(error.localizedDescription)")
        }
        for name in names {
            let path = folder.isEmpty ? name : folder + "/" + name
            guard path != excluded else { continue }  // read (and reported) by `entry(at:)`
            switch entryKind(path) {
            case .folder where !ManifestPaths.isSkippedFolder(name):
                try walk(path, excluding: excluded, into: &found, listing: &listing)
            case .file where ManifestPaths.isManifestFile(name): found.append(path)
            case .link where !ManifestPaths.isSkippedFolder(name): listing.diagnostics.append(ManifestPaths.skippedLink(path))
            default: break
            }
        }
    }
}
