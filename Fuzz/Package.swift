// swift-tools-version:5.4
import Foundation
import PackageDescription

// A path dependency's identity is its folder's name, which differs between checkouts.
let concord = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()

// The libFuzzer harnesses live in their own package so that `swift build` of Concord never
// builds them (they only link with `-sanitize=fuzzer`, whose runtime brings its own `main`).
// Build and run them with `scripts/fuzz`.
//
// Tools version 5.4 on purpose: from 5.5 on, SwiftPM renames an executable's entry point
// to `<module>_main` and links `main` to it, which fails here (libFuzzer owns `main`).
let package = Package(
    name: "ConcordFuzz",
    dependencies: [
        .package(path: "../"),
    ],
    targets: [
        .executableTarget(
            name: "concord-fuzz",
            dependencies: [
                .product(name: "ConcordCore", package: concord),
                .product(name: "ConcordStore", package: concord),
                .product(name: "ConcordMapping", package: concord),
                .product(name: "ConcordHTTP", package: concord),
                .product(name: "ConcordConnectors", package: concord),
                .product(name: "ConcordWebhooks", package: concord),
                .product(name: "ConcordReplication", package: concord),
            ],
            path: "Targets",
            swiftSettings: [.unsafeFlags(["-swift-version", "6"])]
        ),
    ]
)
