// swift-tools-version: 6.1
import PackageDescription

/// libFuzzer over the YAML reader and the manifest loader, kept out of Roster's own build
/// (it needs `-sanitize=fuzzer`). Build and run it with `scripts/fuzz.sh`, which passes
/// `-Xswiftc -sanitize=fuzzer,address` so that RosterYAML and RosterCore are instrumented
/// too. Only RosterYAML, RosterCore and swift-crypto are built.
let package = Package(
    name: "RosterFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "roster", path: "..")],
    targets: [
        .target(name: "CFuzzDriver"),
        .executableTarget(
            name: "RosterFuzz",
            dependencies: ["CFuzzDriver", .product(name: "RosterFuzzSupport", package: "roster")]),
    ]
)
