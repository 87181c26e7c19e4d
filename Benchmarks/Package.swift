// swift-tools-version:6.1
import Foundation
import PackageDescription

// A path dependency's identity is its folder's name, which differs between checkouts.
let concord = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().lastPathComponent.lowercased()

// Benchmarks live in their own package so that `swift build` of Concord never fetches or
// builds package-benchmark. Run: `cd Benchmarks && swift package benchmark`.
let package = Package(
    name: "ConcordBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "ConcordBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ConcordCore", package: concord),
                .product(name: "ConcordStore", package: concord),
                .product(name: "ConcordBench", package: concord),
            ],
            path: "Benchmarks/ConcordBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
