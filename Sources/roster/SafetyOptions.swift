import ArgumentParser
import RosterReconcile
import RosterStore

/// Flags that tighten `roster.yaml`'s safety rules for one run.
struct SafetyOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Lower maxRemovals for this run.", valueName: "n"))
    var maxRemovals: Int?

    @Option(help: ArgumentHelp("Raise minAdmins for this run.", valueName: "n"))
    var minAdmins: Int?

    @Flag(help: "Lift maxRemovals for this run.")
    var allowMassRemoval = false

    @Flag(help: "Plan cold: decode every manifest and compare every team, not only what changed since the last apply.")
    var noCache = false

    func validate() throws {
        if let maxRemovals, maxRemovals < 0 { throw ValidationError("--max-removals must be 0 or more.") }
        if let minAdmins, minAdmins < 0 { throw ValidationError("--min-admins must be 0 or more.") }
    }

    var overrides: Reconciler.Overrides {
        Reconciler.Overrides(
            maxRemovals: maxRemovals, minAdmins: minAdmins, allowMassRemoval: allowMassRemoval, useCache: !noCache)
    }
}
