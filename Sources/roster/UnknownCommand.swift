import ArgumentParser
import RosterCore

/// The error for a word where a subcommand belongs that names none (`roster aply`,
/// `roster audit verfy`), with the nearest subcommand when one is close.
enum UnknownCommand {
    /// The message for `arguments`, or nil when their subcommands are all known (the parse
    /// failed for another reason).
    static func message(for arguments: [String], root: any ParsableCommand.Type) -> String? {
        var subcommands = root.configuration.subcommands
        var path = [root._commandName]
        for argument in arguments {
            guard !argument.hasPrefix("-"), !subcommands.isEmpty, argument != "help" else { return nil }
            let named = subcommands.map { (name: $0._commandName, configuration: $0.configuration) }
            if let index = named.firstIndex(where: { $0.name == argument || $0.configuration.aliases.contains(argument) }) {
                subcommands = named[index].configuration.subcommands
                path.append(argument)
                continue
            }
            let names = named.filter { $0.configuration.shouldDisplay }.map { $0.name }
            let prefix = "Unknown command '\(argument)' for '\(path.joined(separator: " "))'."
            if let nearest = Suggestion.closest(to: argument, among: names) {
                return "\(prefix) Did you mean '\(path.joined(separator: " ")) \(nearest)'?"
            }
            return "\(prefix) The commands are: \(names.joined(separator: ", ")) (see '\(path.joined(separator: " ")) --help')."
        }
        return nil
    }
}
