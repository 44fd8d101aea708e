// The benchmark behind the README's figures:
// `swift build -c release --static-swift-stdlib --product roster && swift run -c release --static-swift-stdlib RosterBench`
// (the Swift runtime linked in, as the Dockerfile and the example workflow build roster).
//
// It makes the reference corpus (10,000 teams x 100 members, a git repository, by
// bench/gen.py) unless one exists, measures libyaml alone scanning the same files on one
// core (the floor), then runs the release `roster validate --repo`, `roster apply` to an
// empty store and a cold `roster plan` against that store on it several times each, and
// reports the best time, throughput, ratio to the floor and peak memory (the child's
// maximum resident set). The plan is made cold with `--no-cache` when the roster measured
// lists that flag in `plan --help` (before the plan cache exists every plan is cold).
//
// Issue 10's measures of the incremental planner come after it, against the same store:
// `plan-unchanged` plans the applied commit again; `plan-mutated` plans a copy of the
// corpus repository with one more commit by `bench/gen.py --mutate 1.0` (1% of the teams
// changed); `diff` runs `roster diff --base <applied commit> --head <mutated commit>`.
// Each is reported as a ratio to the floor of the same run, against its target.
//
// `--only apply` (or any list of floor, validate, apply, plan, plan-unchanged,
// plan-mutated, diff, copy) measures just those. `--scale 30000` then measures floor,
// validate, apply and cold plan again on a corpus of 30,000 teams (3,000,000 memberships)
// and compares the figures per membership with the first corpus's (see `printScaling`).
// Targets are checked and printed, never asserted in unit tests.
// It measures the `roster` built beside it, so build that product first:
// `swift build -c release --static-swift-stdlib --scratch-path S --product roster &&
// swift run -c release --static-swift-stdlib --scratch-path S RosterBench`.
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
// the empty database; roster gets a fresh key file in the temporary folder (`ROSTER_SECRET_KEY_FILE`).
// Peak memory is roster's own: the server's is not in it.
import Foundation
import RosterYAML

struct Options {
    /// What to measure; all (copy only with PostgreSQL) by default.
    enum Measure: String, CaseIterable {
        case floor, validate, apply, plan
        case planUnchanged = "plan-unchanged", planMutated = "plan-mutated", diff, copy
    }

    var teams = 10_000
    var members = 100
    var users = 200_000
    var runs = 3
    var corpus: String?
    var roster: String?
    /// The PostgreSQL database to measure against; nil for SQLite.
    var postgres: BenchDatabase?
    var measures: Set<Measure> = []
    /// Teams of the larger corpus measured after the first (`--scale`), compared per membership.
    var scaleTeams: Int?

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
            case "--scale":
                guard let count = Int(value), count > 0 else { Options.usage() }
                scaleTeams = count
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
                               [--only floor,validate,apply,plan,plan-unchanged,plan-mutated,diff,copy]
                               [--scale TEAMS]
            --roster: the release binary to measure (default: the roster beside RosterBench,
                      else .build/release/roster)
            --store: measure against this PostgreSQL database, which is DROPPED and recreated
                     between runs (default: a SQLite file); the password may come from PGPASSWORD
            --only: measure just these (plans measure against the store an apply made;
                    copy, SQLite into PostgreSQL, needs --store)
            --scale: then measure floor, validate, apply and plan on a corpus of TEAMS teams
                     (users in proportion) and compare the figures per membership

