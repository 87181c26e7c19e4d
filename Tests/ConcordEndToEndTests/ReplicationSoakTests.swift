import ConcordDemo
import Foundation
import Testing

/// A few seeded runs of the replication soak (`concord bench replicate-soak` runs as many as
/// wanted): a hub and an edge process over a lossy proxy, partitions, `kill -9`, clock skew.
@Suite("Replication soak", .serialized)
struct ReplicationSoakTests {
    @Test("a seeded soak run ends with equal digests, no lost write, and one empty round trip in sync",
          arguments: [UInt64(1), 2, 3, 4])
    func soakRun(seed: UInt64) async throws {
        let binary = KillNineTests.concordBinary
        #expect(FileManager.default.isExecutableFile(atPath: binary), "build the concord executable first (swift build --build-tests): \(binary)")
        let r = await ReplicationSoak.run(.init(executable: binary, seed: seed, chaosSeconds: 3, workDirectory: NSTemporaryDirectory()))
        #expect(r.hubWrites > 0 && r.edgeWrites > 0, "seed \(seed): both sides edited (hub \(r.hubWrites), edge \(r.edgeWrites))")
        #expect(r.requests > 0, "seed \(seed): the edge reached the hub through the proxy")
        #expect(r.ok, "seed \(seed) (replay: concord bench replicate-soak --runs 1 --seed \(seed) --seconds 3): \(r.failure ?? "")")
    }
}
