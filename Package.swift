// swift-tools-version: 6.1
import PackageDescription

/// One settings list for every Swift target: Swift 6 language mode comes from the tools
/// version; these upcoming features keep imports and existentials explicit everywhere.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// The decoder's targets run once per YAML event, millions of times on a large
/// organisation; dynamic exclusivity checks there cost several percent. Their accesses are
/// single-threaded per decoder and checked statically, so release builds skip the runtime
/// check (debug builds and tests keep it).
let hotPath: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "roster",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "roster", targets: ["roster"]),
        .library(name: "RosterCore", targets: ["RosterCore"]),
        // For the fuzzer (Fuzz/), a package of its own so the normal build never needs libFuzzer.
        .library(name: "RosterYAML", targets: ["RosterYAML"]),
        .library(name: "RosterFuzzSupport", targets: ["RosterFuzzSupport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", exact: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", exact: "2.1.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio", exact: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", exact: "2.37.6"),
        .package(url: "https://github.com/swift-server/async-http-client", exact: "1.37.0"),
    ],
    targets: [
        // Outside systems, each wrapped by exactly one Swift target.
        .systemLibrary(
            name: "CGit2", pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"]), .brew(["libgit2"])]),
        .target(name: "CGit2Shims", dependencies: ["CGit2"]),
        .systemLibrary(
            name: "CYAML", pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"]), .brew(["libyaml"])]),

        .target(name: "RosterYAML", dependencies: ["CYAML"], swiftSettings: swiftSettings + hotPath),
        .target(
            name: "RosterCore",
            dependencies: ["RosterYAML", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings + hotPath),
        // The store contract: capability protocols, value types and the backend-neutral
        // algorithms (apply, audit, verify). No database library.
        .target(
            name: "RosterStore",
            dependencies: ["RosterCore", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings),
        .target(
            name: "RosterSQLite",
            dependencies: [
                "RosterCore", "RosterStore", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "RosterPostgres",
            dependencies: [
                "RosterCore", "RosterStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        // One reconcile run, shared by the command line and `roster serve`.
        .target(name: "RosterReconcile", dependencies: ["RosterCore", "RosterStore"], swiftSettings: swiftSettings),
        // Events about runs and invitations, posted to webhook receivers (chat, mail relays);
        // shared by `roster serve` and `roster reconcile`.
        .target(
            name: "RosterNotify",
            dependencies: [
                "RosterCore", "RosterStore", "RosterReconcile",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "RosterGit", dependencies: ["RosterCore", "CGit2", "CGit2Shims"],
            swiftSettings: swiftSettings),
        .target(
            name: "RosterServer",
            dependencies: [
                "RosterCore", "RosterStore", "RosterReconcile", "RosterNotify",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "roster",
            dependencies: [
                "RosterCore", "RosterGit", "RosterStore", "RosterSQLite", "RosterPostgres", "RosterReconcile",
                "RosterServer", "RosterNotify", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings,
            // jemalloc instead of glibc's malloc (Debian's libjemalloc-dev; linked, so it also
            // serves libyaml, libgit2 and SQLite). glibc grows each thread's heap a page at a
            // time, one mprotect call a page: 54,288 of them in a cold plan of the reference
            // corpus, each taking the address space's lock that the other threads' page faults
            // wait on; and libyaml's malloc and free of every token were a fifth of validate.
            // With jemalloc: validate x0.91 and cold plan x0.96 in wall time (medians of eight
            // runs in alternation), the plan's peak 292 -> 275 MB.
            linkerSettings: [.linkedLibrary("jemalloc", .when(platforms: [.linux]))]),
        .executableTarget(
            name: "RosterBench", dependencies: ["RosterCore", "RosterGit", "RosterYAML"],
            swiftSettings: swiftSettings),

        // Helpers the test targets share: running processes, scratch folders, a notification receiver.
        .target(
            name: "RosterTestSupport",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"), .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/RosterTestSupport", swiftSettings: swiftSettings),
        .testTarget(name: "RosterYAMLTests", dependencies: ["RosterYAML"], swiftSettings: swiftSettings),
        // The invariants the fuzzer checks on every input (Fuzz/), shared with the unit test
        // that replays the inputs it found (RosterCoreTests/FuzzRegressions).
        .target(
            name: "RosterFuzzSupport", dependencies: ["RosterCore", "RosterYAML"], path: "Tests/RosterFuzzSupport",
            swiftSettings: swiftSettings),
        .testTarget(
            name: "RosterCoreTests", dependencies: ["RosterCore", "RosterYAML", "RosterFuzzSupport"],
            exclude: ["Golden", "GoldenPlans", "GoldenAuthority", "FuzzRegressions"], swiftSettings: swiftSettings),
        // Stores of either backend (a SQLite file, a database on the test PostgreSQL server)
        // and what the store tests share.
        .target(
            name: "RosterStoreTestSupport",
            dependencies: ["RosterStore", "RosterSQLite", "RosterPostgres", "RosterCore", "RosterTestSupport"],
            path: "Tests/RosterStoreTestSupport", swiftSettings: swiftSettings),
        // The store contract, run on both backends.
        .testTarget(
            name: "RosterStoreTests",
            dependencies: [
                "RosterStore", "RosterSQLite", "RosterPostgres", "RosterCore", "RosterTestSupport", "RosterStoreTestSupport",
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "RosterSQLiteTests",
            dependencies: ["RosterSQLite", "RosterStore", "RosterCore", "RosterTestSupport", "RosterStoreTestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "RosterPostgresTests",
            dependencies: ["RosterPostgres", "RosterStore", "RosterCore", "RosterTestSupport", "RosterStoreTestSupport"],
            swiftSettings: swiftSettings),
        // The incremental planner against cold plans, over random histories.
        .testTarget(
            name: "RosterReconcileTests",
            dependencies: [
                "RosterReconcile", "RosterGit", "RosterCore", "RosterStore", "RosterTestSupport", "RosterStoreTestSupport",
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "RosterGitTests", dependencies: ["RosterGit", "RosterCore", "RosterTestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "RosterServerTests",
            dependencies: [
                "RosterServer", "RosterStore", "RosterSQLite", "RosterReconcile", "RosterCore", "RosterGit",
                "RosterTestSupport", "RosterNotify",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "rosterTests",
            dependencies: ["roster", "RosterTestSupport", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings),
    ]
)
