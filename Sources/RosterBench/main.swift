// The benchmark behind the README's figures: `swift run -c release RosterBench`.
//
// It makes the reference corpus (10,000 teams x 100 members, a git repository, by
// bench/gen.py) unless one exists, measures libyaml alone scanning the same files on one
// core (the floor), then runs the release `roster validate --repo`, `roster apply` to an
// empty store and a cold `roster plan` against that store on it several times each, and
// reports the best time, throughput, ratio to the floor and peak memory (the child's
// maximum resident set). `--only apply` (or any list of floor, validate, apply, plan, copy)
// measures just those. Targets are checked and printed, never asserted in unit tests.
// It measures the `roster` built beside it, so build every product first:
// `swift build -c release --scratch-path S && swift run -c release --scratch-path S RosterBench`.
//
// The store is SQLite (a new file in the temporary folder) unless `--store postgres://…`
// names a PostgreSQL database. That database is DROPPED and recreated before each apply
// run and each copy run, so point it at a throwaway server, never a real one. The client
// tools (`apt-get install postgresql-client`: psql, createdb, dropdb) do that; the user
// must be allowed to create databases. The password comes from the URL or PGPASSWORD and
// reaches roster and the tools only as their PGPASSWORD. A throwaway server, as root:
//
//   mkdir -p /tmp/benchpg && chown postgres /tmp/benchpg && echo benchpw > /tmp/benchpg.pw
//   chmod 644 /tmp/benchpg.pw
//   as_pg() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }
//   as_pg /usr/lib/postgresql/15/bin/initdb -D /tmp/benchpg/data -U roster --pwfile=/tmp/benchpg.pw \
//       --auth=scram-sha-256 -E UTF8 --locale=C --no-sync
//   as_pg /usr/lib/postgresql/15/bin/pg_ctl -D /tmp/benchpg/data -l /tmp/benchpg/log start -o \
//       "-p 55433 -c listen_addresses=127.0.0.1 -k /tmp/benchpg -c shared_buffers=512MB -c max_wal_size=4GB"
//   swift run -c release --scratch-path .build-bench RosterBench \
//       --store postgres://roster:benchpw@127.0.0.1:55433/bench --only floor,apply,plan,copy
//
// (fsync stays on: the figures are for a durable server.) With PostgreSQL, apply fills the
// empty database, plan is cold against what the last apply left, and copy times
// `roster store copy` from a SQLite store of the corpus (made by an untimed apply) into
// the empty database; roster gets a fresh `--secret-key-file` in the temporary folder.
// Peak memory is roster's own: the server's is not in it.
import Foundation
import RosterYAML

struct Options {
    /// What to measure; all (copy only with PostgreSQL) by default.
    enum Measure: String, CaseIterable { case floor, validate, apply, plan, copy }

    var teams = 10_000
    var members = 100
    var users = 200_000
    var runs = 3
    var corpus: String?
    var roster: String?
    /// The PostgreSQL database to measure against; nil for SQLite.
    var postgres: BenchDatabase?
    var measures: Set<Measure> = []

    init(_ arguments: [String]) {
        var only: Set<Measure>?
        var iterator = arguments.makeIterator()
        while let flag = iterator.next() {
            let value = iterator.next() ?? ""
            switch flag {
            case "--teams": teams = Int(value) ?? teams
            case "--members": members = Int(value) ?? members
            case "--users": users = Int(value) ?? users
            case "--runs": runs = max(1, Int(value) ?? runs)
            case "--corpus": corpus = value
            case "--roster": roster = value
            case "--store":
                guard let database = BenchDatabase(url: value) else { Options.usage() }
                guard !database.isSystemDatabase else {
                    FileHandle.standardError.write(Data("--store: the benchmark drops its database; name a throwaway one\n".utf8))
                    exit(64)
                }
                postgres = database
            case "--only":
                let chosen = value.split(separator: ",").compactMap { Measure(rawValue: String($0)) }
                if chosen.isEmpty { Options.usage() }
                only = Set(chosen)
            default: Options.usage()
            }
        }
        // copy moves a SQLite store into PostgreSQL: there is nothing to copy into without one.
        if postgres == nil && only?.contains(.copy) == true { Options.usage() }
        measures = only ?? Set(Measure.allCases.filter { $0 != .copy || postgres != nil })
    }

    static func usage() -> Never {
        FileHandle.standardError.write(Data("""
            usage: RosterBench [--teams N] [--members N] [--users N] [--runs N] [--corpus DIR]
                               [--roster PATH] [--store postgres://USER[:PASSWORD]@HOST[:PORT]/DB]
                               [--only floor,validate,apply,plan,copy]
            --roster: the release binary to measure (default: the roster beside RosterBench,
                      else .build/release/roster)
            --store: measure against this PostgreSQL database, which is DROPPED and recreated
                     between runs (default: a SQLite file); the password may come from PGPASSWORD
            --only: measure just these (plan measures against the store an apply made;
                    copy, SQLite into PostgreSQL, needs --store)

            """.utf8))
        exit(64)
    }
}

