import Dispatch
import Foundation
import RosterCore
import RosterYAML

/// What must hold for any bytes at all given to Roster as a manifest, checked by the
/// fuzzer (Fuzz/) and replayed over every input it ever found by the unit tests:
/// - nothing crashes (a trap is the fuzzer's finding);
/// - every position — of a YAML event, a YAML error, a diagnostic in that file — exists
///   in the file: line ≤ its number of lines, column ≤ that line's length + 1;
/// - the text and GitHub renderings have exactly one line per diagnostic (a suggestion's
///   own lines indented below it), and no line of the text, the text plan or the Markdown
///   plan holds a control character (`PrintableText.isControl`);
/// - the text plan is one line per change plus headers and the summary, and the Markdown
///   plan one line per change inside its code blocks: a value never makes a line of its own.
public enum ManifestInvariants {
    /// An input: `[file name NUL] manifest [NUL roster.yaml]`. Without a NUL the whole input
    /// is the manifest `teams/fuzz.yaml`; with one, what comes before it names the file, so
    /// file names with newlines and escapes are tried too.
    public struct Input: Sendable {
        public var path: String
        public var manifest: [UInt8]
        public var config: [UInt8]?

        public init(_ bytes: some Collection<UInt8>) {
            let parts = bytes.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
            if parts.count == 1 {
                path = "teams/fuzz.yaml"
                manifest = Array(bytes)
            } else {
                path = "teams/" + String(decoding: parts[0], as: UTF8.self) + ".yaml"
                manifest = Array(parts[1])
                config = parts.count > 2 ? Array(parts[2]) : nil
            }
        }

        /// The files of the source: the manifest, and `roster.yaml` when there is one.
        public var files: [String: [UInt8]] {
            var files = [path: manifest]
            if let config { files[RosterConfig.fileName] = config }
            return files
        }
    }

    /// The invariants that do not hold for `bytes`, as sentences; empty when all hold.
    public static func violations(_ bytes: some Collection<UInt8>) async -> [String] {
        let input = Input(bytes)
        let files = input.files
        let result = try! await ManifestLoader().load(from: MemorySource(files: files))
        return readerViolations(input.manifest) + violations(result, files: files)
    }

    /// `violations` for a caller that cannot wait (libFuzzer's entry point, a C function on
    /// its own thread): blocks until the load is done. Never call it from a task.
    public static func violationsBlocking(_ bytes: some Collection<UInt8>) -> [String] {
        let input = Input(bytes)
        let files = input.files
        return readerViolations(input.manifest) + violations(loadBlocking(MemorySource(files: files)), files: files)
    }

    static func violations(_ result: LoadResult, files: [String: [UInt8]]) -> [String] {
        var problems: [String] = []
        problems += positionViolations(result.diagnostics, files: files)
        problems += renderingViolations(result.diagnostics)
        problems += planViolations(result)
        return problems
    }

    /// Every event's and the error's position is inside the file.
    static func readerViolations(_ bytes: [UInt8]) -> [String] {
        let content = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        let lengths = content.withUnsafeBytes { YAMLMark.lineLengths(of: $0) }
        let reader = YAMLEventReader(bytes: bytes)
        var problems: [String] = []
        do {
            while let event = try reader.next() {
                if let problem = outside(event.mark.line, event.mark.column, lengths) {
                    problems.append("event \(event.kind) at \(event.mark.line):\(event.mark.column): \(problem)")
                }
            }
        } catch {
            if let problem = outside(error.mark.line, error.mark.column, lengths) {
                problems.append("YAML error \"\(error.message)\" at \(error.mark.line):\(error.mark.column): \(problem)")
            }
        }
        return problems
    }

    static func positionViolations(_ diagnostics: [Diagnostic], files: [String: [UInt8]]) -> [String] {
        var problems: [String] = []
        for diagnostic in diagnostics {
            guard let bytes = files[diagnostic.file] else { continue }
            let content = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
            let lengths = content.withUnsafeBytes { YAMLMark.lineLengths(of: $0) }
            if let problem = outside(diagnostic.line, diagnostic.column, lengths) {
                problems.append("diagnostic \"\(diagnostic.message)\" at \(diagnostic.line):\(diagnostic.column): \(problem)")
            }
        }
        return problems
    }

