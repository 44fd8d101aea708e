import Foundation
import Testing

@testable import RosterCore

/// Golden tests: each folder under `Golden/` holds `input/` (a manifest folder) and the
/// diagnostics `roster validate` must print for it, as text (`expected.txt`) and JSON
/// (`expected.json`). Run with `ROSTER_RECORD=1` to write the expected files anew, then
/// read the diff before committing it.
@Suite struct GoldenDiagnosticsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Golden")

    static var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    @Test func thereAreGoldenCases() {
        #expect(Self.cases.count >= 6)
    }

    @Test(arguments: cases)
    func golden(_ name: String) async throws {
        let folder = Self.root.appendingPathComponent(name)
        let result = try await ManifestLoader().load(from: try DirectorySource(path: folder.appendingPathComponent("input").path))
        let text = DiagnosticRenderer.text(result.diagnostics, color: false) + "teams: \(result.teams.map(\.slug).joined(separator: ", "))\n"
        let json = DiagnosticRenderer.json(result.diagnostics)
        let expectedText = folder.appendingPathComponent("expected.txt")
        let expectedJSON = folder.appendingPathComponent("expected.json")
        if ProcessInfo.processInfo.environment["ROSTER_RECORD"] != nil {
            try Data(text.utf8).write(to: expectedText)
            try Data(json.utf8).write(to: expectedJSON)
        }
        #expect(text == (try String(contentsOf: expectedText, encoding: .utf8)))
        #expect(json == (try String(contentsOf: expectedJSON, encoding: .utf8)))
    }
}
