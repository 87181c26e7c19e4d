import ConcordConnectors
import ConcordCore
import ConcordEngine
import ConcordMapping
import ConcordStore
import CRMEmulators
import Foundation
import Logging

/// What one chaos run does.
public struct ChaosOptions: Sendable {
    /// The run's seed: data, simulated user and faults all follow from it.
    public var seed: UInt64
    /// Seeded people per CRM.
    public var records = 40
    /// Length of the faulty phase, seconds.
    public var seconds = 15.0
    /// Simulated-user changes per second during the faulty phase.
    public var driverRate = 4.0
    /// The `concord` executable run as `concord sync --watch` (and killed).
    public var executable: String
    /// Where the run keeps its configuration, store and logs (a new temp folder by default).
    public var directory: String?
    /// Builds connectors for the in-process convergence passes: the CLI's wiring.
    public var makeConnectors: @Sendable (ConcordConfig) throws -> [any CRMConnector]
    /// Receives progress lines.
    public var progress: @Sendable (String) -> Void

    /// Creates options.
    public init(seed: UInt64, executable: String, makeConnectors: @escaping @Sendable (ConcordConfig) throws -> [any CRMConnector],
                progress: @escaping @Sendable (String) -> Void = { _ in }) {
        self.seed = seed
        self.executable = executable
        self.makeConnectors = makeConnectors
        self.progress = progress
    }
}

/// One chaos run's verdict.
public struct ChaosResult: Codable, Sendable {
    public var seed: UInt64
    /// The faults, in a few words.
    public var faults: String
    /// Passes the sync needed to converge once the faults stopped.
    public var passes: Int
    public var driverChanges: Int
    /// Times the sync process was killed with SIGKILL (and restarted).
    public var kills: Int
    public var converged: Bool
    public var divergences: Int
    public var lostUpdates: Int
    public var duplicatesCreated: Int
    public var integrityAlarms: UInt64
    /// Whether the sync process stopped on SIGTERM at the end (within the hang limit).
    public var stoppedOnSignal: Bool
    /// Converged, no update lost, no duplicate created, no integrity alarm, stopped on signal.
    public var clean: Bool
    /// The first examples of anything wrong.
    public var problems: [String]
    public var seconds: Double
    /// Where the run's configuration, store and sync logs are.
    public var directory: String
}

/// A seeded end-to-end run under faults: the three emulators with a simulated user editing,
/// creating, deleting and merging; a `concord sync --watch` process syncing them while the
/// plan's faults come and go and the process is killed with SIGKILL and restarted; then the
/// faults stop, the sync runs to convergence, and every CRM is read back and judged.
public enum ChaosRun {
    static let crms = ["salesforce", "hubspot", "dynamics"]

