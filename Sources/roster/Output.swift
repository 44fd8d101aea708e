import ArgumentParser
import Foundation
import RosterCore
import RosterStore

/// Writes to standard output and standard error, and turns failures into exit codes.
enum Output {
    /// Writes `text` as it is: callers escape the values they print (`printable`,
    /// the renderers), keeping their own line breaks and colours.
    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func err(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Keeps `value` alive until the process exits. A command ends right after it prints;
    /// freeing a million decoded members one by one first would cost more than printing.
    static func keepUntilExit(_ value: some Any) {
        _ = Unmanaged.passRetained(Box(value))
    }

    private final class Box<Value> {
        let value: Value
        init(_ value: Value) { self.value = value }
    }

    /// Runs `body`, printing a failure as one `error:` line and exiting with SPEC's code:
    /// 1 for errors (a source that cannot be read, a store error).
    static func reportingFailures(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as SourceError {
            err("error: \(error.message.printable)\n")
            throw ExitCode(1)
        } catch let error as StoreError {
            err("error: \(error.message.printable)\n")
            throw ExitCode(error.kind == .stalePlan || error.kind == .locked || error.kind == .fenced ? 3 : 1)
        } catch let error as Refusal {
            err("refused: \(error.message.printable)\n")
            throw ExitCode(3)
        }
    }
}

/// A run the safety rules refuse (exit 3).
struct Refusal: Error {
    var message: String
}

/// A failure already reported (diagnostics printed): exit 1 without another message.
struct ReportedFailure: Error {}