let options = Options(Array(CommandLine.arguments.dropFirst()))
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path
let corpus = options.corpus
    ?? NSTemporaryDirectory() + "roster-corpus-\(options.teams)x\(options.members)"

/// Runs `executable` with our environment, or with `environment` in its place; its standard
/// output goes to ours, or nowhere when `discardingOutput`.
@discardableResult
func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, discardingOutput: Bool = false)
    -> (status: Int32, seconds: Double, maxRSSKiB: Int)
{
    var pid: pid_t = 0
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    if discardingOutput { posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0) }
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    let envp = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
    defer { envp?.forEach { free($0) } }
    let start = DispatchTime.now()
    let started = envp.map { posix_spawn(&pid, executable, &actions, nil, argv, $0) }
        ?? posix_spawn(&pid, executable, &actions, nil, argv, environ)
    guard started == 0 else {
        fatalError("cannot start \(executable)")
    }
    var status: Int32 = 0
    var usage = rusage()
    wait4(pid, &status, 0, &usage)
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    return ((status >> 8) & 0xFF, seconds, Int(usage.ru_maxrss))
}

// 1. The corpus.
if !FileManager.default.fileExists(atPath: corpus + "/.git") {
    print("generating \(options.teams) teams x \(options.members) members in \(corpus) ...")
    let generated = run("/usr/bin/env", [
        "python3", packageRoot + "/bench/gen.py", "--teams", "\(options.teams)", "--members", "\(options.members)",
        "--users", "\(options.users)", "--out", corpus,
    ])
    guard generated.status == 0 else { fatalError("bench/gen.py failed") }
}

// 2. The floor: libyaml alone, one core, files already in memory.
var paths: [String] = []
let enumerator = FileManager.default.enumerator(atPath: corpus)!
while let path = enumerator.nextObject() as? String {
    if path.hasPrefix(".git") { enumerator.skipDescendants(); continue }
    if path.hasSuffix(".yaml") || path.hasSuffix(".yml") { paths.append(corpus + "/" + path) }
}
let totalBytes = paths.reduce(0) { total, path in
    total + ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0)
}
var floor: Double?
if options.measures.contains(.floor) {
    let files = paths.compactMap { FileManager.default.contents(atPath: $0).map { [UInt8]($0) } }
    var best = Double.infinity
    for _ in 0..<options.runs {
        let start = DispatchTime.now()
        var tokens = 0
        for file in files { tokens += file.withUnsafeBytes { YAMLScan.countTokens($0) } ?? 0 }
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9)
        precondition(tokens > 0)
    }
    floor = best
}

// The roster of the same build as this benchmark, so a scratch path measures its own binary.
let besideBench = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    .appendingPathComponent("roster").path
let roster = options.roster
    ?? (FileManager.default.isExecutableFile(atPath: besideBench) ? besideBench : packageRoot + "/.build/release/roster")
guard FileManager.default.isExecutableFile(atPath: roster) else {
    fatalError("build the release binary first: swift build -c release --product roster (or pass --roster PATH)")
}

/// The best time and the peak memory of `runs` runs of roster with `arguments`, each after `prepare`.
func measure(_ arguments: [String], expecting status: Int32 = 0, prepare: () -> Void = {}) -> (seconds: Double, peakMiB: Int) {
    var best = Double.infinity
    var peak = 0
    for _ in 0..<options.runs {
        prepare()
        let result = run(roster, arguments, environment: options.postgres?.environment, discardingOutput: true)
        guard result.status == status else { fatalError("roster \(arguments[0]) exited with status \(result.status)") }
        best = min(best, result.seconds)
        peak = max(peak, result.maxRSSKiB / 1024)
    }
    return (best, peak)
}

// 3. roster validate, end to end, as a user runs it.
let validated = options.measures.contains(.validate) ? measure(["validate", "--repo", corpus, "--quiet"]) : nil