            """.utf8))
        exit(64)
    }
}

let options = Options(Array(CommandLine.arguments.dropFirst()))
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// The generated corpus of `teams` teams, in the temporary folder.
func corpusPath(teams: Int) -> String { NSTemporaryDirectory() + "roster-corpus-\(teams)x\(options.members)" }

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

/// The standard output of a short helper command (git, roster --help, psql), trimmed; its
/// errors pass through to ours, and a failure stops the benchmark.
func output(of executable: String, _ arguments: [String], environment: [String: String]? = nil) -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    let pipe = Pipe()
    process.standardOutput = pipe
    do { try process.run() } catch { fatalError("cannot run \(executable)") }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        fatalError("\(executable) \(arguments.joined(separator: " ")) failed (status \(process.terminationStatus))")
    }
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}

/// Makes the corpus at `path` with bench/gen.py unless it exists.
func ensureCorpus(_ path: String, teams: Int, users: Int) {
    guard !FileManager.default.fileExists(atPath: path + "/.git") else { return }
    print("generating \(teams) teams x \(options.members) members in \(path) ...")
    let generated = run("/usr/bin/env", [
        "python3", packageRoot + "/bench/gen.py", "--teams", "\(teams)", "--members", "\(options.members)",
        "--users", "\(users)", "--out", path,
    ])
    guard generated.status == 0 else { fatalError("bench/gen.py failed") }
}

/// The manifest files of a corpus's work tree.
func manifestPaths(_ corpus: String) -> [String] {
    var paths: [String] = []
    let enumerator = FileManager.default.enumerator(atPath: corpus)!
    while let path = enumerator.nextObject() as? String {
        if path.hasPrefix(".git") { enumerator.skipDescendants(); continue }
        if path.hasSuffix(".yaml") || path.hasSuffix(".yml") { paths.append(corpus + "/" + path) }
    }
    return paths
}

/// The floor: libyaml alone, one core, files already in memory; the best of the runs.
func floorSeconds(_ paths: [String]) -> Double {
    let files = paths.compactMap { FileManager.default.contents(atPath: $0).map { [UInt8]($0) } }
    var best = Double.infinity
    for _ in 0..<options.runs {
        let start = DispatchTime.now()
        var tokens = 0
        for file in files { tokens += file.withUnsafeBytes { YAMLScan.countTokens($0) } ?? 0 }
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9)
        precondition(tokens > 0)
    }
    return best
}

// The roster of the same build as this benchmark, so a scratch path measures its own binary.
let besideBench = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    .appendingPathComponent("roster").path
let roster = options.roster
    ?? (FileManager.default.isExecutableFile(atPath: besideBench) ? besideBench : packageRoot + "/.build/release/roster")
guard FileManager.default.isExecutableFile(atPath: roster) else {
    fatalError(
        "build the release binary first: swift build -c release --static-swift-stdlib --product roster (or pass --roster PATH)")
}
/// Whether this roster has the plan cache: then the cold plan is asked for with `--no-cache`.
let hasPlanCache = output(of: roster, ["plan", "--help"]).contains("--no-cache")

/// A measured command: its best time and the peak memory of all its runs.
typealias Timing = (seconds: Double, peakMiB: Int)

/// The best time and the peak memory of `runs` runs of roster with `arguments`, each after `prepare`.
func measure(_ arguments: [String], expecting status: Int32 = 0, prepare: () -> Void = {}) -> Timing {
    var best = Double.infinity
    var peak = 0
    for _ in 0..<options.runs {
        prepare()
        let result = run(roster, arguments, environment: rosterEnvironment, discardingOutput: true)
        guard result.status == status else { fatalError("roster \(arguments[0]) exited with status \(result.status)") }
        best = min(best, result.seconds)
        peak = max(peak, result.maxRSSKiB / 1024)
    }
    return (best, peak)
}

let store = NSTemporaryDirectory() + "roster-bench-\(getpid()).db"
/// The corpus copy with one more commit, 1% of its teams changed (`plan-mutated`, `diff`).
let mutatedCorpus = NSTemporaryDirectory() + "roster-bench-\(getpid())-mutated"
func removeStore() {
    for suffix in ["", "-wal", "-shm", ".key", ".lock"] { try? FileManager.default.removeItem(atPath: store + suffix) }
}
let postgres = options.postgres
let keyFile = NSTemporaryDirectory() + "roster-bench-\(getpid()).key"
defer {
    removeStore()
    postgres?.drop()
    try? FileManager.default.removeItem(atPath: keyFile)
    try? FileManager.default.removeItem(atPath: mutatedCorpus)
}
// Asked first, so a server that does not answer stops the benchmark before any run.
let serverVersion = postgres?.serverVersion()
/// The store under test, empty.
func emptyStore() {
    if let postgres { postgres.recreate() } else { removeStore() }
}
let storeURL = postgres?.url ?? "sqlite:" + store
// Invitation links need a key; a PostgreSQL store has no file beside it to keep one in. It
// is named by the environment, as every command that opens the store reads it (only invite
// and serve have `--secret-key-file`).
let rosterEnvironment: [String: String]? = postgres.map { postgres in
    var environment = postgres.environment
    environment["ROSTER_SECRET_KEY_FILE"] = keyFile
    return environment
}

/// Clones `corpus` (git hard-links the objects) and commits `gen.py --mutate 1.0` there:
/// the commit the corpus's HEAD is and the one with 1% of the teams changed.
func makeMutatedCopy(of corpus: String, users: Int) -> (base: String, head: String) {
    try? FileManager.default.removeItem(atPath: mutatedCorpus)
    _ = output(of: "/usr/bin/env", ["git", "clone", "-q", corpus, mutatedCorpus])
    _ = output(of: "/usr/bin/env", [
        "python3", packageRoot + "/bench/gen.py", "--mutate", "1.0", "--users", "\(users)", "--out", mutatedCorpus,
    ])
    let base = output(of: "/usr/bin/env", ["git", "-C", corpus, "rev-parse", "HEAD"])
    let head = output(of: "/usr/bin/env", ["git", "-C", mutatedCorpus, "rev-parse", "HEAD"])
    guard output(of: "/usr/bin/env", ["git", "-C", mutatedCorpus, "rev-parse", "HEAD~1"]) == base else {
        fatalError("the mutated copy of \(corpus) does not start from its HEAD")
    }
    return (base, head)
}

/// What one corpus measured.
struct Figures {
    var teams: Int
    var bytes = 0
    var floor: Double?
    var validated: Timing?
    var applied: Timing?
    var planned: Timing?
    var unchanged: Timing?
    var mutated: Timing?
    var diffed: Timing?
    var copied: Timing?
    var storeBytes = 0
    var memberships: Int { teams * options.members }
    var megabytes: Double { Double(bytes) / 1_000_000 }
}

/// Measures `measures` on the corpus at `corpus`: floor, validate, then apply to an empty
/// store (a new one each run), the incremental plans against the store that holds that
/// state, and a cold plan; with PostgreSQL, then a copy of a SQLite store into an empty database.
func benchmark(_ corpus: String, teams: Int, users: Int, measures: Set<Options.Measure>) -> Figures {
    ensureCorpus(corpus, teams: teams, users: users)
    var figures = Figures(teams: teams)
    let paths = manifestPaths(corpus)
    figures.bytes = paths.reduce(0) { total, path in
        total + ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0)
    }
    if measures.contains(.floor) { figures.floor = floorSeconds(paths) }

    // roster validate, end to end, as a user runs it.
    if measures.contains(.validate) { figures.validated = measure(["validate", "--repo", corpus, "--quiet"]) }

    let mutation = measures.contains(.planMutated) || measures.contains(.diff)
        ? makeMutatedCopy(of: corpus, users: users) : nil
    let planning: Set<Options.Measure> = [.apply, .plan, .planUnchanged, .planMutated]
    if !measures.isDisjoint(with: planning) {
        let apply = ["apply", "--repo", corpus, "--yes", "--quiet", "--store", storeURL]
        if measures.contains(.apply) {
            figures.applied = measure(apply, prepare: emptyStore)
        } else {
            emptyStore()
            guard run(roster, apply, environment: rosterEnvironment).status == 0 else { fatalError("roster apply failed") }
        }
        figures.storeBytes = postgres?.sizeBytes()
            ?? (try? FileManager.default.attributesOfItem(atPath: store)[.size] as? Int) ?? 0
        // The incremental plans first, right after the apply: the cold plan must not be what
        // warms them (it is asked not to use the cache, whatever it does to it).
        let plan = ["plan", "--quiet", "--detailed-exitcode", "--store", storeURL]
        if measures.contains(.planUnchanged) { figures.unchanged = measure(plan + ["--repo", corpus]) }
        if measures.contains(.planMutated) {
            figures.mutated = measure(plan + ["--repo", mutatedCorpus], expecting: 2)
        }
        if measures.contains(.plan) {
            figures.planned = measure(plan + ["--repo", corpus] + (hasPlanCache ? ["--no-cache"] : []))
        }
    }
    if let mutation, measures.contains(.diff) {
        figures.diffed = measure(
            ["diff", "--repo", mutatedCorpus, "--base", mutation.base, "--head", mutation.head, "--quiet",
             "--detailed-exitcode"], expecting: 2)
    }
    if let postgres, measures.contains(.copy) {
        // The source: the corpus applied to a SQLite store, untimed.
        removeStore()
        guard run(roster, ["apply", "--repo", corpus, "--yes", "--quiet", "--store", "sqlite:" + store]).status == 0 else {
            fatalError("roster apply to the SQLite source of the copy failed")
        }
        figures.copied = measure(
            ["store", "copy", "--from", "sqlite:" + store, "--to", postgres.url, "--quiet"], prepare: postgres.recreate)
    }
    return figures
}

func figure(_ value: Double) -> String { String(format: "%.2f", value) }
/// A time or a ratio to the floor, to the millisecond or the thousandth: a target is checked on
/// the exact figure, and 0.05 printed for a missed 0.052 said nothing.
func precise(_ value: Double) -> String { String(format: "%.3f", value) }
var targets: [(String, Bool)] = []

/// Prints one corpus's figures and adds their targets.
@MainActor func printFigures(_ figures: Figures) {
    // The targets are the reference corpus's: the larger one is held to the first's figures
    // per membership instead (`printScaling`).
    let firstTarget = targets.count
    defer { if figures.teams != options.teams { targets.removeSubrange(firstTarget...) } }
    let floor = figures.floor
    let megabytes = figures.megabytes
    func ratio(_ timing: Timing) -> String { floor.map { ", \(precise(timing.seconds / $0))x floor" } ?? "" }
    /// A ratio-to-floor target, checked only when the floor was measured.
    func target(_ name: String, _ timing: Timing, atMost limit: Double) {
        if let floor { targets.append(("\(name) <= \(limit)x libyaml floor", timing.seconds / floor <= limit)) }
    }
    func report(_ label: String, _ timing: Timing, _ extra: String = "") {
        // Padded to line the figures up; a longer label keeps a space before its figure.
        print(label.padding(toLength: max(40, label.count + 1), withPad: " ", startingAt: 0)
            + "\(precise(timing.seconds)) s\(ratio(timing)), peak \(timing.peakMiB) MB" + extra)
    }
    print("corpus: \(figures.teams) teams x \(options.members) members, \(figure(megabytes)) MB of YAML, \(ProcessInfo.processInfo.activeProcessorCount) cores, best of \(options.runs)")
    if let postgres, let serverVersion { print("store: PostgreSQL \(serverVersion), \(postgres.url)") }
    if let floor {
        print("libyaml scan (floor, 1 core):".padding(toLength: 40, withPad: " ", startingAt: 0)
            + "\(precise(floor)) s, \(figure(megabytes / floor)) MB/s")
    }
    if let validated = figures.validated {
        report("roster validate --repo:", validated, ", \(figure(megabytes / validated.seconds)) MB/s")
        targets.append(("validate: throughput >= 60 MB/s", megabytes / validated.seconds >= 60))
        target("validate: time", validated, atMost: 1.0)
        targets.append(("validate: peak memory < 400 MB", validated.peakMiB < 400))
    }
    if let applied = figures.applied {
        if postgres == nil {
            report("roster apply (empty store):", applied, ", store \(figures.storeBytes / 1_000_000) MB")
            targets.append(("apply to an empty store < 5 s", applied.seconds < 5))
            target("apply to an empty store", applied, atMost: 4)
        } else {
            // PostgreSQL's own targets: a network round trip per statement, and a server to feed.
            report("roster apply (empty PostgreSQL db):", applied, ", database \(figures.storeBytes / 1_000_000) MB")
            targets.append(("PostgreSQL apply to an empty database < 12 s", applied.seconds < 12))
            targets.append(("apply: peak memory < 500 MB", applied.peakMiB < 500))
        }
    }
    if let planned = figures.planned {
        let cold = hasPlanCache ? " --no-cache" : ""
        if postgres == nil {
            report("roster plan\(cold) (cold):", planned)
            target("cold plan", planned, atMost: 1.6)
            targets.append(("cold plan: peak memory < 300 MB", planned.peakMiB < 300))
        } else {
            report("roster plan\(cold) (PostgreSQL, cold):", planned)
            target("PostgreSQL cold plan", planned, atMost: 3)
            targets.append(("plan: peak memory < 500 MB", planned.peakMiB < 500))
        }
    }
    if let unchanged = figures.unchanged {
        report("roster plan, nothing changed:", unchanged)
        target("plan-unchanged", unchanged, atMost: 0.05)
    }
    if let mutated = figures.mutated {
        report("roster plan, 1% of teams changed:", mutated)
        target("plan-mutated", mutated, atMost: 0.15)
    }
    if let diffed = figures.diffed {
        report("roster diff, 1% of teams changed:", diffed)
        target("diff", diffed, atMost: 0.15)
    }
    if let copied = figures.copied {
        report("roster store copy SQLite -> PostgreSQL:", copied)
        targets.append(("store copy SQLite -> PostgreSQL < 30 s", copied.seconds < 30))
        targets.append(("copy: peak memory < 500 MB", copied.peakMiB < 500))
    }
}

/// Compares the larger corpus with the first, per membership: each command's time per
/// membership, as a ratio to the floor's time for the same YAML when both floors were
/// measured (the machine's speed drifts between the two halves of a run), must stay within
/// 15% of the first corpus's; its peak memory may grow as much as the corpus does, no more.
@MainActor func printScaling(base: Figures, scaled: Figures) {
    let growth = Double(scaled.bytes) / Double(base.bytes)
    print("scaling: \(scaled.memberships) memberships against \(base.memberships) (corpus x\(figure(growth)))")
    func compare(_ name: String, _ first: Timing?, _ second: Timing?) {
        guard let first, let second else { return }
        let perFirst = first.seconds / Double(base.memberships) * 1e6
        let perSecond = second.seconds / Double(scaled.memberships) * 1e6
        var ratio = perSecond / perFirst
        var unit = "per membership"
        if let floorFirst = base.floor, let floorSecond = scaled.floor {
            // Both in floor units: seconds per floor-second of the same corpus.
            ratio = (second.seconds / floorSecond) / (first.seconds / floorFirst) * (Double(scaled.bytes) / Double(base.bytes))
                / (Double(scaled.memberships) / Double(base.memberships))
            unit = "per membership, against the floor"
        }
        let memory = Double(second.peakMiB) / Double(max(first.peakMiB, 1))
        print("  \(name.padding(toLength: 9, withPad: " ", startingAt: 0)) \(figure(perFirst)) -> \(figure(perSecond)) us per membership, "
            + "x\(precise(ratio)) \(unit); peak \(first.peakMiB) -> \(second.peakMiB) MB (x\(figure(memory)))")
        targets.append(("\(name) at \(scaled.memberships) memberships: within 15% of \(base.memberships) \(unit)", ratio <= 1.15))
        targets.append(("\(name) at \(scaled.memberships) memberships: memory grows no faster than the corpus", memory <= growth))
    }
    compare("validate", base.validated, scaled.validated)
    compare("apply", base.applied, scaled.applied)
    compare("plan", base.planned, scaled.planned)
}

let first = benchmark(
    options.corpus ?? corpusPath(teams: options.teams), teams: options.teams, users: options.users,
    measures: options.measures)
printFigures(first)
if let scaleTeams = options.scaleTeams {
    let scaled = benchmark(
        corpusPath(teams: scaleTeams), teams: scaleTeams, users: options.users * scaleTeams / options.teams,
        measures: options.measures.intersection([.floor, .validate, .apply, .plan]))
    printFigures(scaled)
    printScaling(base: first, scaled: scaled)
}
for (name, met) in targets { print("  \(met ? "met " : "MISSED"): \(name)") }
