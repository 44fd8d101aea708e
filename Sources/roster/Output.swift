import ArgumentParser
import Foundation
import RosterCore

/// Writes to standard output and standard error, and turns failures into exit codes.
enum Output {
    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func err(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Runs `body`, printing a failure as one `error:` line and exiting with SPEC's code:
    /// 1 for errors (a source that cannot be read, a store error).
    static func reportingFailures(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as SourceError {
            err("error: \(error.message)\n")
            throw ExitCode(1)
        }
    }
}
