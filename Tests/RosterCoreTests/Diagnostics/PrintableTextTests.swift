import Foundation
import RosterFuzzSupport
import Testing

@testable import RosterCore

/// Values from manifests, file names and the store never change the layout of what Roster
/// prints for people (issue 12: forged diagnostics and plan lines).
@Suite struct PrintableTextTests {
    @Test func controlCharactersAreEscaped() {
        #expect(PrintableText.escaped("a\nb\rc\td\u{1B}[31m\u{0}\u{7F}\u{85}\u{2028}\u{202E}é→") == #"a\nb\rc\td\u{1B}[31m\u{0}\u{7F}\u{85}\u{2028}\u{202E}é→"#)
        #expect(PrintableText.escaped("plain text, 100% → fine") == "plain text, 100% → fine")
        #expect("a\r\nb".printable == #"a\r\nb"#)
    }

    @Test func markdownValuesCannotAddMarkup() {
        #expect(PrintableText.markdown("[x](https://e.example) `y` <img> *z* a|b\nc") == #"\[x\](https://e.example) \`y\` \<img\> \*z\* a\|b\\nc"#)
        #expect(PrintableText.markdownCode("ab`c") == "`` ab`c ``")
        #expect(PrintableText.markdownCode("abc") == "`abc`")
        #expect(PrintableText.html("<b>&\"") == "&lt;b&gt;&amp;&quot;")
    }

    /// The text of `roster validate` for one manifest file.
    func validateText(_ manifest: String, path: String = "teams/t.yaml") async throws -> (text: String, diagnostics: [Diagnostic]) {
        let result = try await ManifestLoader().load(from: MemorySource(files: [path: Array(manifest.utf8)]))
        return (DiagnosticRenderer.text(result.diagnostics, color: false), result.diagnostics)
    }

    @Test func aQuotedKeyCannotForgeADiagnostic() async throws {
        let (text, diagnostics) = try await validateText(
            teamDocument("t") + "  \"a\\nb.yaml:9:9: error: forged\\u001B[2K\": 1\n")
        #expect(diagnostics.count == 1)
        #expect(!text.split(separator: "\n").contains { $0.hasPrefix("b.yaml") }, "\(text)")
        #expect(!text.contains("\u{1B}"))
        #expect(text.contains(#"unknown field "a\nb.yaml:9:9: error: forged\u{1B}[2K""#), "\(text)")
        #expect(text.split(separator: "\n").count == 1, "\(text)")
    }

    @Test func fileNamesWithNewlinesAreEscaped() async throws {
        let (text, diagnostics) = try await validateText("a: [", path: "teams/x\nteams/y.yaml:1:1: error: forged.yaml")
        let lines = text.split(separator: "\n")
        #expect(diagnostics.count == 2 && lines.count == 2, "\(text)")
        #expect(lines.allSatisfy { $0.hasPrefix(#"teams/x\nteams/y.yaml:1:1: error: forged.yaml:1:"#) }, "\(text)")
        #expect(text.contains(#"forged.yaml:1:5: error: invalid YAML"#), "the end of the line, not 2:1: \(text)")
        #expect(DiagnosticRenderer.github(diagnostics).split(separator: "\n").count == 2)
    }

    @Test func suggestionsAndPathsAreEscaped() {
        let diagnostic = Diagnostic(
            .error, file: "t.yaml", path: "spec.\u{1B}]0;x", message: "m\rforged", suggestion: "one\u{85}two\nthree\u{1B}")
        let text = DiagnosticRenderer.text([diagnostic], color: true)
        #expect(text.contains(#"spec.\u{1B}]0;x: m\rforged"#), "\(text)")
        #expect(text.hasSuffix("  suggestion:\n    one\\u{85}two\n    three\\u{1B}\n"), "\(text)")
    }
}
