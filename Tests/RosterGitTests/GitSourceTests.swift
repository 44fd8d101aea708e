import Foundation
import RosterTestSupport
import RosterCore
import Testing

@testable import RosterGit

/// A history with a commit for every ref form, each commit's `teams/t.yaml` naming it:
///
///     c1 (annotated tag v1.0) - c2 (lightweight tag light) - c3 - c4   main, HEAD
///                                 \
///                                  cf                               feature
private struct History {
    let repository: TestRepository
    /// Commit ids by label: c1, c2, c3, c4, cf.
    let commits: [String: String]

    static func make(in folder: String) throws -> History {
        let repository = try TestRepository.create(at: folder + "/repo")
        var commits: [String: String] = [:]
        func commit(_ label: String) throws {
            try repository.write("teams/t.yaml", teamYAML("t", displayName: label))
            commits[label] = try repository.commitAll(label)
        }
        try commit("c1")
        try repository.git("tag", "-a", "v1.0", "-m", "release 1.0")
        try commit("c2")
        try repository.git("tag", "light")
        try repository.git("checkout", "-q", "-b", "feature")
        try commit("cf")
        try repository.git("checkout", "-q", "main")
        try commit("c3")
        try commit("c4")
        return History(repository: repository, commits: commits)
    }
}

/// The ways a ref can be written, and the commit each must resolve to in `History`.
enum RefForm: String, CaseIterable, Sendable {
    case branch, fullBranchRef, lightweightTag, annotatedTag, fullCommitID, shortCommitID, headParent, head

    /// The ref as a user would write it, and the label of the commit it names.
    fileprivate func ref(in history: History) -> (ref: String, label: String) {
        switch self {
        case .branch: ("feature", "cf")
        case .fullBranchRef: ("refs/heads/feature", "cf")
        case .lightweightTag: ("light", "c2")
        case .annotatedTag: ("v1.0", "c1")
        case .fullCommitID: (history.commits["c3"]!, "c3")
        case .shortCommitID: (String(history.commits["c2"]!.prefix(8)), "c2")
        case .headParent: ("HEAD~1", "c3")
        case .head: ("HEAD", "c4")
        }
    }
}

@Suite("GitSource: local repositories")
struct GitSourceTests {
    @Test("committed content wins over staged, edited and untracked files in the work tree")
    func committedContentWins() async throws {
        try await withScratchFolder { folder in
            let repository = try TestRepository.create(at: folder + "/repo")
            try repository.write("teams/a.yaml", teamYAML("a", displayName: "Committed A"))
            try repository.write("teams/b.yaml", teamYAML("b", displayName: "Committed B"))
            let commit = try repository.commitAll()

            try repository.write("teams/a.yaml", teamYAML("a", displayName: "Staged A"))
            try repository.git("add", "teams/a.yaml")
            try repository.write("teams/b.yaml", garbageYAML)
            try repository.write("teams/untracked.yaml", garbageYAML)

            let source = try GitSource(repository: repository.path)
            let result = try await ManifestLoader().load(from: source)
            #expect(result.isValid, "\(result.diagnostics)")
            #expect(result.diagnostics.isEmpty)
            #expect(result.teams.map(\.slug) == ["a", "b"])
            #expect(result.teams.map(\.displayName) == ["Committed A", "Committed B"])
            #expect(result.revision?.commit == commit)
        }
    }

    @Test("every ref form resolves to its commit, and the files are read at that commit", arguments: RefForm.allCases)
    func refForms(_ form: RefForm) async throws {
        try await withScratchFolder { folder in
            let history = try History.make(in: folder)
            let (ref, label) = form.ref(in: history)
            let expected = try #require(history.commits[label])

            let source = try GitSource(repository: history.repository.path, ref: ref)
            let revision = try #require(source.revision)
            #expect(revision.commit == expected)
            let tree = try history.repository.revParse(expected + "^{tree}")
            #expect(revision.tree == tree)
            #expect(revision.ref == ref)
            #expect(revision.repository == history.repository.path)
            #expect(revision.author == "t@example.com")
            #expect(source.displayName.contains(String(expected.prefix(12))))

            let result = try await ManifestLoader().load(from: source)
            #expect(result.isValid, "\(result.diagnostics)")
            #expect(result.teams.map(\.displayName) == [label])
        }
    }