// 4. apply to an empty store (a new one each run), then a cold plan against the store that
// holds that state; with PostgreSQL, then a copy of a SQLite store into an empty database.
let store = NSTemporaryDirectory() + "roster-bench-\(getpid()).db"
func removeStore() {
    for suffix in ["", "-wal", "-shm", ".key", ".lock"] { try? FileManager.default.removeItem(atPath: store + suffix) }
}
let postgres = options.postgres
let keyFile = NSTemporaryDirectory() + "roster-bench-\(getpid()).key"
defer {
    removeStore()
    postgres?.drop()
    try? FileManager.default.removeItem(atPath: keyFile)
}
// Asked first, so a server that does not answer stops the benchmark before any run.
let serverVersion = postgres?.serverVersion()
/// The store under test, empty.
func emptyStore() {
    if let postgres { postgres.recreate() } else { removeStore() }
}
let storeURL = postgres?.url ?? "sqlite:" + store
var applied: (seconds: Double, peakMiB: Int)?
var planned: (seconds: Double, peakMiB: Int)?
var copied: (seconds: Double, peakMiB: Int)?
var storeBytes = 0
if options.measures.contains(.apply) || options.measures.contains(.plan) {
    // Invitation links need a key; a PostgreSQL store has no file beside it to keep one in.
    let key = postgres == nil ? [] : ["--secret-key-file", keyFile]
    let apply = ["apply", "--repo", corpus, "--yes", "--quiet", "--store", storeURL] + key
    if options.measures.contains(.apply) {
        applied = measure(apply, prepare: emptyStore)
    } else {
        emptyStore()
        guard run(roster, apply, environment: postgres?.environment).status == 0 else { fatalError("roster apply failed") }
    }
    storeBytes = postgres?.sizeBytes() ?? (try? FileManager.default.attributesOfItem(atPath: store)[.size] as? Int) ?? 0
    if options.measures.contains(.plan) {
        planned = measure(["plan", "--repo", corpus, "--quiet", "--detailed-exitcode", "--store", storeURL])
    }
}
if let postgres, options.measures.contains(.copy) {
    // The source: the corpus applied to a SQLite store, untimed.
    removeStore()
    guard run(roster, ["apply", "--repo", corpus, "--yes", "--quiet", "--store", "sqlite:" + store]).status == 0 else {
        fatalError("roster apply to the SQLite source of the copy failed")
    }
    copied = measure(["store", "copy", "--from", "sqlite:" + store, "--to", postgres.url, "--quiet"], prepare: postgres.recreate)
}

let megabytes = Double(totalBytes) / 1_000_000
func figure(_ value: Double) -> String { String(format: "%.2f", value) }
print("corpus: \(options.teams) teams x \(options.members) members, \(figure(megabytes)) MB of YAML, \(ProcessInfo.processInfo.activeProcessorCount) cores, best of \(options.runs)")
if let postgres, let serverVersion { print("store: PostgreSQL \(serverVersion), \(postgres.url)") }
var targets: [(String, Bool)] = []
if let floor {
    print("libyaml scan (floor, 1 core): \(figure(floor)) s, \(figure(megabytes / floor)) MB/s")
}
if let validated {
    let ratio = floor.map { ", \(figure(validated.seconds / $0))x floor" } ?? ""
    print("roster validate --repo:       \(figure(validated.seconds)) s, \(figure(megabytes / validated.seconds)) MB/s\(ratio), peak \(validated.peakMiB) MB")
    targets.append(("validate: throughput >= 60 MB/s", megabytes / validated.seconds >= 60))
    if let floor { targets.append(("validate: time <= 1.6x libyaml floor", validated.seconds / floor <= 1.6)) }
    targets.append(("validate: peak memory < 400 MB", validated.peakMiB < 400))
}
if let applied, postgres == nil {
    print("roster apply (empty store):   \(figure(applied.seconds)) s, peak \(applied.peakMiB) MB, store \(storeBytes / 1_000_000) MB")
    targets.append(("apply to an empty store < 5 s", applied.seconds < 5))
}
if let planned, postgres == nil {
    let ratio = floor.map { ", \(figure(planned.seconds / $0))x floor" } ?? ""
    print("roster plan (store holds it):  \(figure(planned.seconds)) s\(ratio), peak \(planned.peakMiB) MB")
    if let floor { targets.append(("cold plan <= 2.5x libyaml floor", planned.seconds / floor <= 2.5)) }
    targets.append(("plan: peak memory < 400 MB", planned.peakMiB < 400))
}
if postgres != nil {
    // PostgreSQL's own targets: a network round trip per statement, and a server to feed.
    func report(_ label: String, _ result: (seconds: Double, peakMiB: Int), _ extra: String = "") {
        let ratio = floor.map { ", \(figure(result.seconds / $0))x floor" } ?? ""
        print(label.padding(toLength: 40, withPad: " ", startingAt: 0) + "\(figure(result.seconds)) s\(ratio), peak \(result.peakMiB) MB" + extra)
    }
    if let applied {
        report("roster apply (empty PostgreSQL db):", applied, ", database \(storeBytes / 1_000_000) MB")
        targets.append(("PostgreSQL apply to an empty database < 12 s", applied.seconds < 12))
        targets.append(("apply: peak memory < 500 MB", applied.peakMiB < 500))
    }
    if let planned {
        report("roster plan (PostgreSQL holds it):", planned)
        if let floor { targets.append(("PostgreSQL cold plan <= 3x libyaml floor", planned.seconds / floor <= 3)) }
        targets.append(("plan: peak memory < 500 MB", planned.peakMiB < 500))
    }
    if let copied {
        report("roster store copy SQLite -> PostgreSQL:", copied)
        targets.append(("store copy SQLite -> PostgreSQL < 30 s", copied.seconds < 30))
        targets.append(("copy: peak memory < 500 MB", copied.peakMiB < 500))
    }
}
for (name, met) in targets { print("  \(met ? "met " : "MISSED"): \(name)") }
