import ConcordConnectors
import ConcordCore
import ConcordEngine
import ConcordMapping
import CRMEmulators
import Foundation
import Logging

/// `concord bench sync`: end-to-end initial and incremental sync against in-process
/// emulators with rate limits off; records per second and API calls per record against
/// the floor.
public enum SyncBench {
    /// Figures of one run.
    public struct Report: Codable, Sendable {
        public var recordsPerCRM: Int
        /// Records that exist in the CRMs at the start (all objects, all CRMs).
        public var seededRecords: Int
        public var initialSeconds: Double
        public var initialPasses: Int
        /// Records read plus records written during the initial sync, per second.
        public var initialRecordsPerSecond: Double
        public var initialRecordsPulled: Int
        public var initialRecordsWritten: Int
        public var initialAPICalls: Int
        public var initialAPICallFloor: Int
        public var initialCallsPerRecord: Double
        public var incrementalEdits: Int
        public var incrementalSeconds: Double
        public var incrementalRecordsPerSecond: Double
        public var incrementalAPICalls: Int
        public var incrementalAPICallFloor: Int
        public var incrementalRecordsWritten: Int
        public var converged: Bool
    }

    /// Runs the benchmark; `edits` records per CRM are edited between the initial and the
    /// incremental sync.
    public static func run(records: Int, edits: Int, seed: UInt64,
                           makeConnectors: @Sendable (ConcordConfig) throws -> [any CRMConnector],
                           progress: @Sendable (String) -> Void) async throws -> Report {
        var faults = FaultSettings.Patch()
        faults.rateLimitsEnabled = false
        let cluster = try await EmulatorCluster.start(ClusterOptions(crms: ["salesforce", "hubspot", "dynamics"], port: 0, seed: seed,
                                                                      records: records, faults: faults))
        defer { Task { await cluster.stop() } }
        let config = try ConfigLoader.load(text: cluster.configYAML, file: "<bench>")
        let connectors = try makeConnectors(config)
        let path = NSTemporaryDirectory() + "concord-bench-sync-\(UUID().uuidString).sqlite"
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
        var logger = Logger(label: "concord.bench")
        logger.logLevel = .error
        let engine = try SyncEngine(storePath: path, config: config, connectors: connectors, wallClock: .system, logger: logger)
        let seeded = cluster.members.map { m in
            m.emulator.control.store.read { state in state.records.values.reduce(0) { $0 + $1.values.filter { !$0.isDeleted }.count } }
        }.reduce(0, +)

        progress("initial sync of \(seeded) seeded records (\(records) people per CRM)")
        let t0 = Date()
        let initial = await engine.syncToConvergence(maxPasses: 8)
        let initialSeconds = Date().timeIntervalSince(t0)
        let (iPulled, iWritten, iCalls, iFloor) = totals(initial, connectors)

        progress("editing \(edits) records per CRM, then an incremental sync")
        let driver = DemoRunner.userDriver(cluster, seed: seed &+ 5)
        var made = 0
        for _ in 0..<(edits * 3 * 4) where made < edits * 3 {
            if let c = driver.step(), c.kind == .edit { made += 1 }
        }
        let t1 = Date()
        let incremental = await engine.syncToConvergence(maxPasses: 8)
        let incSeconds = Date().timeIntervalSince(t1)
        let (nPulled, nWritten, nCalls, nFloor) = totals(incremental, connectors)
        let converged = incremental.last.map { !$0.wroteAnything } ?? false
        return Report(recordsPerCRM: records, seededRecords: seeded, initialSeconds: initialSeconds, initialPasses: initial.count,
                      initialRecordsPerSecond: Double(iPulled + iWritten) / initialSeconds, initialRecordsPulled: iPulled,
                      initialRecordsWritten: iWritten, initialAPICalls: iCalls, initialAPICallFloor: iFloor,
                      initialCallsPerRecord: Double(iCalls) / Double(max(1, iPulled + iWritten)),
                      incrementalEdits: driver.log.count, incrementalSeconds: incSeconds,
                      incrementalRecordsPerSecond: Double(nPulled + nWritten) / incSeconds, incrementalAPICalls: nCalls,
                      incrementalAPICallFloor: nFloor, incrementalRecordsWritten: nWritten, converged: converged)
    }

    /// Records pulled, written, API calls and the floor `sum ceil(pulled/page) + ceil(written/batch)`
    /// per CRM and pass, where every object type needs at least its own page and batch.
    static func totals(_ reports: [PassReport], _ connectors: [any CRMConnector]) -> (Int, Int, Int, Int) {
        var pulled = 0, written = 0, calls = 0, floor = 0
        for r in reports {
            for c in connectors {
                guard let x = r.replicas[c.name] else { continue }
                let w = x.created + x.updated + x.deleted
                pulled += x.pulled
                written += w
                calls += x.apiCalls.total
                floor += DemoRunner.ceilDiv(x.pulled, c.pullPageSize) + DemoRunner.ceilDiv(w, c.pushBatchSize)
            }
        }
        return (pulled, written, calls, floor)
    }
}