    @Test("an annotated tag resolves to its commit, not to the tag object")
    func annotatedTagIsPeeled() throws {
        try withScratchFolderSync { folder in
            let history = try History.make(in: folder)
            let tagObject = try history.repository.revParse("refs/tags/v1.0")
            #expect(tagObject != history.commits["c1"])
            let source = try GitSource(repository: history.repository.path, ref: "v1.0")
            #expect(source.revision?.commit == history.commits["c1"])
        }
    }

    @Test(
        "an unknown ref, or one that names no commit, throws a SourceError naming the ref",
        arguments: ["no-such-branch", "v9.9", "0123456789abcdef", "HEAD~10", "HEAD^{tree}", "HEAD:teams/t.yaml"])
    func unknownRef(_ ref: String) throws {
        try withScratchFolderSync { folder in
            let history = try History.make(in: folder)
            let error = #expect(throws: SourceError.self) {
                try GitSource(repository: history.repository.path, ref: ref)
            }
            #expect(error?.message.contains("\"\(ref)\"") == true, "\(String(describing: error))")
        }
    }

    enum NotARepository: String, CaseIterable, Sendable {
        case plainFolder, subfolderOfRepository, missingPath, file
    }

    @Test("a path that is not a repository throws; a repository's subfolder does not open the parent", arguments: NotARepository.allCases)
    func notARepository(_ kind: NotARepository) throws {
        try withScratchFolderSync { folder in
            let repository = try TestRepository.create(at: folder + "/repo")
            try repository.write("teams/a.yaml", teamYAML("a"))
            try repository.commitAll()
            try FileManager.default.createDirectory(atPath: folder + "/plain/teams", withIntermediateDirectories: true)
            try Data(teamYAML("p").utf8).write(to: URL(fileURLWithPath: folder + "/plain/teams/p.yaml"))

            let path =
                switch kind {
                case .plainFolder: folder + "/plain"
                case .subfolderOfRepository: repository.path + "/teams"
                case .missingPath: folder + "/nothing-here"
                case .file: repository.path + "/teams/a.yaml"
                }
            let error = #expect(throws: SourceError.self) { try GitSource(repository: path) }
            #expect(error?.message.contains(path) == true, "\(String(describing: error))")
        }
    }

    @Test("a repository without commits throws a SourceError naming the ref")
    func emptyRepository() throws {
        try withScratchFolderSync { folder in
            let repository = try TestRepository.create(at: folder + "/repo")
            let error = #expect(throws: SourceError.self) { try GitSource(repository: repository.path) }
            #expect(error?.message.contains("\"HEAD\"") == true, "\(String(describing: error))")
        }
    }

    @Test("a bare repository is read like any other")
    func bareRepository() async throws {
        try await withScratchFolder { folder in
            let work = try TestRepository.create(at: folder + "/work")
            try work.write("roster.yaml", configYAML(paths: ["teams"], minAdmins: 2))
            try work.write("teams/a.yaml", teamYAML("a"))
            try work.write("teams/b.yml", teamYAML("b"))
            let commit = try work.commitAll()
            try work.git("clone", "-q", "--bare", work.path, folder + "/bare.git")
            try FileManager.default.removeItem(atPath: work.path)

            let source = try GitSource(repository: folder + "/bare.git")
            #expect(source.revision?.commit == commit)
            let result = try await ManifestLoader().load(from: source)
            #expect(result.isValid, "\(result.diagnostics)")
            #expect(result.config.safety.minAdmins == 2)
            #expect(result.teams.map(\.slug) == ["a", "b"])
            #expect(result.fileCount == 3)
        }
    }

    @Test("a committed symbolic link is skipped with a warning and its target is never read")
    func symbolicLinkSkipped() async throws {
        try await withScratchFolder { folder in
            let repository = try TestRepository.create(at: folder + "/repo")
            try repository.write("roster.yaml", configYAML(paths: ["teams"]))
            try repository.write("teams/a.yaml", teamYAML("a"))
            try repository.write("hidden/garbage.yaml", garbageYAML)
            try repository.link("teams/evil.yaml", to: "/etc/passwd")
            try repository.link("teams/inner.yaml", to: "../hidden/garbage.yaml")
            try repository.link("teams/folder", to: "../hidden")
            try repository.commitAll()
            let linkMode = try repository.git("ls-files", "-s", "teams/evil.yaml")
            #expect(linkMode.hasPrefix("120000 "), "the link is committed as a link")

            let result = try await ManifestLoader().load(from: try GitSource(repository: repository.path))
            #expect(result.isValid, "\(result.diagnostics)")
            #expect(result.teams.map(\.slug) == ["a"])
            let warnings = result.diagnostics.filter { $0.severity == .warning }
            #expect(warnings.map(\.file) == ["teams/evil.yaml", "teams/folder", "teams/inner.yaml"])
            #expect(warnings.allSatisfy { $0.message.contains("symbolic link") })
            #expect(result.diagnostics.count == warnings.count)
            #expect(!result.diagnostics.contains { $0.message.contains("root:") || ($0.suggestion ?? "").contains("root:") })
        }
    }

    @Test("a --dir folder never reads through a symbolic link named in spec.paths, whichever part of the path it is")
    func directoryPathThroughLinkSkipped() async throws {
        try await withScratchFolder { folder in
            let outside = try TestRepository.create(at: folder + "/outside")
            try outside.write("secret.yaml", teamYAML("secret"))
            try outside.write("teams/stolen.yaml", teamYAML("stolen"))
            let tree = try TestRepository.create(at: folder + "/tree")
            try tree.write("roster.yaml", configYAML(paths: ["link/secret.yaml", "deep", "teams"]))
            try tree.write("teams/a.yaml", teamYAML("a"))
            try tree.link("link", to: outside.path)
            try tree.write("deep/.keep", "")
            try tree.link("deep/via", to: outside.path + "/teams")

            let result = try await ManifestLoader().load(from: try DirectorySource(path: tree.path))
            #expect(result.teams.map(\.slug) == ["a"], "\(result.diagnostics)")
            let warnings = result.diagnostics.filter { $0.severity == .warning }
            #expect(warnings.map(\.file).sorted() == ["deep/via", "link/secret.yaml"])
            #expect(warnings.allSatisfy { $0.message.contains("symbolic link") })
        }
    }

    @Test("a roster.yaml that is a symbolic link is skipped with a warning, and the defaults apply")
    func configLinkSkipped() async throws {
        try await withScratchFolder { folder in
            let repository = try TestRepository.create(at: folder + "/repo")
            try repository.write(".config/real.yaml", configYAML(paths: ["nowhere"], minAdmins: 3))
            try repository.link("roster.yaml", to: ".config/real.yaml")
            try repository.write("teams/a.yaml", teamYAML("a", admins: 1))
            try repository.commitAll()

            let result = try await ManifestLoader().load(from: try GitSource(repository: repository.path))
            #expect(result.isValid, "\(result.diagnostics)")
            #expect(result.config == RosterConfig())
            #expect(result.teams.map(\.slug) == ["a"])
            #expect(result.diagnostics.allSatisfy { $0.file == "roster.yaml" && $0.severity == .warning })
            #expect(result.diagnostics.first?.message.contains("symbolic link") == true)
            #expect(result.diagnostics.count == 1, "\(result.diagnostics)")
        }
    }

    @Test("a submodule is skipped with a warning, never read")
    func submoduleSkipped() async throws {
        try await withScratchFolder { folder in
            let other = try TestRepository.create(at: folder + "/other")
            try other.write("teams/broken.yaml", garbageYAML)
            try other.commitAll()

            let repository = try TestRepository.create(at: folder + "/repo")
            try repository.write("teams/a.yaml", teamYAML("a"))
            try repository.commitAll()
            try repository.git("submodule", "--quiet", "add", other.path, "sub")
            try repository.git("submodule", "--quiet", "add", other.path, "teams/vendored")
            try repository.commitAll("add submodules")
            let submoduleMode = try repository.git("ls-files", "-s", "sub")
            #expect(submoduleMode.hasPrefix("160000 "), "the submodule is committed as a gitlink")

            let result = try await ManifestLoader().load(from: try GitSource(repository: repository.path))
            #expect(result.isValid, "\(result.diagnostics)")
            #expect(result.teams.map(\.slug) == ["a"])
            #expect(result.diagnostics.map(\.file) == ["sub", "teams/vendored"])
            #expect(result.diagnostics.allSatisfy { $0.severity == .warning && $0.message.contains("submodule") })

            // Named explicitly in paths, a submodule is still only a warning.
            try repository.write("roster.yaml", configYAML(paths: ["teams", "sub"]))
            try repository.commitAll()
            let explicit = try await ManifestLoader().load(from: try GitSource(repository: repository.path))
            #expect(explicit.isValid, "\(explicit.diagnostics)")
            #expect(explicit.diagnostics.map(\.file) == ["sub", "teams/vendored"])
        }
    }

    @Test("folders whose name starts with a dot are not read unless paths names them")
    func dotFoldersSkipped() async throws {
        try await withScratchFolder { folder in
            let repository = try TestRepository.create(at: folder + "/repo")
            try repository.write("teams/a.yaml", teamYAML("a"))
            try repository.write(".github/x.yaml", garbageYAML)
            try repository.write("teams/.drafts/y.yaml", garbageYAML)
            try repository.commitAll()

            let result = try await ManifestLoader().load(from: try GitSource(repository: repository.path))
            #expect(result.isValid, "\(result.diagnostics)")
            #expect(result.diagnostics.isEmpty)
            #expect(result.teams.map(\.slug) == ["a"])
            #expect(result.fileCount == 1)

            try repository.write("roster.yaml", configYAML(paths: ["teams", ".github"]))
            try repository.commitAll()
            let named = try await ManifestLoader().load(from: try GitSource(repository: repository.path))
            #expect(!named.isValid)
            #expect(Set(named.diagnostics.map(\.file)) == [".github/x.yaml"])
        }
    }

    @Test("paths in roster.yaml limit reading to those folders")
    func configuredPaths() async throws {
        try await withScratchFolder { folder in
            let repository = try TestRepository.create(at: folder + "/repo")
            try repository.write("roster.yaml", configYAML(paths: ["teams"]))
            try repository.write("teams/a.yaml", teamYAML("a"))
            try repository.write("other/b.yaml", teamYAML("b"))
            try repository.write("docs/broken.yaml", garbageYAML)
            try repository.write("top.yaml", garbageYAML)
            try repository.commitAll()

            let result = try await ManifestLoader().load(from: try GitSource(repository: repository.path))
            #expect(result.isValid, "\(result.diagnostics)")
            #expect(result.diagnostics.isEmpty)
            #expect(result.config.paths == ["teams"])
            #expect(result.teams.map(\.slug) == ["a"])
        }
    }

    @Test("a path listed in roster.yaml that does not exist is an error naming it")
    func missingConfiguredPath() async throws {
        try await withScratchFolder { folder in
            let repository = try TestRepository.create(at: folder + "/repo")
            try repository.write("roster.yaml", configYAML(paths: ["teams", "nowhere"]))
            try repository.write("teams/a.yaml", teamYAML("a"))
            try repository.commitAll()

            let result = try await ManifestLoader().load(from: try GitSource(repository: repository.path))
            #expect(!result.isValid)
            #expect(result.teams.map(\.slug) == ["a"])
            let problem = try #require(result.diagnostics.only)
            #expect(problem.severity == .error)
            #expect(problem.file == "roster.yaml")
            #expect(problem.path == "spec.paths[1]")
            #expect(problem.message.contains("nowhere"))
        }
    }

    @Test(
        "listManifests finds YAML files under the given paths, sorted, once each, leaving out the excluded file",
        arguments: [
            (nil, ["teams/a.yaml", "teams/b.yml", "teams/sub/d.yaml", "top.yaml"]),
            (["."], ["teams/a.yaml", "teams/b.yml", "teams/sub/d.yaml", "top.yaml"]),
            (["teams"], ["teams/a.yaml", "teams/b.yml", "teams/sub/d.yaml"]),
            (["teams/sub", "teams", "teams/a.yaml"], ["teams/a.yaml", "teams/b.yml", "teams/sub/d.yaml"]),
            ([".teams"], [".teams/e.yaml"]),
            (["teams/notes.txt"], ["teams/notes.txt"]),
            (["roster.yaml", "top.yaml"], ["top.yaml"]),
        ] as [([String]?, [String])])
    func listManifests(paths: [String]?, expected: [String]) throws {
        try withScratchFolderSync { folder in
            let repository = try TestRepository.create(at: folder + "/repo")
            for file in [
                "roster.yaml", "top.yaml", "teams/a.yaml", "teams/b.yml", "teams/notes.txt", "teams/c.json",
                "teams/sub/d.yaml", ".github/x.yaml", ".teams/e.yaml", "README.md",
            ] {
                try repository.write(file, "# \(file)\n")
            }
            // An executable file is a file like any other.
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: repository.path + "/teams/b.yml")
            try repository.commitAll()
            let mode = try repository.git("ls-files", "-s", "teams/b.yml")
            #expect(mode.hasPrefix("100755 "), "\(mode)")

            let source = try GitSource(repository: repository.path)
            let listing = try source.listManifests(under: paths, excluding: "roster.yaml")
            #expect(listing.diagnostics.isEmpty)
            #expect(listing.entries.map(\.path) == expected)
            for entry in listing.entries {
                let blob = try repository.revParse("HEAD:" + entry.path)
                #expect(entry.blobID == blob)
            }
        }
    }

    @Test("a file over the size limit is an error at 1:1 and is not read, loose or packed as a delta", arguments: [false, true])
    func fileOverSizeLimit(packed: Bool) async throws {
        try await withScratchFolder { folder in
            let repository = try TestRepository.create(at: folder + "/repo")
            // Two versions of each file, so a packed repository stores the second as a delta.
            try repository.write("teams/a.yaml", teamYAML("a", displayName: "old"))
            try repository.write("teams/big.yaml", "# " + String(repeating: "x", count: 2000) + "\n")
            try repository.commitAll()
            try repository.write("teams/a.yaml", teamYAML("a"))
            // Garbage after the padding: had the file been decoded, it would add YAML errors.
            let big = "# " + String(repeating: "x", count: 2000) + "\n" + garbageYAML
            try repository.write("teams/big.yaml", big)
            try repository.commitAll()
            if packed {
                try repository.git("gc", "-q", "--aggressive", "--prune=now")
                let loose = try repository.git("count-objects")
                #expect(loose.hasPrefix("0 objects"), "\(loose)")
            }

            let result = try await ManifestLoader(maxFileSize: 1024).load(from: try GitSource(repository: repository.path))
            #expect(!result.isValid)
            #expect(result.teams.map(\.slug) == ["a"])
            let problem = try #require(result.diagnostics.only)
            #expect(problem.severity == .error)
            #expect(problem.file == "teams/big.yaml")
            #expect(problem.line == 1)
            #expect(problem.column == 1)
            #expect(problem.message.contains("limit"))
            #expect(result.byteCount == teamYAML("a").utf8.count)
            #expect(result.teams.map(\.displayName) == ["a"])
        }
    }

    @Test("the reader refuses a blob one byte over the limit and reads one exactly at it")
    func readerSizeBoundary() throws {
        try withScratchFolderSync { folder in
            let repository = try TestRepository.create(at: folder + "/repo")
            let content = teamYAML("a")
            try repository.write("teams/a.yaml", content)
            try repository.commitAll()
            let size = content.utf8.count

            let source = try GitSource(repository: repository.path)
            let entry = try #require(try source.listManifests(under: nil, excluding: "roster.yaml").entries.only)
            let reader = try source.makeReader()
            guard case .failure(let problem) = reader.read(entry, maxSize: size - 1) else {
                Issue.record("a blob over the limit was read")
                return
            }
            #expect(problem.file == "teams/a.yaml")
            #expect(problem.line == 1)
            #expect(problem.column == 1)
            let file = try reader.read(entry, maxSize: size).get()
            #expect(file.bytes == Array(content.utf8))
        }
    }

    @Test("each file keeps its git blob id")
    func blobIDs() async throws {
        try await withScratchFolder { folder in
            let repository = try TestRepository.create(at: folder + "/repo")
            try repository.write("roster.yaml", configYAML(paths: ["teams"]))
            try repository.write("teams/a.yaml", teamYAML("a"))
            try repository.write("teams/b.yml", teamYAML("b") + "---\n" + teamYAML("c"))
            try repository.commitAll()

            let source = try GitSource(repository: repository.path)
            let result = try await ManifestLoader().load(from: source)
            #expect(result.isValid, "\(result.diagnostics)")
            #expect(result.teams.map(\.slug) == ["a", "b", "c"])
            for team in result.teams {
                let blob = try repository.revParse("HEAD:" + team.file)
                #expect(team.blobID == blob, "\(team.slug)")
            }
            #expect(result.teams[1].blobID == result.teams[2].blobID)
            #expect(result.teams[0].blobID != result.teams[1].blobID)

            let config = try #require(try source.entry(at: "roster.yaml").entries.only)
            let configBlob = try repository.revParse("HEAD:roster.yaml")
            #expect(config.blobID == configBlob)
            let file = try source.makeReader().read(config, maxSize: 1 << 20).get()
            #expect(file.blobID == configBlob)
            #expect(file.path == "roster.yaml")
            #expect(file.bytes == Array(configYAML(paths: ["teams"]).utf8))
        }
    }

    @Test("the reader reports a missing or unknown blob id instead of crashing")
    func readerWithoutBlob() throws {
        try withScratchFolderSync { folder in
            let repository = try TestRepository.create(at: folder + "/repo")
            try repository.write("teams/a.yaml", teamYAML("a"))
            try repository.commitAll()
            let reader = try GitSource(repository: repository.path).makeReader()
            for entry in [
                SourceEntry(path: "teams/a.yaml"),
                SourceEntry(path: "teams/a.yaml", blobID: "not hex"),
                SourceEntry(path: "teams/a.yaml", blobID: String(repeating: "0", count: 40)),
            ] {
                guard case .failure(let problem) = reader.read(entry, maxSize: 1 << 20) else {
                    Issue.record("read \(entry) without a blob")
                    continue
                }
                #expect(problem.severity == .error)
                #expect(problem.file == "teams/a.yaml")
            }
        }
    }

    @Test("folders nested deeper than the walk limit are an error, not a crash")
    func deepNesting() async throws {
        try await withScratchFolder { folder in
            let repository = try TestRepository.create(at: folder + "/repo")
            try repository.write("teams/a.yaml", teamYAML("a"))
            let deep = Array(repeating: "d", count: 70).joined(separator: "/")
            try repository.write(deep + "/z.yaml", teamYAML("z"))
            try repository.commitAll()

            let result = try await ManifestLoader().load(from: try GitSource(repository: repository.path))
            #expect(!result.isValid)
            #expect(result.teams.map(\.slug) == ["a"])
            #expect(result.diagnostics.contains { $0.severity == .error && $0.message.contains("deeper") })
        }
    }
}

