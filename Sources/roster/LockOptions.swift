import ArgumentParser

/// `--lock-timeout`, for the commands that write outside a run (`invite accept`, `team ceiling`).
struct LockOptions: ParsableArguments {
    @Option(help: ArgumentHelp("How long to wait for another writer, in seconds.", valueName: "seconds"))
    var lockTimeout: Double = 30

    func validate() throws {
        if lockTimeout < 0 { throw ValidationError("--lock-timeout must be 0 or more.") }
    }

    var duration: Duration { .milliseconds(Int64(lockTimeout * 1000)) }
}
