// swift-tools-version:6.1
import PackageDescription

/// Concord: field-level CRDT sync between Salesforce, HubSpot and Dynamics 365.
///
/// Layering (arrows point down): concord (CLI) -> ConcordBench, ConcordStore, ConcordMapping
/// -> ConcordCore; ConcordStore -> CSQLite. ConcordCore depends on the standard library only.
let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Concord",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "concord", targets: ["concord"]),
        .library(name: "ConcordCore", targets: ["ConcordCore"]),
        .library(name: "ConcordStore", targets: ["ConcordStore"]),
        .library(name: "ConcordMapping", targets: ["ConcordMapping"]),
        .library(name: "ConcordHTTP", targets: ["ConcordHTTP"]),
        .library(name: "ConcordConnectors", targets: ["ConcordConnectors"]),
        .library(name: "ConcordEngine", targets: ["ConcordEngine"]),
        .library(name: "ConcordWebhooks", targets: ["ConcordWebhooks"]),
        .library(name: "ConcordService", targets: ["ConcordService"]),
        .library(name: "ConcordReplication", targets: ["ConcordReplication"]),
        .library(name: "ConcordReplica", targets: ["ConcordReplica", "ConcordReplication", "ConcordStore", "ConcordCore"]),
        .library(name: "CRMEmulators", targets: ["CRMEmulators"]),
        .library(name: "ConcordBench", targets: ["ConcordBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .target(name: "ConcordCore", swiftSettings: strict),
        .target(
            name: "ConcordStore",
            dependencies: [
                "ConcordCore", "CSQLite",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "ConcordMapping",
            dependencies: ["ConcordCore", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        .target(name: "ConcordHTTP", dependencies: ["ConcordCore", "CCurl"], swiftSettings: strict),
        .target(name: "ConcordTestServer", swiftSettings: strict),
        .target(
            name: "ConcordConnectors",
            dependencies: [
                "ConcordCore", "ConcordMapping", "ConcordHTTP",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "ConcordWebhooks",
            dependencies: [
                "ConcordStore", "ConcordMapping", "ConcordConnectors",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "ConcordService",
            dependencies: [
                "ConcordWebhooks", "ConcordEngine", "ConcordStore", "ConcordMapping", "ConcordReplication",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "ConcordEngine",
            dependencies: [
                "ConcordCore", "ConcordStore", "ConcordMapping", "ConcordConnectors",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "CRMEmulators",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "crm-emulate",
            dependencies: ["CRMEmulators"],
            path: "Tests/fidelity/crm-emulate",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "store-crash-writer",
            dependencies: ["ConcordCore", "ConcordStore", "CSQLite"],
            path: "Tests/store-crash-writer",
            swiftSettings: strict
        ),
        .target(name: "ConcordReplication", dependencies: ["ConcordCore", "ConcordStore"], swiftSettings: strict),
        .target(name: "ConcordReplica", dependencies: ["ConcordCore", "ConcordStore", "ConcordReplication", "ConcordHTTP"], swiftSettings: strict),
        .target(
            name: "ConcordDemo",
            dependencies: [
                "ConcordCore", "ConcordStore", "ConcordMapping", "ConcordConnectors", "ConcordEngine", "CRMEmulators",
                "ConcordService", "ConcordWebhooks", "ConcordTestServer",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "ConcordTesting",
            dependencies: ["ConcordConnectors", "ConcordMapping"],
            swiftSettings: strict
        ),
        .target(
            name: "ConcordBench",
            dependencies: ["ConcordCore", "ConcordStore", "CSQLite", "ConcordHTTP", "ConcordTestServer"],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "concord",
            dependencies: [
                "ConcordCore", "ConcordStore", "ConcordMapping", "ConcordEngine", "ConcordHTTP", "ConcordBench", "CRMEmulators",
                "ConcordConnectors", "ConcordDemo", "ConcordService", "ConcordWebhooks", "ConcordReplication", "ConcordReplica",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CRMEmulatorsTests",
            dependencies: [
                "CRMEmulators",
                "ConcordMapping",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ConcordWebhooksTests",
            dependencies: [
                "ConcordWebhooks", "ConcordStore", "ConcordMapping",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ConcordCoreTests",
            dependencies: [
                "ConcordCore",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ConcordStoreTests",
            dependencies: ["ConcordCore", "ConcordStore", "CSQLite"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ConcordHTTPTests",
            dependencies: ["ConcordCore", "ConcordHTTP", "ConcordTestServer"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ConcordConnectorsTests",
            dependencies: ["ConcordConnectors", "ConcordHTTP", "ConcordMapping", "ConcordCore", "CRMEmulators"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ConcordEngineTests",
            dependencies: [
                "ConcordEngine", "ConcordTesting", "ConcordConnectors", "ConcordMapping", "ConcordStore", "ConcordCore",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ConcordEndToEndTests",
            dependencies: [
                "ConcordDemo", "ConcordEngine", "ConcordConnectors", "ConcordMapping", "ConcordCore", "CRMEmulators", "ConcordHTTP",
                "ConcordService", "ConcordWebhooks", "ConcordStore",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ConcordReplicationTests",
            dependencies: ["ConcordReplication", "ConcordReplica", "ConcordStore", "ConcordCore", "ConcordService", "ConcordTestServer"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ConcordMappingTests",
            dependencies: [
                "ConcordMapping", "ConcordCore",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strict
        ),
    ]
)