@Suite("GitSource: URLs fetched into a mirror")
struct GitMirrorTests {
    @Test("a file:// URL is cloned into the cache on first use and fetched on the next")
    func fetchPicksUpNewCommits() async throws {
        try await withScratchFolder { folder in
            let origin = try TestRepository.create(at: folder + "/origin")
            try origin.write("teams/a.yaml", teamYAML("a", displayName: "First"))
            let first = try origin.commitAll()
            let cache = folder + "/cache"

            let before = try GitSource(repository: origin.url, cacheDirectory: cache)
            #expect(before.revision?.commit == first)
            #expect(before.revision?.repository == origin.url)
            let loadedBefore = try await ManifestLoader().load(from: before)
            #expect(loadedBefore.teams.map(\.displayName) == ["First"])
            let mirrors = try FileManager.default.contentsOfDirectory(atPath: cache + "/repos")
            #expect(mirrors.count == 1)
            let mirror = cache + "/repos/" + (mirrors.first ?? "")
            #expect(FileManager.default.fileExists(atPath: mirror + "/HEAD"), "the mirror is a bare repository")

            try origin.write("teams/a.yaml", teamYAML("a", displayName: "Second"))
            let second = try origin.commitAll()

            let after = try GitSource(repository: origin.url, cacheDirectory: cache)
            #expect(after.revision?.commit == second)
            let loadedAfter = try await ManifestLoader().load(from: after)
            #expect(loadedAfter.teams.map(\.displayName) == ["Second"])
            let mirrorsAfter = try FileManager.default.contentsOfDirectory(atPath: cache + "/repos")
            #expect(mirrorsAfter == mirrors, "the second use fetches into the same mirror")

            // The object the first source read is still in the mirror: a plan made from
            // `before` can still be explained.
            let pinned = try GitSource(repository: origin.url, ref: first, cacheDirectory: cache)
            #expect(pinned.revision?.commit == first)
        }
    }

