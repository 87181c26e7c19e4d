import ConcordConnectors
import ConcordDemo
import Foundation
import Testing

/// `concord demo` itself, small: seeded overlapping data and the simulated user editing,
/// creating, deleting and merging in all three CRMs during the sync; then the read-back.
// Seeds 7 and 8 failed about one run in ten at stop 12 (a Dataverse duplicate; a city edit
// overwritten by an older HubSpot edit); fixed since: HubSpot field times (an older edit
// stamped with its record's later time), a create that waits for a deleted copy's delete,
// Dataverse merges. Issue #11's note lists the seeds run since. `concord demo --records 120 --seed N --driver-rate 25
// --no-rate-limits` runs the same check by hand, for any seed.
@Suite("The demo", .serialized)
struct DemoRunTests {
    @Test("a small demo with the simulated user on converges, loses no edit and creates no duplicate", arguments: [UInt64(7), 8])
    func smallDemo(seed: UInt64) async throws {
        var options = DemoOptions(makeConnectors: { try StandardConnectors.make(config: $0) })
        options.records = 120
        options.seed = seed
        options.driverRate = 25
        options.rateLimits = false
        let report = try await DemoRunner.run(options)
        #expect(report.driverChanges > 0, "the simulated user made changes during the sync")
        #expect(report.converged, "seed \(seed): \(report.divergences.prefix(5))")
        #expect(report.lostUpdates == 0, "seed \(seed): \(report.lostUpdateExamples.prefix(5))")
        #expect(report.duplicatesCreated == 0, "seed \(seed): \(report.duplicateExamples)")
        // Batched: far fewer calls than records moved (a tool making a call per record is what
        // users escape). At this size the fixed cost of each pass (a poll per object, the pull
        // again before pushing, HubSpot's read before updating) weighs most.
        let calls = report.crms.map { "\($0.name) \($0.apiCalls) calls for \($0.pulled) pulled + \($0.created + $0.updated + $0.deleted) written" }
        #expect(report.crms.count == 3 && report.crms.allSatisfy { $0.apiCalls > 0 && $0.apiCalls * 2 <= $0.pulled + $0.created + $0.updated + $0.deleted },
                "at most one call per 2 records moved: \(calls)")
    }
}
