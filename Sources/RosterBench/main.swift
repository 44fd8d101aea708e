// The benchmark behind the README's figures: `swift run -c release RosterBench`.
//
// It makes the reference corpus (10,000 teams x 100 members, a git repository, by
// bench/gen.py) unless one exists, measures libyaml alone scanning the same files on one
// core (the floor), then runs the release `roster validate --repo`, `roster apply` to an
// empty store and a cold `roster plan` against that store on it several times each, and
// reports the best time, throughput, ratio to the floor and peak memory (the child's
// maximum resident set). `--only apply` (or any list of floor, validate, apply, plan)
// measures just those. Targets are checked and printed, never asserted in unit tests.
import Foundation
import RosterYAML

struct Options {
    /// What to measure; `all` by default.
    enum Measure: String, CaseIterable { case floor, validate, apply, plan }

    var teams = 10_000
    var members = 100
    var users = 200_000
    var runs = 3
    var corpus: String?
    var roster: String?
    var measures = Set(Measure.allCases)

    init(_ arguments: [String]) {
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
            case "--only":
                let chosen = value.split(separator: ",").compactMap { Measure(rawValue: String($0)) }
                if chosen.isEmpty { Options.usage() }
                measures = Set(chosen)
            default: Options.usage()
            }
        }
    }

    static func usage() -> Never {
        FileHandle.standardError.write(Data("""
            usage: RosterBench [--teams N] [--members N] [--users N] [--runs N] [--corpus DIR]
                               [--roster PATH] [--only floor,validate,apply,plan]
            --roster: the release binary to measure (default: .build/release/roster)
            --only: measure just these (plan measures against the store an apply made)

            """.utf8))
        exit(64)
    }
}

let options = Options(Array(CommandLine.arguments.dropFirst()))
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path
let corpus = options.corpus
    ?? NSTemporaryDirectory() + "roster-corpus-\(options.teams)x\(options.members)"

@discardableResult
func run(_ executable: String, _ arguments: [String]) -> (status: Int32, seconds: Double, maxRSSKiB: Int) {
    var pid: pid_t = 0
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    let start = DispatchTime.now()
    guard posix_spawn(&pid, executable, nil, nil, argv, environ) == 0 else {
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

let roster = options.roster ?? packageRoot + "/.build/release/roster"
guard FileManager.default.isExecutableFile(atPath: roster) else {
    fatalError("build the release binary first: swift build -c release --product roster (or pass --roster PATH)")
}

/// The best time and the peak memory of `runs` runs of roster with `arguments`, each after `prepare`.
func measure(_ arguments: [String], expecting status: Int32 = 0, prepare: () -> Void = {}) -> (seconds: Double, peakMiB: Int) {
    var best = Double.infinity
    var peak = 0
    for _ in 0..<options.runs {
        prepare()
        let result = run(roster, arguments)
        guard result.status == status else { fatalError("roster \(arguments[0]) exited with status \(result.status)") }
        best = min(best, result.seconds)
        peak = max(peak, result.maxRSSKiB / 1024)
    }
    return (best, peak)
}

// 3. roster validate, end to end, as a user runs it.
let validated = options.measures.contains(.validate) ? measure(["validate", "--repo", corpus, "--quiet"]) : nil

// 4. apply to an empty store (a new one each run), then a cold plan against the store that
// holds that state.
let store = NSTemporaryDirectory() + "roster-bench-\(getpid()).db"
func removeStore() {
    for suffix in ["", "-wal", "-shm", ".key", ".lock"] { try? FileManager.default.removeItem(atPath: store + suffix) }
}
defer { removeStore() }
var applied: (seconds: Double, peakMiB: Int)?
var planned: (seconds: Double, peakMiB: Int)?
var storeBytes = 0
if options.measures.contains(.apply) || options.measures.contains(.plan) {
    let apply = ["apply", "--repo", corpus, "--yes", "--quiet", "--store", "sqlite:" + store]
    if options.measures.contains(.apply) {
        applied = measure(apply, prepare: removeStore)
    } else {
        removeStore()
        guard run(roster, apply).status == 0 else { fatalError("roster apply failed") }
    }
    storeBytes = (try? FileManager.default.attributesOfItem(atPath: store)[.size] as? Int) ?? 0
    if options.measures.contains(.plan) {
        planned = measure(["plan", "--repo", corpus, "--quiet", "--detailed-exitcode", "--store", "sqlite:" + store])
    }
}

let megabytes = Double(totalBytes) / 1_000_000
func figure(_ value: Double) -> String { String(format: "%.2f", value) }
print("corpus: \(options.teams) teams x \(options.members) members, \(figure(megabytes)) MB of YAML, \(ProcessInfo.processInfo.activeProcessorCount) cores, best of \(options.runs)")
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
if let applied {
    print("roster apply (empty store):   \(figure(applied.seconds)) s, peak \(applied.peakMiB) MB, store \(storeBytes / 1_000_000) MB")
    targets.append(("apply to an empty store < 5 s", applied.seconds < 5))
}
if let planned {
    let ratio = floor.map { ", \(figure(planned.seconds / $0))x floor" } ?? ""
    print("roster plan (store holds it):  \(figure(planned.seconds)) s\(ratio), peak \(planned.peakMiB) MB")
    if let floor { targets.append(("cold plan <= 2.5x libyaml floor", planned.seconds / floor <= 2.5)) }
    targets.append(("plan: peak memory < 400 MB", planned.peakMiB < 400))
}
for (name, met) in targets { print("  \(met ? "met " : "MISSED"): \(name)") }
