/// What the store remembers of the tree it last applied, so that the next plan decodes only
/// the files whose content changed: per manifest file, its content id (the git blob id, or a
/// SHA-256 of the bytes for a folder source), its size and the teams it declares. Only files
/// that decoded without any diagnostic are kept; any other file is decoded every time.
///
/// The cache vouches for a file's teams only while the file's content is unchanged, the
/// configuration is the one it was written under and the same version of Roster reads it
/// (`PlanCache.stamp`); anything else is planned cold.
public struct PlanCache: Sendable, Equatable {
    /// Who may read a cache: its format and the Roster that wrote it. Another value is never
    /// trusted (a decoder that changed could read the same bytes differently).
    public static let stamp = "plan-cache/2 roster/\(RosterBuild.version)"

    public var stamp: String
    /// Changes with every write of the cache: an update made from one generation is not
    /// applied to another (`PlanCacheUpdate.basedOn`).
    public var generation: String
    /// The content id of `roster.yaml` when the cache was written ("" without one).
    public var config: String
    /// The git tree the cache describes; nil for a folder source.
    public var tree: String?
    /// Whether `files` is every manifest file of `tree` and listing it reported nothing: then
    /// an unchanged tree needs no listing at all.
    public var complete: Bool
    /// Sorted by path.
    public var files: [File]
    /// Whether `files` holds only the files that declare the teams a plan must compare again
    /// (`PlanBasis.Reading.declaring`): the rest of `tree` is as the cache says, unread. Only
    /// for a complete cache of that tree, with `undeclared` and `totals` known.
    public var partial = false
    /// The store's teams that `tree` does not declare, as of the cache's writing (nil: not
    /// known). A team inserted or deleted since is marked, so these and the marked teams are
    /// every team of the store the tree does not declare.
    public var undeclared: Set<String>?
    /// How many files the cache holds and their bytes, all of them (nil: not known).
    public var totals: Totals?

    public struct Totals: Sendable, Equatable {
        public var files: Int
        public var bytes: Int

        public init(files: Int, bytes: Int) {
            self.files = files
            self.bytes = bytes
        }
    }

    public init(
        stamp: String = PlanCache.stamp, generation: String, config: String, tree: String?, complete: Bool, files: [File]
    ) {
        self.stamp = stamp
        self.generation = generation
        self.config = config
        self.tree = tree
        self.complete = complete
        self.files = files
    }

    /// `undeclared` as one text column (slugs hold no space), and back.
    public static func text(_ slugs: Set<String>) -> String { slugs.sorted().joined(separator: " ") }
    public static func slugs(fromText text: String) -> Set<String> { Set(text.split(separator: " ").map(String.init)) }

    /// One manifest file as last read.
    public struct File: Sendable, Equatable {
        public var path: String
        /// Git blob id, or `sha256:` and the hex digest of the bytes.
        public var content: String
        public var size: Int
        /// The teams it declares with where their names are, in file order.
        public var teams: [Declared]

        public init(path: String, content: String, size: Int, teams: [Declared]) {
            self.path = path
            self.content = content
            self.size = size
            self.teams = teams
        }

        /// The teams as one text column: `slug@line:column` separated by spaces (slugs hold
        /// neither).
        public var teamsText: String {
            teams.map { "\($0.slug)@\($0.position.line):\($0.position.column)" }.joined(separator: " ")
        }

        /// Reads `teamsText`; nil when it is not one (the cache is then not trusted). Over the
        /// UTF-8 bytes: a plan with nothing new reads ten thousand of these.
        public static func teams(fromText text: String) -> [Declared]? {
            var text = text
            text.makeContiguousUTF8()
            return text.utf8.withContiguousStorageIfAvailable(parse) ?? nil
        }

        private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> [Declared]? {
            var teams: [Declared] = []
            var index = 0
            func number(until end: UInt8) -> Int? {
                var value = 0
                let start = index
                while index < bytes.count, bytes[index] != end {
                    let digit = Int(bytes[index]) - 0x30
                    guard (0...9).contains(digit), value < 1 << 40 else { return nil }
                    value = value * 10 + digit
                    index += 1
                }
                return index > start ? value : nil
            }
            while index < bytes.count {
                let start = index
                while index < bytes.count, bytes[index] != UInt8(ascii: "@"), bytes[index] != UInt8(ascii: " ") { index += 1 }
                guard index > start, index < bytes.count, bytes[index] == UInt8(ascii: "@") else { return nil }
                let slug = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                guard let line = number(until: UInt8(ascii: ":")), index < bytes.count else { return nil }
                index += 1
                guard let column = number(until: UInt8(ascii: " ")) else { return nil }
                teams.append(Declared(slug: slug, position: SourcePosition(line: line, column: column)))
                index += 1  // the space, or past the end
            }
            return teams
        }
    }

    /// A team a file declares, and where its `metadata.name` is.
    public struct Declared: Sendable, Equatable {
        public var slug: String
        public var position: SourcePosition

        public init(slug: String, position: SourcePosition) {
            self.slug = slug
            self.position = position
        }
    }

    /// The files by path.
    func byPath() -> [String: File] {
        Dictionary(files.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
    }
}

/// What an apply writes into the cache, in its transaction: the files of the tree it applied
/// that changed since the cache (or all of them), and the teams that are still not what git
/// declares afterwards (drift left alone with selfHeal off), which stay marked.
public struct PlanCacheUpdate: Sendable, Equatable {
    public var stamp: String
    /// The generation the changes are relative to (nil with `replaceAll`). A store whose cache
    /// is of another generation by then (another apply wrote it) forgets its cache instead.
    public var basedOn: String?
    public var config: String
    public var tree: String?
    public var complete: Bool
    /// Replace every file (a cold plan) rather than change some.
    public var replaceAll: Bool
    /// Files to write (new or changed).
    public var upserts: [PlanCache.File]
    /// Paths to forget (gone, or no longer clean).
    public var removals: [String]
    /// Teams left marked as changed, so the next plan compares them again.
    public var unsettled: Set<String>
    /// The store's teams the tree does not declare (`PlanCache.undeclared`), found by the
    /// plan; nil when the plan did not compare them all.
    public var undeclared: Set<String>?

    public init(
        stamp: String = PlanCache.stamp, basedOn: String?, config: String, tree: String?, complete: Bool,
        replaceAll: Bool, upserts: [PlanCache.File], removals: [String], unsettled: Set<String> = []
    ) {
        self.stamp = stamp
        self.basedOn = basedOn
        self.config = config
        self.tree = tree
        self.complete = complete
        self.replaceAll = replaceAll
        self.upserts = upserts
        self.removals = removals
        self.unsettled = unsettled
    }
}

/// Where a source declares a team: the file and the position of its name.
public struct TeamDeclaration: Sendable, Equatable {
    public var slug: String
    public var file: String
    public var position: SourcePosition

    public init(slug: String, file: String, position: SourcePosition) {
        self.slug = slug
        self.file = file
        self.position = position
    }
}

/// This build of Roster.
public enum RosterBuild {
    /// The version `roster --version` prints; part of the plan cache's stamp.
    public static let version = "0.1.0"
}
