import CFuzzDriver
import Glibc
import RosterFuzzSupport

/// One input, checked against every invariant (`ManifestInvariants`); a violation is a
/// crash, so libFuzzer saves the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let violations = ManifestInvariants.violationsBlocking(UnsafeBufferPointer(start: data, count: size))
    if !violations.isEmpty {
        fatalError("invariant broken: " + violations.joined(separator: "; "))
    }
    return 0
}

// In a release build SwiftPM makes this file's code the executable's main (it links
// `main` to the module's entry point), so it hands over to libFuzzer's driver; in a debug
// build libFuzzer's own main runs and calls LLVMFuzzerTestOneInput above.
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(data, size) })