    @Test(
        "branches and tags resolve on the mirror as they would on the remote",
        arguments: [("feature", "cf"), ("v1.0", "c1"), ("light", "c2"), ("main", "c4"), ("HEAD", "c4"), ("HEAD~1", "c3")])
    func refsOnMirror(ref: String, label: String) async throws {
        try await withScratchFolder { folder in
            let history = try History.make(in: folder)
            let source = try GitSource(repository: history.repository.url, ref: ref, cacheDirectory: folder + "/cache")
            #expect(source.revision?.commit == history.commits[label])
            let result = try await ManifestLoader().load(from: source)
            #expect(result.teams.map(\.displayName) == [label])
        }
    }

    @Test("HEAD on the mirror follows the remote's default branch")
    func headFollowsDefaultBranch() throws {
        try withScratchFolderSync { folder in
            let origin = try TestRepository.create(at: folder + "/origin", branch: "trunk")
            try origin.write("teams/a.yaml", teamYAML("a", displayName: "old"))
            let old = try origin.commitAll()
            try origin.git("branch", "master")
            try origin.git("branch", "main")
            try origin.write("teams/a.yaml", teamYAML("a", displayName: "new"))
            let new = try origin.commitAll()
            #expect(old != new)

            let source = try GitSource(repository: origin.url, cacheDirectory: folder + "/cache")
            #expect(source.revision?.commit == new)
        }
    }

