import ArgumentParser
import Foundation
import RosterCore
import RosterGit
import RosterReconcile
import RosterStore

/// Where the manifests come from: `--repo` (with `--ref`) or `--dir`.
struct SourceOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "A git repository: a local path (bare or not) or a file://, https:// or ssh:// URL, fetched into a cache.",
        valueName: "path-or-url"))
    var repo: String?

    @Option(help: "With --repo: the branch, tag or commit to read (default HEAD).")
    var ref: String?

    @Option(help: ArgumentHelp("A plain folder of manifests, for local edits before committing (default: the current folder).", valueName: "path"))
    var dir: String?

    @Option(help: ArgumentHelp("Where fetched repositories are kept (default $ROSTER_CACHE_DIR, else ~/.cache/roster).", valueName: "path"))
    var cacheDir: String?

    @Option(help: ArgumentHelp("Largest manifest file accepted: bytes, or with KiB/MiB.", valueName: "size"))
    var maxFileSize: ByteSize = ByteSize(bytes: ManifestLoader.defaultMaxFileSize)

    @Flag(help: "Refuse repositories owned by another user, as git's safe.directory does (off: Roster only reads objects).")
    var gitOwnerValidation = false

    func validate() throws {
        if repo != nil && dir != nil { throw ValidationError("Use --repo or --dir, not both.") }
        if ref != nil && repo == nil { throw ValidationError("--ref goes with --repo.") }
        if let ref, ref.isEmpty { throw ValidationError("--ref cannot be empty.") }
        if let repo, repo.isEmpty { throw ValidationError("--repo cannot be empty.") }
        if let dir, dir.isEmpty { throw ValidationError("--dir cannot be empty.") }
    }

    /// For a command that opens its store before the source: lets a repository's library
    /// set itself up meanwhile (`Git.startInBackground`).
    func prepare() {
        if repo != nil { Git.startInBackground() }
    }

    /// Opens the source the options name.
    func makeSource() throws -> any ManifestSource {
        if let repo {
            Git.setOwnerValidation(gitOwnerValidation)
            return try GitSource(repository: repo, ref: ref ?? "HEAD", cacheDirectory: cacheDir)
        }
        return try DirectorySource(path: dir ?? ".")
    }

    var loader: ManifestLoader { ManifestLoader(maxFileSize: maxFileSize.bytes) }

    /// A reconcile run on this source (`reconcile`, and each run of `serve`). With `--repo`,
    /// earlier commits are read from the same repository (without fetching) to tell drift.
    func runRequest(
        trigger: String, identity: String?, lockTimeout: Double, overrides: Reconciler.Overrides,
        skip: Reconciler.Checkpoint? = nil
    ) -> Reconciler.RunRequest {
        let source = self
        var openCommit: (@Sendable (String) throws -> any ManifestSource)?
        if let repo {
            openCommit = { commit in
                try GitSource(repository: repo, ref: commit, cacheDirectory: source.cacheDir, fetch: false)
            }
        }
        return Reconciler.RunRequest(
            trigger: trigger, identity: identity ?? ProcessInfo.processInfo.environment["ROSTER_IDENTITY"] ?? "roster",
            lockTimeout: Seconds.duration(lockTimeout), overrides: overrides, loader: loader,
            openSource: { try source.makeSource() }, openCommit: openCommit, skipIfUnchanged: skip)
    }
}

/// A size given on the command line: `1048576`, `512KiB`, `1MiB`.
struct ByteSize: ExpressibleByArgument {
    var bytes: Int

    init(bytes: Int) { self.bytes = bytes }

    /// How `--help` shows the default: 1MiB rather than the struct.
    var defaultValueDescription: String {
        bytes % (1 << 20) == 0 ? "\(bytes >> 20)MiB" : bytes % (1 << 10) == 0 ? "\(bytes >> 10)KiB" : "\(bytes)"
    }

    init?(argument: String) {
        let units: [(String, Int)] = [("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("K", 1 << 10), ("M", 1 << 20), ("B", 1)]
        var text = Substring(argument)
        var multiplier = 1
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            text = text.dropLast(suffix.count)
            multiplier = factor
            break
        }
        guard let value = Int(text), value > 0, value <= Int.max / multiplier else { return nil }
        bytes = value * multiplier
    }
}
