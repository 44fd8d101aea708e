import Foundation
import Testing

@testable import RosterCore

/// Golden plan tests, one folder per rule of SPEC sections 4 and 5 under `GoldenPlans/`:
/// `manifests/` (with its `roster.yaml`), `state.json` (the store before), and the expected
/// plan as text (`expected.txt`, with warnings and errors), Markdown (`expected.md`) and
/// JSON (`expected.json`). `ROSTER_RECORD=1 swift test --filter GoldenPlanTests` writes
/// them anew; read the diff before committing.
@Suite struct GoldenPlanTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("GoldenPlans")

    /// When every golden plan is made: 2027-01-15T12:00:00Z, for the cases with expiries.
    static let now = Expiry.parse("2027-01-15T12:00:00Z")!

    static var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    @Test func everyRuleHasACase() {
        #expect(Self.cases.count >= 16)
    }

    @Test(arguments: cases)
    func golden(_ name: String) async throws {
        let folder = Self.root.appendingPathComponent(name)
        let load = try await ManifestLoader().load(
            from: try DirectorySource(path: folder.appendingPathComponent("manifests").path))
        #expect(load.isValid, "\(load.diagnostics)")
        let state = try Self.state(folder.appendingPathComponent("state.json"))
        let source = Plan.Source(repository: "golden", ref: "main", commit: String(repeating: "c", count: 40), tree: String(repeating: "d", count: 40))
        let (plan, errors) = Planner.plan(desired: load.teams, current: state, rules: PlanRules(load.config, now: Self.now), source: source)

        var text = PlanRenderer.text(plan, color: false)
        for warning in plan.warnings { text += "warning: \(warning)\n" }
        text += DiagnosticRenderer.text(errors, color: false)
        let outputs = [
            ("expected.txt", text), ("expected.md", PlanRenderer.markdown(plan)), ("expected.json", PlanRenderer.json(plan)),
        ]
        for (file, actual) in outputs {
            let url = folder.appendingPathComponent(file)
            if ProcessInfo.processInfo.environment["ROSTER_RECORD"] != nil { try Data(actual.utf8).write(to: url) }
            #expect(actual == (try String(contentsOf: url, encoding: .utf8)), "\(name)/\(file)")
        }
        // A saved plan reads back as the same plan.
        #expect(try JSONDecoder().decode(Plan.self, from: Data(PlanRenderer.json(plan).utf8)) == plan)
    }

    /// `{"version": 3, "ceilings": {"t": 150}, "teams": [{"slug", "displayName", "owner",
    /// "spendLimit", "members": {"email": "role"}, "invitations": {"email": "role"}}]}`
    static func state(_ url: URL) throws -> CurrentState {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        var state = CurrentState(version: Int64(object["version"] as? Int ?? 0))
        for (team, dollars) in object["ceilings"] as? [String: Double] ?? [:] {
            state.ceilings[team] = SpendLimit(dollars: dollars)
        }
        func roles(_ value: Any?) -> [Email: Role] {
            var out: [Email: Role] = [:]
            for (email, role) in value as? [String: String] ?? [:] { out[Email(email)!] = Role(rawValue: role)! }
            return out
        }
        for team in object["teams"] as? [[String: Any]] ?? [] {
            let slug = team["slug"] as! String
            state.teams[slug] = TeamState(
                slug: slug, displayName: team["displayName"] as? String ?? slug, owner: Email(team["owner"] as! String)!,
                spendLimit: SpendLimit(dollars: team["spendLimit"] as? Double ?? 80),
                ceiling: state.ceiling(of: slug), members: roles(team["members"]), invitations: roles(team["invitations"]))
        }
        return state
    }
}