    /// Runs one seed.
    public static func run(_ o: ChaosOptions) async throws -> ChaosResult {
        let started = Date()
        let plan = ChaosPlan(seed: o.seed, crms: crms, duration: Int(o.seconds * 1000))
        let dir = o.directory ?? NSTemporaryDirectory() + "concord-chaos-\(o.seed)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var faults = FaultSettings.Patch()
        faults.rateLimitsEnabled = true
        var clusterOptions = ClusterOptions(crms: crms, port: 0, seed: o.seed, records: o.records, faults: faults)
        clusterOptions.clockSkewMs = plan.skew
        let cluster = try await EmulatorCluster.start(clusterOptions)
        defer { Task { await cluster.stop() } }
        let configPath = dir + "/concord.yaml", storePath = dir + "/concord.sqlite"
        try cluster.configYAML.write(toFile: configPath, atomically: true, encoding: .utf8)
        let config = try ConfigLoader.load(text: cluster.configYAML, file: configPath)

        let before = DemoRunner.recordIDs(cluster)
        let initial = LostUpdates.initialValues(cluster)
        cluster.trackServedRecords()
        let driver = DemoRunner.userDriver(cluster, seed: o.seed &+ 99)
        o.progress("seed \(o.seed): faults \(plan.summary)")

        // The faulty phase: the user edits, `concord sync --watch` syncs, faults come and go.
        var problems: [String] = []
        var launches = 0
        func launch() throws -> SyncProcess {
            launches += 1
            return try SyncProcess.start(executable: o.executable, config: configPath, store: storePath, log: dir + "/sync-\(launches).log")
        }
        var sync = try launch()
        let driverTask = driver.start(perSecond: o.driverRate)
        let members = Dictionary(uniqueKeysWithValues: cluster.members.map { ($0.emulator.name, $0.emulator.control) })
        var events: [(at: Int, act: Int)] = []  // act: window index (start), -1-index (end), or kill (Int.max)
        for (i, w) in plan.windows.enumerated() { events.append((w.start, i)); events.append((w.end, -1 - i)) }
        for k in plan.kills { events.append((k, Int.max)) }
        events.sort { $0.at < $1.at }
        let clock = ContinuousClock()
        let phaseStart = clock.now
        for event in events {
            let due = phaseStart + .milliseconds(event.at)
            if due > clock.now { try? await clock.sleep(until: due) }
            if event.act == Int.max {
                await sync.stop(signal: SIGKILL, limit: 60)
                try? await Task.sleep(nanoseconds: UInt64(plan.restartAfter) * 1_000_000)
                sync = try launch()
            } else if event.act >= 0 {
                let w = plan.windows[event.act]
                members[w.crm]?.applyFaults(ChaosPlan.patch(for: w))
            } else {
                let w = plan.windows[-1 - event.act]
                members[w.crm]?.applyFaults(ChaosPlan.calm)
            }
        }
        let end = phaseStart + .milliseconds(plan.duration)
        if end > clock.now { try? await clock.sleep(until: end) }
        driverTask.cancel()
        _ = await driverTask.value
        for control in members.values { control.applyFaults(ChaosPlan.calm) }
        let stopped = await sync.stop(signal: SIGTERM, limit: 120)
        if !stopped {
            problems.append("concord sync did not stop within 120 s of SIGTERM")
            await sync.stop(signal: SIGKILL, limit: 60)
        }

        // Faults off: sync to convergence in process, then read every CRM back.
        var logger = Logger(label: "concord.chaos")
        logger.logLevel = .error
        let connectors = try o.makeConnectors(config)
        let engine = try SyncEngine(storePath: storePath, config: config, connectors: connectors, wallClock: .system, logger: logger)
        let reports = await engine.syncToConvergence(maxPasses: 30)
        let passes = reports.count
        let depth = try await engine.withStore { try $0.outboxDepth().values.reduce(0, +) }
        let quiet = reports.last.map { !$0.wroteAnything && !$0.replicas.values.contains(where: \.parked) } == true && depth == 0
        if !quiet { problems.append("the sync still had work after \(passes) passes without faults") }
        let readBack = try await ReadBack.read(config: config, connectors: connectors, engine: engine)
        let facts = try await ReadBack.Facts.read(engine, config: config)
        let comparison = readBack.compare(config: config, crms: crms, facts: facts)
        let maxSkew = plan.skew.values.map { abs($0) }.max() ?? 0
        let lost = try await LostUpdates.judge(driver.log, initial: initial, config: config, engine: engine, readBack: readBack,
                                               concurrency: 1000 + 2 * maxSkew, realTime: { $0.at - (plan.skew[$0.crm] ?? 0) },
                                               refusedBy: facts.explainedRefusal,
                                               quarantinedIn: { facts.quarantined.contains("\($0):\($1)") },
                                               unobservable: LostUpdates.unobservable(driver.log, cluster: cluster))
        let created = try await DemoRunner.concordCreated(before: before, driverLog: driver.log, engine: engine, config: config)
        let duplicates = DemoRunner.duplicatesCreated(readBack: readBack, created: created,
                                                      creationKeys: CreationKeys.read(cluster: cluster, config: config, created: created))
        let alarms = try await engine.withStore { try $0.integrityAlarmCount() }
        let divergences = readBack.unreadable.map { "could not read back: \($0)" } + comparison.divergences
            + readBack.unlinked.map { "never linked: \($0)" }
        problems += divergences.prefix(3).map { "divergence: \($0)" }
        problems += lost.prefix(3).map { "lost update: \($0)" }
        problems += duplicates.prefix(3).map { "duplicate: \($0)" }
        if alarms > 0 { problems.append("\(alarms) integrity alarms (equal stamps, different values)") }
        let converged = divergences.isEmpty
        let clean = converged && lost.isEmpty && duplicates.isEmpty && alarms == 0 && stopped && quiet
        if !clean {
            // What each CRM holds and what the user did, to find the cause from the files alone.
            var states: [String: StoreState] = [:]
            for m in cluster.members { states[m.emulator.name] = m.emulator.control.store.snapshot() }
            try? JSONEncoder().encode(states).write(to: URL(fileURLWithPath: dir + "/emulators.json"))
            try? JSONEncoder().encode(driver.log).write(to: URL(fileURLWithPath: dir + "/driver-log.json"))
        }
        return ChaosResult(seed: o.seed, faults: plan.summary, passes: passes, driverChanges: driver.log.count, kills: plan.kills.count,
                           converged: converged, divergences: divergences.count, lostUpdates: lost.count,
                           duplicatesCreated: duplicates.count, integrityAlarms: alarms, stoppedOnSignal: stopped,
                           clean: clean,
                           problems: problems, seconds: Date().timeIntervalSince(started), directory: dir)
    }
}
