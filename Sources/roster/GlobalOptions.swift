import ArgumentParser
import Foundation

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The store: sqlite:PATH (default sqlite:roster.db; also ROSTER_STORE).", valueName: "url"))
    var store: String?

    @Flag(help: "No colours, even on a terminal (also NO_COLOR).")
    var noColor = false

    @Flag(name: .shortAndLong, help: "Print only what was asked for and errors.")
    var quiet = false

    @Flag(name: .shortAndLong, help: "Print more about what Roster is doing.")
    var verbose = false

    /// Whether standard output gets ANSI colours: only on a terminal, never with NO_COLOR.
    var colorOutput: Bool {
        !noColor && ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) != false && isatty(1) == 1
    }

    func validate() throws {
        if quiet && verbose { throw ValidationError("--quiet and --verbose cannot be used together.") }
    }
}
