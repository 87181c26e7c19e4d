import ConcordConnectors
import ConcordDemo
import Foundation
import Testing

/// A few short seeded chaos runs (`concord bench chaos` runs as many as wanted): faults drawn
/// from the seed, `kill -9` of the sync process, then convergence judged strictly.
@Suite("Chaos soak", .serialized)
struct ChaosSoakTests {
    @Test("a seeded chaos run ends clean: converged, no lost update, no duplicate, no integrity alarm",
          arguments: [UInt64(1), 2, 3])
    func chaosRun(seed: UInt64) async throws {
        let binary = KillNineTests.concordBinary
        #expect(FileManager.default.isExecutableFile(atPath: binary), "build the concord executable first (swift build --build-tests): \(binary)")
        var options = ChaosOptions(seed: seed, executable: binary, makeConnectors: { try StandardConnectors.make(config: $0) })
        options.records = 30
        options.seconds = 10
        let r = try await ChaosRun.run(options)
        #expect(r.driverChanges > 0, "seed \(seed): the simulated user made changes")
        let replay = "concord bench chaos --runs 1 --seed \(seed) --records 30 --seconds 10"
        #expect(r.clean, "seed \(seed) (replay: \(replay)); faults \(r.faults); \(r.problems); files in \(r.directory)")
    }
}