    @Test("a branch deleted on the remote is gone from the mirror after the next fetch")
    func deletedBranchIsPruned() throws {
        try withScratchFolderSync { folder in
            let origin = try TestRepository.create(at: folder + "/origin")
            try origin.write("teams/a.yaml", teamYAML("a"))
            let commit = try origin.commitAll()
            try origin.git("branch", "gone")
            let cache = folder + "/cache"
            let onBranch = try GitSource(repository: origin.url, ref: "gone", cacheDirectory: cache)
            #expect(onBranch.revision?.commit == commit)

            try origin.git("branch", "-D", "gone")
            let error = #expect(throws: SourceError.self) {
                try GitSource(repository: origin.url, ref: "gone", cacheDirectory: cache)
            }
            #expect(error?.message.contains("gone") == true)
        }
    }

    @Test("a branch whose history was rewritten on the remote is force-updated in the mirror")
    func rewrittenHistory() throws {
        try withScratchFolderSync { folder in
            let origin = try TestRepository.create(at: folder + "/origin")
            try origin.write("teams/a.yaml", teamYAML("a", displayName: "one"))
            let one = try origin.commitAll()
            try origin.write("teams/a.yaml", teamYAML("a", displayName: "two"))
            let two = try origin.commitAll()
            let cache = folder + "/cache"
            let before = try GitSource(repository: origin.url, cacheDirectory: cache)
            #expect(before.revision?.commit == two)

            try origin.git("reset", "-q", "--hard", one)
            try origin.write("teams/a.yaml", teamYAML("a", displayName: "three"))
            let three = try origin.commitAll()
            let after = try GitSource(repository: origin.url, ref: "main", cacheDirectory: cache)
            #expect(after.revision?.commit == three)
        }
    }

    @Test("an unreachable URL throws a SourceError naming it")
    func unreachableURL() throws {
        try withScratchFolderSync { folder in
            let url = "file:///nonexistent-roster-\(UUID().uuidString)"
            let error = #expect(throws: SourceError.self) {
                try GitSource(repository: url, cacheDirectory: folder + "/cache")
            }
            #expect(error?.message.contains(url) == true, "\(String(describing: error))")
        }
    }

    @Test(
        "URLs and scp-like addresses are fetched; paths are opened",
        arguments: [
            ("file:///srv/teams", true), ("https://github.com/org/teams.git", true),
            ("ssh://git@github.com/org/teams.git", true), ("git@github.com:org/teams.git", true),
            ("/srv/teams", false), ("teams", false), ("./teams", false), ("../a@b:c/teams", false),
            ("/srv/mail@host:teams", false),
        ])
    func urlOrPath(location: String, isURL: Bool) {
        #expect(GitMirror.isURL(location) == isURL)
    }

    @Test(
        "a URL's cache folder name is stable, distinct, one path component, and carries no credentials",
        arguments: [
            "https://x-access-token:s3cret@github.com/org/teams.git",
            "https://github.com/org/teams.git",
            "ssh://git@example.com:2222/teams",
            "file:///srv/repos/teams",
        ])
    func cacheName(url: String) {
        let name = GitMirror.cacheName(for: url)
        #expect(name == GitMirror.cacheName(for: url))
        #expect(name != GitMirror.cacheName(for: url + "2"))
        #expect(!name.contains("/"))
        #expect(!name.contains("s3cret"))
        #expect(!name.isEmpty && name != "." && name != "..")
    }

    @Test(
        "credentials in a URL never reach messages or the revision",
        arguments: [
            ("https://x-access-token:s3cret@github.com/org/teams.git", "https://***@github.com/org/teams.git"),
            ("https://s3cret@github.com/org/teams.git", "https://***@github.com/org/teams.git"),
            ("https://:s3cret@host/x", "https://***@host/x"),
            ("https://user:s3cret@host", "https://***@host"),
            ("https://alice:Pw/s3cret@host/o/t.git", "https://***@host/o/t.git"),
            ("https://alice:s3cret@x@host/o/t.git?ref=a@b", "https://***@host/o/t.git?ref=a@b"),
            ("ssh://git@example.com:2222/teams", "ssh://***@example.com:2222/teams"),
            ("git@github.com:org/teams.git", "***@github.com:org/teams.git"),
            ("file:///srv/repos/teams", "file:///srv/repos/teams"),
            ("/srv/repos/teams", "/srv/repos/teams"),
            ("/srv/mail@host:teams", "/srv/mail@host:teams"),
        ])
    func redaction(url: String, shown: String) {
        #expect(GitMirror.redacted(url) == shown)
        #expect(!GitMirror.cacheName(for: url).contains("s3cret"))
        let message = "unsupported URL protocol '\(url)'; malformed URL '\(url.removingPercentEncoding ?? url)'"
        #expect(!GitMirror.scrub(message, url: url).contains("s3cret"), "\(GitMirror.scrub(message, url: url))")
    }

    @Test("the same repository under another token keeps its mirror")
    func mirrorIgnoresCredentials() {
        #expect(
            GitMirror.cacheName(for: "https://ghp_one@github.com/org/teams.git")
                == GitMirror.cacheName(for: "https://x:ghp_two@github.com/org/teams.git"))
    }

    @Test("an unreachable URL names it without its password and leaves no mirror behind")
    func unreachableURLIsRedactedAndCleanedUp() throws {
        try withScratchFolderSync { folder in
            let url = "file://user:s3cret@localhost/\(folder)/missing.git"
            let error = #expect(throws: SourceError.self) {
                _ = try GitSource(repository: url, cacheDirectory: folder + "/cache")
            }
            #expect(error?.message.contains("s3cret") == false, "\(String(describing: error))")
            let mirrors = (try? FileManager.default.contentsOfDirectory(atPath: folder + "/cache/repos")) ?? []
            #expect(mirrors.isEmpty, "\(mirrors)")
        }
    }
}
