import Foundation
import Testing

@testable import RosterCore

@Suite struct DiagnosticRendererTests {
    let diagnostic = Diagnostic(
        .error, file: "teams/a,b.yaml", line: 3, column: 9, path: "spec.members[0].role",
        message: "unknown role \"owner\"; 100% wrong", suggestion: "admin")

    @Test func textIsFileLineColumn() {
        let text = DiagnosticRenderer.text([diagnostic], color: false)
        #expect(text == "teams/a,b.yaml:3:9: error: spec.members[0].role: unknown role \"owner\"; 100% wrong\n  suggestion: admin\n")
        #expect(!text.contains("\u{1B}"))
        #expect(DiagnosticRenderer.text([diagnostic], color: true).contains("\u{1B}[1;31merror"))
    }

    @Test func githubEscapesPropertiesAndData() {
        let line = DiagnosticRenderer.github([diagnostic])
        #expect(line == "::error file=teams/a%2Cb.yaml,line=3,col=9,title=spec.members[0].role::unknown role \"owner\"; 100%25 wrong%0ASuggestion: admin\n")
    }

    @Test func jsonHasEveryFieldEvenNull() throws {
        var plain = diagnostic
        plain.suggestion = nil
        let object = try JSONSerialization.jsonObject(with: Data(DiagnosticRenderer.json([plain]).utf8)) as! [String: Any]
        #expect(object["valid"] as? Bool == false)
        let first = (object["diagnostics"] as! [[String: Any]])[0]
        #expect(Set(first.keys) == ["severity", "file", "line", "column", "path", "message", "suggestion"])
        #expect(first["suggestion"] is NSNull)
        #expect(first["line"] as? Int == 3)
    }
}
