import CFuzzDriver
import Glibc
import RosterFuzzSupport

/// One input, checked against every invariant (`ManifestInvariants`); a violation is a
/// crash, so libFuzzer saves the input.
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let violations = ManifestInvariants.violationsBlocking(UnsafeBufferPointer(start: data, count: size))
    if !violations.isEmpty {
        fatalError("invariant broken: " + violations.joined(separator: "; "))
    }
    return 0
}

// SwiftPM makes this file's code the executable's main; it hands over to libFuzzer's driver.
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(data, size) })
