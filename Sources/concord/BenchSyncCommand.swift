import ArgumentParser
import ConcordConnectors
import ConcordDemo
import Foundation

/// `concord bench sync`: end-to-end sync throughput and API calls per record.
struct BenchSyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Measure an initial and an incremental sync against in-process emulators (rate limits off)."
    )

    @Option(help: "Seeded people per CRM.") var records = 2_500
    @Option(help: "Records edited per CRM before the incremental sync.") var edits = 100
    @Option(help: "Seed of the data.") var seed: UInt64 = 11
    @Flag(help: "Print one JSON object.") var json = false

    func run() async throws {
        let quiet = json
        let r = try await SyncBench.run(records: records, edits: edits, seed: seed,
                                        makeConnectors: { try StandardConnectors.make(config: $0) },
                                        progress: { if !quiet { FileHandle.standardError.write(Data(("  ... " + $0 + "\n").utf8)) } })
        if json {
            print(try Render.json(r))
            return
        }
        print("concord bench sync: \(r.recordsPerCRM) people per CRM, \(r.seededRecords) records seeded across 3 CRMs")
        print(String(format: "  initial sync      %.1f s, %d passes, %.0f records/s (%d pulled + %d written)",
                     r.initialSeconds, r.initialPasses, r.initialRecordsPerSecond, r.initialRecordsPulled, r.initialRecordsWritten))
        print(String(format: "                    %d API calls, %.3f per record; floor ceil(n/page)+ceil(n/batch) = %d",
                     r.initialAPICalls, r.initialCallsPerRecord, r.initialAPICallFloor))
        print(String(format: "  incremental sync  %d edits, %.2f s, %.0f records/s, %d written, %d API calls (floor %d)",
                     r.incrementalEdits, r.incrementalSeconds, r.incrementalRecordsPerSecond, r.incrementalRecordsWritten,
                     r.incrementalAPICalls, r.incrementalAPICallFloor))
        print("  converged: \(r.converged ? "yes" : "NO")")
    }
}