    static func renderingViolations(_ diagnostics: [Diagnostic]) -> [String] {
        var problems: [String] = []
        let lines = DiagnosticRenderer.text(diagnostics, color: false).split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        let heads = lines.filter { !$0.hasPrefix("  ") }.count
        if heads != diagnostics.count {
            problems.append("the text has \(heads) diagnostic lines for \(diagnostics.count) diagnostics")
        }
        problems += controlViolations(lines, in: "diagnostic text")
        let github = DiagnosticRenderer.github(diagnostics).utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast()
        if github.count != diagnostics.count {
            problems.append("the GitHub annotations have \(github.count) lines for \(diagnostics.count) diagnostics")
        }
        return problems
    }

    /// Plans the teams against an empty store (every team created) and against a store
    /// where each differs (display name, limit, an extra member and invitation), and checks
    /// the text and Markdown plans.
    static func planViolations(_ result: LoadResult) -> [String] {
        guard result.isValid else { return [] }
        let rules = PlanRules(result.config, now: .distantPast)
        var other = CurrentState(version: 7)
        for team in result.teams {
            var members: [Email: Role] = [:]
            for member in team.members { members[member.email] = member.role == .admin ? .admin : .basic }
            members[Email(normalized: "gone@example.com")] = .dev
            other.teams[team.slug] = TeamState(
                slug: team.slug, displayName: "Old name", owner: team.owner, spendLimit: SpendLimit(cents: 1),
                ceiling: SpendLimit(cents: 100_000_000), members: members,
                invitations: [Email(normalized: "invited@example.com"): .dev])
        }
        var problems: [String] = []
        for current in [CurrentState(), other] {
            let plan = Planner.plan(desired: result.teams, current: current, rules: rules, source: nil).plan
            problems += renderedPlanViolations(plan)
        }
        return problems
    }

    static func renderedPlanViolations(_ plan: Plan) -> [String] {
        var problems: [String] = []
        var groups = 0
        var previous: String?
        for change in plan.changes where change.team != previous {
            groups += 1
            previous = change.team
        }
        let text = PlanRenderer.text(plan, color: false).split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        let expected = plan.isEmpty ? 1 : plan.changes.count + 2 * groups + 1
        if text.count != expected { problems.append("the text plan has \(text.count) lines, not \(expected)") }
        problems += controlViolations(text, in: "text plan")
        let markdown = PlanRenderer.markdown(plan).split(separator: "\n", omittingEmptySubsequences: false)
        problems += controlViolations(markdown, in: "Markdown plan")
        var inFence = false
        var fenced = 0
        for line in markdown {
            if line.hasPrefix("```") {
                inFence.toggle()
            } else if inFence {
                fenced += 1
            }
        }
        if inFence { problems.append("the Markdown plan leaves a code block open") }
        if plan.changes.count <= 500, fenced != plan.changes.count {
            problems.append("the Markdown plan has \(fenced) lines in code blocks for \(plan.changes.count) changes")
        }
        return problems
    }

    static func controlViolations(_ lines: some Sequence<Substring>, in what: String) -> [String] {
        lines.compactMap { line in
            PrintableText.firstControl(in: line).map { "a line of the \(what) holds U+\(String($0.value, radix: 16)): \(line.debugDescription)" }
        }
    }

    /// Why `line:column` is not a position in a file of lines of `lengths`, or nil.
    static func outside(_ line: Int, _ column: Int, _ lengths: [Int]) -> String? {
        guard line >= 1, column >= 1 else { return "before the start" }
        guard line <= lengths.count else { return "past the last line (\(lengths.count))" }
        guard column <= lengths[line - 1] + 1 else { return "past the end of line \(line) (\(lengths[line - 1]) characters)" }
        return nil
    }

    static func loadBlocking(_ source: MemorySource) -> LoadResult {
        final class Box: @unchecked Sendable { var result: LoadResult? }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            box.result = try! await ManifestLoader().load(from: source)
            done.signal()
        }
        done.wait()
        return box.result!
    }
}

extension ManifestInvariants {
    /// Whether `line:column` is a position in `text` as the invariants count them.
    public static func outsideChecksPass(line: Int, column: Int, in text: String) -> Bool {
        let lengths = Array(text.utf8).withUnsafeBytes { YAMLMark.lineLengths(of: $0) }
        return outside(line, column, lengths) == nil
    }
}
