// The benchmark behind the README's figures: `swift run -c release RosterBench`.
//
// It makes the reference corpus (10,000 teams x 100 members, a git repository, by
// bench/gen.py) unless one exists, measures libyaml alone scanning the same files on one
// core (the floor), then runs the release `roster validate --repo` on it several times and
// reports the best time, throughput, ratio to the floor and peak memory (the child's
// maximum resident set). Targets are checked and printed, never asserted in unit tests.
import Foundation
import RosterYAML

struct Options {
    var teams = 10_000
    var members = 100
    var users = 200_000
    var runs = 3
    var corpus: String?

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
            default:
                FileHandle.standardError.write(Data("usage: RosterBench [--teams N] [--members N] [--users N] [--runs N] [--corpus DIR]\n".utf8))
                exit(64)
            }
        }
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
var files: [[UInt8]] = []
let enumerator = FileManager.default.enumerator(atPath: corpus)!
while let path = enumerator.nextObject() as? String {
    if path.hasPrefix(".git") { enumerator.skipDescendants(); continue }
    if path.hasSuffix(".yaml") || path.hasSuffix(".yml"), let data = FileManager.default.contents(atPath: corpus + "/" + path) {
        files.append([UInt8](data))
    }
}
let totalBytes = files.reduce(0) { $0 + $1.count }
var floor = Double.infinity
for _ in 0..<options.runs {
    let start = DispatchTime.now()
    var tokens = 0
    for file in files { tokens += file.withUnsafeBytes { YAMLScan.countTokens($0) } ?? 0 }
    floor = min(floor, Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9)
    precondition(tokens > 0)
}
files = []

// 3. roster validate, end to end, as a user runs it.
let roster = packageRoot + "/.build/release/roster"
guard FileManager.default.isExecutableFile(atPath: roster) else {
    fatalError("build the release binary first: swift build -c release --product roster")
}
var best = Double.infinity
var peak = 0
for _ in 0..<options.runs {
    let result = run(roster, ["validate", "--repo", corpus, "--quiet"])
    guard result.status == 0 else { fatalError("roster validate failed with status \(result.status)") }
    best = min(best, result.seconds)
    peak = max(peak, result.maxRSSKiB)
}

// 4. apply to an empty store, then a cold plan against the store that holds that state.
let store = NSTemporaryDirectory() + "roster-bench-\(getpid()).db"
defer { for suffix in ["", "-wal", "-shm", ".key", ".lock"] { try? FileManager.default.removeItem(atPath: store + suffix) } }
let applied = run(roster, ["apply", "--repo", corpus, "--yes", "--quiet", "--store", "sqlite:" + store])
guard applied.status == 0 else { fatalError("roster apply failed with status \(applied.status)") }
var planBest = Double.infinity
var planPeak = 0
for _ in 0..<options.runs {
    let result = run(roster, ["plan", "--repo", corpus, "--quiet", "--detailed-exitcode", "--store", "sqlite:" + store])
    guard result.status == 0 else { fatalError("roster plan found changes after apply (status \(result.status))") }
    planBest = min(planBest, result.seconds)
    planPeak = max(planPeak, result.maxRSSKiB)
}

let megabytes = Double(totalBytes) / 1_000_000
func figure(_ value: Double) -> String { String(format: "%.2f", value) }
print("corpus: \(options.teams) teams x \(options.members) members, \(files.count == 0 ? "" : "")\(figure(megabytes)) MB of YAML, \(ProcessInfo.processInfo.activeProcessorCount) cores")
print("libyaml scan (floor, 1 core): \(figure(floor)) s, \(figure(megabytes / floor)) MB/s")
print("roster validate --repo:       \(figure(best)) s, \(figure(megabytes / best)) MB/s, \(figure(best / floor))x floor, peak \(peak / 1024) MB")
print("roster apply (empty store):   \(figure(applied.seconds)) s, peak \(applied.maxRSSKiB / 1024) MB")
print("roster plan (store holds it):  \(figure(planBest)) s, \(figure(planBest / floor))x floor, peak \(planPeak / 1024) MB")
let targets = [
    ("validate: throughput >= 60 MB/s", megabytes / best >= 60),
    ("validate: time <= 1.6x libyaml floor", best / floor <= 1.6),
    ("validate: peak memory < 400 MB", peak / 1024 < 400),
    ("apply to an empty store < 5 s", applied.seconds < 5),
    ("cold plan <= 2.5x libyaml floor", planBest / floor <= 2.5),
    ("plan: peak memory < 400 MB", planPeak / 1024 < 400),
]
for (name, met) in targets { print("  \(met ? "met " : "MISSED"): \(name)") }
