import Foundation
import RosterFuzzSupport
import Testing

/// Every input the fuzzer (scripts/fuzz.sh) ever found, replayed through the invariants it
/// checks (`ManifestInvariants`), and the hand-written cases of issue 12 besides. A new
/// finding is added by copying its file into `FuzzRegressions/` (the script does).
@Suite struct FuzzRegressionTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("FuzzRegressions")

    static var inputs: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { !$0.hasPrefix(".") && $0 != "README.md" }.sorted()
    }

    @Test func thereAreRegressionInputs() {
        #expect(Self.inputs.count >= 3)
    }

    @Test(arguments: inputs)
    func invariantsHold(_ name: String) async throws {
        let bytes = try Data(contentsOf: Self.folder.appendingPathComponent(name))
        let violations = await ManifestInvariants.violations(Array(bytes))
        #expect(violations.isEmpty, "\(name): \(violations.joined(separator: "; "))")
    }

    /// The position check can fail: libyaml's own end-of-stream position is outside the file.
    @Test func positionsPastTheEndAreCaught() {
        #expect(!ManifestInvariants.outsideChecksPass(line: 2, column: 1, in: "a: ["))
        #expect(ManifestInvariants.outsideChecksPass(line: 1, column: 5, in: "a: ["))
    }
}
