import ArgumentParser
import ConcordConnectors
import ConcordDemo
import Foundation

/// `concord bench chaos`: seeded end-to-end runs under faults, each judged clean or not.
struct BenchChaosCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chaos",
        abstract: "Seeded end-to-end runs under faults (429 storms, 5xx, dropped and lost answers, latency, a CRM offline, clock skew, kill -9 of the sync).",
        discussion: """
            Run N uses seed S+N-1; a failing seed replays alone with --runs 1 --seed SEED. Each run prints one line: \
            seed, faults, passes to converge, result and the first example of anything wrong. A run is clean when the \
            CRMs converged, no update was lost, no duplicate was created and no integrity alarm was raised. \
            Exit code 3 when any run was not clean.
            """
    )

    @Option(help: "How many runs.") var runs = 10
    @Option(help: "Seed of the first run.") var seed: UInt64 = 1
    @Option(help: "Seeded people per CRM.") var records = 40
    @Option(help: "Length of each run's faulty phase, seconds.") var seconds = 15.0
    @Option(name: .customLong("driver-rate"), help: "Simulated-user changes per second during the faulty phase.") var driverRate = 4.0
    @Flag(help: "Print one JSON object.") var json = false

    func validate() throws {
        if runs < 1 { throw ValidationError("--runs must be at least 1") }
        if seconds < 2 { throw ValidationError("--seconds must be at least 2") }
    }

    func run() async throws {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var results: [ChaosResult] = []
        for n in 0..<runs {
            var o = ChaosOptions(seed: seed &+ UInt64(n), executable: executable,
                                 makeConnectors: { try StandardConnectors.make(config: $0) },
                                 progress: { line in FileHandle.standardError.write(Data(("  ... " + line + "\n").utf8)) })
            o.records = records
            o.seconds = seconds
            o.driverRate = driverRate
            let r = try await ChaosRun.run(o)
            results.append(r)
            if !json { print(Self.line(r)) }
        }
        let clean = results.filter(\.clean).count
        if json {
            print(try Render.json(ChaosSummary(runs: results.count, clean: clean, results: results)))
        } else {
            print("\(clean) of \(results.count) runs clean" + (clean == results.count ? "" : "; not clean: seeds "
                  + results.filter { !$0.clean }.map { String($0.seed) }.joined(separator: ", ")))
        }
        if clean < results.count { throw ExitCode(3) }
    }

    static func line(_ r: ChaosResult) -> String {
        let seed = String(r.seed).padding(toLength: 5, withPad: " ", startingAt: 0)
        return "seed \(seed) \(r.clean ? "clean    " : "NOT CLEAN")  passes \(r.passes)  \(Int(r.seconds.rounded())) s  "
            + "\(r.driverChanges) user changes  faults: \(r.faults)" + (r.problems.first.map { "\n    " + $0 } ?? "")
    }
}

/// The JSON of `concord bench chaos --json`.
struct ChaosSummary: Codable {
    var runs: Int
    var clean: Int
    var results: [ChaosResult]
}
