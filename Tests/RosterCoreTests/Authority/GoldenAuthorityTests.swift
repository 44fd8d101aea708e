import Foundation
import Testing

@testable import RosterCore

/// Golden pull requests, one folder per case under `GoldenAuthority/`: `base/` and `head/`
/// (manifest folders), `author` (the head commit's author), and what `roster diff` shows:
/// `expected.txt`, `expected.md` (the pull-request comment), `expected.json`.
/// `ROSTER_RECORD=1` writes them anew; read the diff before committing.
@Suite struct GoldenAuthorityTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("GoldenAuthority")

    static var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    @Test func thereAreCases() { #expect(Self.cases.count >= 2) }

    @Test(arguments: cases)
    func golden(_ name: String) async throws {
        let folder = Self.root.appendingPathComponent(name)
        let base = try await ManifestLoader().load(from: try DirectorySource(path: folder.appendingPathComponent("base").path))
        let head = try await ManifestLoader().load(from: try DirectorySource(path: folder.appendingPathComponent("head").path))
        #expect(base.isValid && head.isValid, "\(base.diagnostics) \(head.diagnostics)")
        let author = try String(contentsOf: folder.appendingPathComponent("author"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let before = CurrentState(declaredBy: base.teams)
        let source = Plan.Source(repository: "golden", ref: "feature", commit: String(repeating: "c", count: 40), author: author)
        var (plan, errors) = Planner.plan(desired: head.teams, current: before, rules: PlanRules(head.config, now: .distantPast), source: source)
        #expect(errors.isEmpty, "\(errors)")
        plan.base = Plan.Source(repository: "golden", ref: "main", commit: String(repeating: "b", count: 40))
        plan.authority = ChangeAuthority.check(
            plan.changes, before: before, teamCreators: base.config.policy.teamCreators, author: Email(author))

        var text = PlanRenderer.text(plan, color: false)
        for warning in plan.warnings { text += "warning: \(warning)\n" }
        let outputs = [("expected.txt", text), ("expected.md", PlanRenderer.markdown(plan)), ("expected.json", PlanRenderer.json(plan))]
        for (file, actual) in outputs {
            let url = folder.appendingPathComponent(file)
            if ProcessInfo.processInfo.environment["ROSTER_RECORD"] != nil { try Data(actual.utf8).write(to: url) }
            #expect(actual == (try String(contentsOf: url, encoding: .utf8)), "\(name)/\(file)")
        }
        #expect(try JSONDecoder().decode(Plan.self, from: Data(PlanRenderer.json(plan).utf8)) == plan)
    }
}
