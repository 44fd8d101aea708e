/// Where manifests come from: a git commit or a plain folder. A source lists files; readers
/// (one per worker, so files are read on every core) fetch their bytes; the loader decides
/// what the bytes mean.
public protocol ManifestSource {
    /// Says what was read, for messages: "repository /srv/teams at main (3f2a1c9)".
    var displayName: String { get }
    /// The commit read, when the source is git.
    var revision: SourceRevision? { get }
    /// The file at `path` from the root, if there is one. A link there comes back as a
    /// diagnostic, never followed.
    func entry(at path: String) throws -> SourceListing
    /// Every manifest file under `paths` (nil: the whole source, except folders whose name
    /// starts with a dot), leaving out `excluded`, sorted by path.
    func listManifests(under paths: [String]?, excluding excluded: String) throws -> SourceListing
    /// A reader for this source's files, to be used on one task at a time.
    func makeReader() throws -> any SourceReader
}

/// Reads the bytes of listed files.
public protocol SourceReader: Sendable {
    /// The file's bytes, or a diagnostic (too large, unreadable).
    func read(_ entry: SourceEntry, maxSize: Int) -> Result<SourceFile, Diagnostic>
}

/// A file a source listed, not yet read.
public struct SourceEntry: Sendable, Hashable {
    /// Path inside the source, with `/` separators.
    public var path: String
    /// The git blob id (hex) when the file is in git.
    public var blobID: String?

    public init(path: String, blobID: String? = nil) {
        self.path = path
        self.blobID = blobID
    }
}

/// The files a source found and what it passed over.
public struct SourceListing: Sendable {
    public var entries: [SourceEntry]
    public var diagnostics: [Diagnostic]

    public init(entries: [SourceEntry] = [], diagnostics: [Diagnostic] = []) {
        self.entries = entries
        self.diagnostics = diagnostics
    }
}

/// The git revision manifests were read at.
public struct SourceRevision: Sendable, Hashable, Codable {
    /// The repository as the user named it (path or URL).
    public var repository: String
    /// The ref as the user named it.
    public var ref: String
    /// The commit and tree ids, 40 hex digits each.
    public var commit: String
    public var tree: String
    /// The commit author's email, for audit entries (`onBehalfOf`).
    public var author: String?

    public init(repository: String, ref: String, commit: String, tree: String, author: String? = nil) {
        self.repository = repository
        self.ref = ref
        self.commit = commit
        self.tree = tree
        self.author = author
    }
}

/// A source that cannot be read: a missing folder, a path that is not a repository, an
/// unknown ref, an unreachable URL. The message says what was tried.
public struct SourceError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The rules for which files are manifests, shared by every source.
public enum ManifestPaths {
    /// Whether a file name is a YAML file.
    public static func isManifestFile(_ name: String) -> Bool {
        name.hasSuffix(".yaml") || name.hasSuffix(".yml")
    }

    /// Whether a folder is left out when walking (`.git`, `.github`, …).
    public static func isSkippedFolder(_ name: String) -> Bool { name.hasPrefix(".") }

    /// The diagnostic for a configured path that does not exist.
    public static func missingPath(_ path: String, index: Int) -> Diagnostic {
        Diagnostic(
            .error, file: RosterConfig.fileName, path: "spec.paths[\(index)]",
            message: "\"\(path)\" is listed in spec.paths but does not exist in the source")
    }

    /// The warning for a symbolic link, which is never followed.
    public static func skippedLink(_ path: String) -> Diagnostic {
        Diagnostic(.warning, file: path, message: "symbolic link skipped: Roster never follows links")
    }

    /// The error for a file over the size limit.
    public static func tooLarge(_ path: String, size: Int, limit: Int) -> Diagnostic {
        Diagnostic(
            .error, file: path,
            message: "file is \(ByteCount(size)), over the \(ByteCount(limit)) limit for a manifest file; split it or raise --max-file-size")
    }
}

/// A byte count for people: "1 MiB", "2.5 MiB", "300 KiB".
struct ByteCount: CustomStringConvertible {
    var bytes: Int
    init(_ bytes: Int) { self.bytes = bytes }
    var description: String {
        let units = ["bytes", "KiB", "MiB", "GiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes) bytes" }
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? "\(Int(rounded)) \(units[unit])" : "\(rounded) \(units[unit])"
    }
}
