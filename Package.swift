// swift-tools-version:6.1
import PackageDescription

/// Concord: field-level CRDT sync between Salesforce, HubSpot and Dynamics 365.
///
/// Layering (arrows point down): concord (CLI) -> ConcordStore -> ConcordCore;
/// ConcordStore -> CSQLite. ConcordCore depends on the standard library only.
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
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
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
        .executableTarget(
            name: "concord",
            dependencies: [
                "ConcordCore", "ConcordStore", "CSQLite", "CRMEmulators",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
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
        .testTarget(
            name: "CRMEmulatorsTests",
            dependencies: [
                "CRMEmulators",
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
    ]
)
