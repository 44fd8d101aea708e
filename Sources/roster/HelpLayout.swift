import Foundation

/// Where the groups of `--help` go. ArgumentParser prints titled option groups before the
/// untitled OPTIONS; Roster wants a command's own options first and the store and key
/// options, which most runs take from the environment, last.
enum HelpLayout {
    static let storeTitle = "Store options"
    static let linkTitle = "Invitation link options"

    /// `help` with the store and link sections moved after OPTIONS (before any
    /// SUBCOMMANDS); nil when it has neither.
    static func storeOptionsLast(_ help: String) -> String? {
        let headers = [storeTitle, linkTitle].map { $0.uppercased() + ":" }
        var text = Substring(help)
        var trailing = ""
        while text.hasSuffix("\n") { text.removeLast(); trailing += "\n" }
        var sections = text.components(separatedBy: "\n\n")
        let moved = sections.filter { section in headers.contains { section.hasPrefix($0) } }
        guard !moved.isEmpty else { return nil }
        sections.removeAll { section in headers.contains { section.hasPrefix($0) } }
        let end = sections.firstIndex { $0.hasPrefix("SUBCOMMANDS:") } ?? sections.endIndex
        sections.insert(contentsOf: moved, at: end)
        return sections.joined(separator: "\n\n") + trailing
    }
}
