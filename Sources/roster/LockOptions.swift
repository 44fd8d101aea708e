import ArgumentParser

/// `--lock-timeout`, for the commands that write outside a run (`invite accept`, `team ceiling`).
struct LockOptions: ParsableArguments {
    @Option(help: ArgumentHelp("How long to wait for another writer, in seconds.", valueName: "seconds"))
    var lockTimeout: Double = 30

    func validate() throws { try Seconds.check(lockTimeout, flag: "--lock-timeout") }

    var duration: Duration { Seconds.duration(lockTimeout) }
}

/// Options given in seconds (`--lock-timeout`, `--notify-wait`).
enum Seconds {
    /// Refuses anything but 0 to `maximum` seconds: `inf`, `nan` and `1e300` parse as numbers
    /// too, and no timer holds them.
    static func check(_ seconds: Double, flag: String, maximum: Double = 86_400) throws {
        guard seconds >= 0, seconds <= maximum else {
            throw ValidationError("\(flag) takes seconds from 0 to \(Int(maximum)), not \(seconds).")
        }
    }

    /// `seconds` (checked) as a duration.
    static func duration(_ seconds: Double) -> Duration { .milliseconds(Int64(seconds * 1000)) }
}
