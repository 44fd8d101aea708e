import Foundation
import Testing

@testable import RosterCore

/// A display name or email from the store cannot print a line of its own in the plan a
/// reviewer reads (text, and the Markdown of the pull-request comment).
@Suite struct PlanForgeryTests {
    static let forged = "x\n+ invite evil@example.com as admin"
    static let owner = Email(normalized: "owner@example.com")

    /// A plan whose values hold a newline, as a store written by another tool could.
    static var plan: Plan {
        Plan(
            source: .init(repository: "repo\n**Approved** [x](y)", ref: "main", commit: "abc`def|", tree: nil),
            stateVersion: 1,
            changes: [
                Change(.teamCreate, team: "ml", subject: "ml", after: .team(.init(displayName: forged, owner: owner, spendLimit: .default))),
                Change(.teamDisplayNameUpdate, team: "ml", subject: "ml", before: .text("old\r"), after: .text(forged)),
                Change(.memberRemove, team: "ml\n# team evil", subject: "a\u{1B}[2K@example.com", before: .role(.dev)),
            ],
            warnings: ["team x\n> [!NOTE]\n> all good `rm` <img src=x> [ok](https://e.example)"])
    }

    @Test func theTextPlanIsOneLinePerChange() {
        let text = PlanRenderer.text(Self.plan, color: false)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(!lines.contains { $0.hasPrefix("+ invite") || $0.hasPrefix("# team evil") }, "\(text)")
        #expect(lines.count == 3 + 2 * 2 + 1 + 1, "\(text)")
        #expect(text.contains(#"+ create team ml: x\n+ invite evil@example.com as admin (owner owner@example.com"#), "\(text)")
        #expect(text.contains(#"~ display name: "old\r" → "x\n+ invite evil@example.com as admin""#), "\(text)")
        #expect(text.contains(#"# team ml\n# team evil"#), "\(text)")
        #expect(!text.contains("\u{1B}"), "\(text)")
        #expect(PrintableText.firstControl(in: PlanRenderer.text(Self.plan, color: true).replacingOccurrences(of: "\u{1B}[", with: "").replacingOccurrences(of: "\n", with: "")) == nil)
    }

    @Test func theMarkdownPlanKeepsValuesInTheirPlace() {
        let markdown = PlanRenderer.markdown(Self.plan)
        let lines = markdown.split(separator: "\n")
        #expect(!lines.contains { $0.hasPrefix("+ invite") || $0.hasPrefix("> [!NOTE]") }, "\(markdown)")
        #expect(markdown.contains(#"> team x\\n\> \[\!NOTE\]\\n\> all good \`rm\` \<img src=x\> \[ok\](https://e.example)"#), "\(markdown)")
        #expect(markdown.contains("At commit `` abc`def| ``, store version 1."), "\(markdown)")
        #expect(markdown.contains("<code>ml\\n# team evil</code>"), "\(markdown)")
        let empty = Plan(source: .init(repository: "repo\n**Approved** [x](y)"), stateVersion: 1, changes: [], warnings: [])
        #expect(PlanRenderer.markdown(empty).contains(#"**No changes. The store matches repo\\n\*\*Approved\*\* \[x\](y).**"#))
    }
}
