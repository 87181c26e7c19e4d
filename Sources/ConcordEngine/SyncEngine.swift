import ConcordConnectors
import ConcordCore
import ConcordMapping
import ConcordStore
import Foundation
import Logging

/// The sync engine: keeps every configured CRM in sync with the others, field by field.
///
/// One pass pulls each replica since its cursor, maps and validates each record, diffs it
/// against that replica's shadow, stamps the new edits (the CRM's modification time as the
/// physical input, clamped by the skew guard), merges them, plans outbound changes for every
/// replica into the outbox, and commits merge, shadows, links, outbox and cursor in one
/// transaction per page. Then it pushes each replica's outbox in batches, referenced records
/// first, and records what each CRM accepted in its shadow, so the echo of Concord's own
/// writes is no change on the next pull. A CRM that fails parks its work; the others go on.
///
/// The engine owns its store: every store access runs on the engine's executor.
public actor SyncEngine {
    /// A shadow field marking a record deleted in that replica (so it is not re-created).
    public static let deletedMarker = "_deleted"
    /// A shadow field holding the row version the CRM last showed (Dataverse `@odata.etag`):
    /// updates are conditional on it, so an edit made since Concord read the row is never
    /// overwritten unseen (the CRM answers 412 and the next pass merges the edit first).
    public static let versionMarker = "_version"

    let store: ConcordStore
    let config: ConcordConfig
    let connectors: [String: any CRMConnector]
    let wallClock: WallClock
    let maxOffsetMillis: UInt64
    let order: [String]
    let telemetry: EngineTelemetry
    var lastErrors: [String: String] = [:]
    var running = false
    var progressHandler: (@Sendable (SyncProgress) -> Void)?
    /// Set by ``requestStop()``: the pass in flight stops after its current page or batch.
    var stopping = false
    /// Whether this engine retried the quarantine yet (its first pass always does).
    var quarantineRetriedOnce = false

    /// Creates an engine over a store file and connectors (one per configured CRM name).
    public init(storePath: String, config: ConcordConfig, connectors: [any CRMConnector], wallClock: WallClock,
                logger: Logger = Logger(label: "concord.engine")) throws(StoreError) {
        // Record values stay out of logs and stored errors unless CONCORD_LOG_VALUES=1.
        let keepValues = ProcessInfo.processInfo.environment["CONCORD_LOG_VALUES"] == "1"
        let redact: @Sendable (String) -> String = { text in keepValues ? text : ValueRedaction.redact(text) }
        self.telemetry = EngineTelemetry(logger: logger, redact: redact)
        let offset = UInt64(max(1, config.sync.maxClockOffsetSeconds)) * 1000
        if let warning = StoreFileMode.exposure(of: storePath) { logger.warning("\(warning)") }
        self.store = try ConcordStore.open(path: storePath, wallClock: wallClock, maxOffsetMillis: offset)
        store.errorFilter = redact
        self.config = config
        self.connectors = Dictionary(connectors.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        self.wallClock = wallClock
        self.maxOffsetMillis = offset
        self.order = ObjectOrder.sorted(config)
    }

    /// The replicas that take part: every configured CRM (planning covers all of them;
    /// pulls and pushes need a connector).
    var replicas: [String] { config.activeCRMs }

    /// Runs one pass. With `dryRun`, everything is computed and reported but nothing is
    /// written to any CRM or kept in the store.
    public func runPass(dryRun: Bool = false) async -> PassReport {
        guard !running else {
            var r = PassReport()
            r.replicas["engine"] = { var x = PassReport.Replica(); x.lastError = "a pass is already running"; return x }()
            return r
        }
        running = true
        defer { running = false }
        var report = PassReport()
        let callsBefore = await callCounts()
        if dryRun {
            // Everything a dry run does happens inside one transaction it rolls back: one that
            // cannot be opened (another process holds the write lock) must not run for real.
            do throws(StoreError) { try store.beginDryRun() } catch {
                report.aborted = "the dry run could not open its transaction, so nothing was read or written: \(error)"
                return report
            }
        }
        for name in replicas {
            var r = report.replicas[name] ?? PassReport.Replica()
            // Creates with an unknown outcome first: pulled unreconciled, a record Concord
            // created would be taken for a new one.
            await reconcileSending(replica: name, into: &r)
            if !r.parked { await pull(replica: name, into: &r, report: &report) }
            report.replicas[name] = r
        }
        await refreshHolds(into: &report)
        // Retried when something can have changed what it waits for (a record or link read
        // this pass, or a first pass with a configuration that may be new): a quiet pass
        // leaves a large quarantine alone.
        if !quarantineRetriedOnce || report.replicas.values.contains(where: { $0.pulled > 0 }) {
            quarantineRetriedOnce = true
            do { report.quarantineRetried = try retryQuarantined(keys: nil, report: &report).count } catch {
                report.replicas["engine", default: PassReport.Replica()].lastError = "retrying the quarantine failed: \(error)"
            }
        }
        await pushAll(into: &report, dryRun: dryRun)
        if dryRun { try? store.rollbackDryRun() }
        await finish(&report, callsBefore: callsBefore, dryRun: dryRun)
        stopping = false
        return report
    }

    /// Whether a stop was requested; marks the replica's work as parked when so.
    func stopRequested(_ r: inout PassReport.Replica) -> Bool {
        guard stopping else { return false }
        r.parked = true
        r.lastError = r.lastError ?? "stopped on request; the rest waits for the next pass"
        return true
    }

    /// Runs passes until one is quiet (or `maxPasses`), returning every report: a quiet pass
    /// writes nothing, leaves no open work in the outbox and parks nothing.
    ///
    /// A quiet pass proves convergence only if it started at least the connectors' settle
    /// time after the last change Concord wrote or was told of; otherwise the engine waits
    /// that long and looks again. A parked pass (a CRM throttled or offline) is followed by
    /// a second's pause. `onPass` sees each report with its number as it ends.
    public func syncToConvergence(maxPasses: Int = 6, onPass: (Int, PassReport) -> Void = { _, _ in }) async -> [PassReport] {
        let settle = connectors.values.map(\.settleMillis).max() ?? 0
        var reports: [PassReport] = []
        var lastActivity = wallClock.nowMillis()
        for _ in 0..<maxPasses {
            let started = wallClock.nowMillis()
            let r = await runPass()
            reports.append(r)
            onPass(reports.count, r)
            let parked = r.replicas.values.contains(where: \.parked)
            let quiet = !r.wroteAnything && !parked && ((try? store.outboxDepth().values.reduce(0, +) == 0) ?? true)
            if !quiet {
                lastActivity = wallClock.nowMillis()
                if parked { try? await Task.sleep(nanoseconds: 1_000_000_000) }
                continue
            }
            if started >= lastActivity + settle { break }
            let wait = lastActivity + settle - started
            try? await Task.sleep(nanoseconds: wait * 1_000_000)
        }
        return reports
    }

    /// Stops the pass in flight after the page or batch it is on (committed, or parked in
    /// the outbox): what is left waits for the next pass. For SIGINT and SIGTERM.
    public func requestStop() { stopping = true }

    /// Receives progress after every page pulled and every batch pushed.
    public func onProgress(_ handler: @escaping @Sendable (SyncProgress) -> Void) { progressHandler = handler }

    func progress(_ phase: SyncProgress.Phase, _ replica: String, _ object: String, _ records: Int, finished: Bool = false) {
        progressHandler?(SyncProgress(phase: phase, replica: replica, object: object, records: records, finished: finished))
    }

    /// The last error per replica, across passes.
    public func errors() -> [String: String] { lastErrors }

    /// Runs `body` with the store (for status, inspect, restore and tests).
    public func withStore<T: Sendable>(_ body: (ConcordStore) throws -> T) rethrows -> T { try body(store) }

    /// Brings a deleted record back everywhere on the next push.
    public func restore(_ id: RecordID) throws -> Bool {
        guard try store.restore(id), let rec = try store.record(id) else { return false }
        try plan(id, objectType: rec.objectType)
        try replanReferrers(of: id)
        return true
    }
}

extension ConnectorError {
    /// Whether the whole replica must wait (throttled, out of quota, unreachable, refused
    /// credentials) rather than just this object or batch (not served, invalid).
    var parksReplica: Bool {
        switch code {
        case .rateLimited, .quotaExhausted, .transient, .authentication: return true
        case .notFound, .conflict, .validation, .permanent: return false
        }
    }
}
