internal import CGit2
import RosterCore

/// An open repository: the only thing in Roster that holds a libgit2 handle.
final class GitRepository {
    let handle: OpaquePointer
    /// Where it is, as the user named it.
    let location: String

    private init(handle: OpaquePointer, location: String) {
        self.handle = handle
        self.location = location
    }

    deinit { git_repository_free(handle) }

    /// The repository's folder (the `.git` folder, or the bare repository itself).
    var path: String { String(cString: git_repository_path(handle)) }

    /// Opens the repository at `path` (bare or with a work tree), without searching parent
    /// folders: a path inside some other repository must not silently read that one.
    static func open(path: String) throws -> GitRepository {
        Git.start()
        var handle: OpaquePointer?
        let code = git_repository_open_ext(&handle, path, GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue, nil)
        guard code == 0, let handle else {
            let reason = Git.lastError()
            if reason.contains("not owned by current user") {
                throw SourceError(
                    "\(path) is a repository owned by another user, and owner validation is on; "
                        + "leave out --git-owner-validation to read it anyway (Roster only reads objects)")
            }
            throw SourceError("\(path) is not a git repository (tried to open it as one: \(reason))")
        }
        return GitRepository(handle: handle, location: path)
    }

    /// Creates a bare repository at `path`.
    static func initBare(path: String) throws -> GitRepository {
        Git.start()
        var handle: OpaquePointer?
        try Git.check(git_repository_init(&handle, path, 1), "cannot create a cache repository at \(path)")
        return GitRepository(handle: handle!, location: path)
    }

    /// The commit `ref` names: a branch, a tag (annotated or not), a full or short commit id,
    /// or any revision expression libgit2 knows (`HEAD~1`, `main^`).
    func commit(for ref: String) throws -> GitCommit {
        var object: OpaquePointer?
        guard git_revparse_single(&object, handle, ref) == 0, let object else {
            throw SourceError(
                "unknown ref \"\(ref)\" in \(location): it is not a branch, tag or commit id there (\(Git.lastError()))")
        }
        defer { git_object_free(object) }
        var peeled: OpaquePointer?
        guard git_object_peel(&peeled, object, GIT_OBJECT_COMMIT) == 0, let peeled else {
            throw SourceError("ref \"\(ref)\" in \(location) does not point at a commit")
        }
        return GitCommit(handle: peeled, repository: self)
    }

    /// The object database, for reading sizes without loading objects.
    func objectDatabase() throws -> OpaquePointer {
        var odb: OpaquePointer?
        try Git.check(git_repository_odb(&odb, handle), "cannot open the object database of \(location)")
        return odb!
    }
}

/// A commit, kept alive with its repository.
final class GitCommit {
    let handle: OpaquePointer
    let repository: GitRepository

    init(handle: OpaquePointer, repository: GitRepository) {
        self.handle = handle
        self.repository = repository
    }

    deinit { git_commit_free(handle) }

    var id: String { Git.hex(git_commit_id(handle).pointee) }
    var treeID: String { Git.hex(git_commit_tree_id(handle).pointee) }
    var authorEmail: String? { git_commit_author(handle)?.pointee.email.map { String(cString: $0) } }

    func tree() throws -> GitTree {
        var tree: OpaquePointer?
        try Git.check(git_commit_tree(&tree, handle), "cannot read the tree of commit \(id)")
        return GitTree(handle: tree!, repository: repository)
    }
}

/// A tree (folder) of a commit.
final class GitTree {
    let handle: OpaquePointer
    let repository: GitRepository

    init(handle: OpaquePointer, repository: GitRepository) {
        self.handle = handle
        self.repository = repository
    }

    deinit { git_tree_free(handle) }

    /// What an entry of a tree is.
    enum EntryKind { case tree, blob, link, submodule, other }

    struct Entry {
        var name: String
        var kind: EntryKind
        var oid: git_oid
    }

    var entries: [Entry] {
        (0..<git_tree_entrycount(handle)).compactMap { index in
            guard let entry = git_tree_entry_byindex(handle, index) else { return nil }
            return Self.entry(entry)
        }
    }

    /// The entry at `path` below this tree, or nil.
    func entry(at path: String) -> Entry? {
        var entry: OpaquePointer?
        guard git_tree_entry_bypath(&entry, handle, path) == 0, let entry else { return nil }
        defer { git_tree_entry_free(entry) }
        return Self.entry(entry)
    }

    func subtree(_ entry: Entry) throws -> GitTree {
        var tree: OpaquePointer?
        var oid = entry.oid
        try Git.check(git_tree_lookup(&tree, repository.handle, &oid), "cannot read folder \(entry.name)")
        return GitTree(handle: tree!, repository: repository)
    }

    private static func entry(_ entry: OpaquePointer) -> Entry {
        let kind: EntryKind
        switch git_tree_entry_filemode(entry) {
        case GIT_FILEMODE_TREE: kind = .tree
        case GIT_FILEMODE_BLOB, GIT_FILEMODE_BLOB_EXECUTABLE: kind = .blob
        case GIT_FILEMODE_LINK: kind = .link
        case GIT_FILEMODE_COMMIT: kind = .submodule
        default: kind = .other
        }
        return Entry(name: String(cString: git_tree_entry_name(entry)), kind: kind, oid: git_tree_entry_id(entry).pointee)
    }
}
