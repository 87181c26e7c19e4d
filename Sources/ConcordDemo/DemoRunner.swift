import ConcordConnectors
import ConcordCore
import ConcordEngine
import ConcordMapping
import ConcordStore
import CRMEmulators
import Foundation
import Logging

/// `concord demo`: three emulated CRMs with seeded, overlapping data, a human-user driver
/// editing them while Concord syncs, then a read-back of every CRM to check convergence,
/// lost updates and duplicates.
public enum DemoRunner {
    /// Emulator record types per CRM (the driver logs these) and the CRM object names the
    /// connectors use for them.
    static let objectNames: [String: [String: String]] = [
        "salesforce": ["Contact": "Contact", "Account": "Account", "Opportunity": "Opportunity"],
        "hubspot": ["contacts": "contacts", "companies": "companies", "deals": "deals"],
        "dynamics": ["contact": "contacts", "account": "accounts", "opportunity": "opportunities"],
    ]

    /// Runs the demo and returns its report.
    public static func run(_ o: DemoOptions) async throws -> DemoReport {
        let started = Date()
        o.progress("starting emulators of Salesforce, HubSpot and Dataverse with \(o.records) seeded people each (seed \(o.seed))")
        var faults = FaultSettings.Patch()
        faults.rateLimitsEnabled = o.rateLimits
        let cluster = try await EmulatorCluster.start(ClusterOptions(crms: ["salesforce", "hubspot", "dynamics"], port: 0, seed: o.seed,
                                                                      records: o.records, faults: faults))
        defer { Task { await cluster.stop() } }
        let config = try ConfigLoader.load(text: cluster.configYAML, file: "<demo>")
        let connectors = try o.makeConnectors(config)
        let storePath = o.storePath ?? NSTemporaryDirectory() + "concord-demo-\(UUID().uuidString).sqlite"
        var logger = Logger(label: "concord.demo")
        logger.logLevel = .error
        let engine = try SyncEngine(storePath: storePath, config: config, connectors: connectors, wallClock: .system, logger: logger)

        let before = recordIDs(cluster)
        let initial = LostUpdates.initialValues(cluster)
        cluster.trackServedRecords()
        let driver = userDriver(cluster, seed: o.seed &+ 99)
        let driverTask = o.driverRate > 0 ? driver.start(perSecond: o.driverRate) : nil
        if driverTask != nil { o.progress("human-user driver editing all three CRMs at \(Int(o.driverRate)) changes/s during the sync") }

        let passNumber = Counter()
        await engine.onProgress { p in
            let line = "pass \(passNumber.value): \(p.description)"
            if let status = o.status { status(line) } else if p.finished { o.progress(line) }
        }
        var reports: [PassReport] = []
        var propagation: DemoReport.Propagation?
        if o.serve {
            let served = try await ServedPhase.run(o, cluster: cluster, config: config, engine: engine, logger: logger)
            reports += served.reports
            propagation = served.propagation
        } else {
            for pass in 1...max(1, o.passesWithDriver) {
                passNumber.set(pass)
                let r = await engine.runPass()
                reports.append(r)
                o.progress(line(pass: pass, r))
            }
        }
        driverTask?.cancel()
        _ = await driverTask?.value
        o.progress("driver stopped after \(driver.log.count) changes; syncing to convergence")
        let base = reports.count
        passNumber.set(base + 1)
        reports += await engine.syncToConvergence(maxPasses: 20) { n, r in
            o.progress(line(pass: base + n, r))
            passNumber.set(base + n + 1)
        }
        let syncSeconds = Date().timeIntervalSince(started)
        var calls: [String: Int] = [:]
        for c in connectors { calls[c.name] = await c.apiCalls().total }

        o.progress("reading every CRM back through its API to check convergence")
        let readBack = try await ReadBack.read(config: config, connectors: connectors, engine: engine)
        let facts = try await ReadBack.Facts.read(engine, config: config)
        let comparison = readBack.compare(config: config, crms: connectors.map(\.name), facts: facts)
        if DivergenceTrace.enabled {
            await DivergenceTrace.write(comparison.divergences, cluster: cluster, config: config, engine: engine, driverLog: driver.log)
            // The user's changes and what each CRM holds, beside the store, to trace a lost update.
            try? JSONEncoder().encode(driver.log).write(to: URL(fileURLWithPath: storePath + ".driver-log.json"))
            var states: [String: StoreState] = [:]
            for m in cluster.members { states[m.emulator.name] = m.emulator.control.store.snapshot() }
            try? JSONEncoder().encode(states).write(to: URL(fileURLWithPath: storePath + ".emulators.json"))
            FileHandle.standardError.write(Data("trace: store \(storePath), driver log and emulator states beside it\n".utf8))
        }
        let lost = try await LostUpdates.judge(driver.log, initial: initial, config: config, engine: engine, readBack: readBack,
                                              refusedBy: facts.explainedRefusal,
                                              quarantinedIn: { facts.quarantined.contains("\($0):\($1)") },
                                               unobservable: LostUpdates.unobservable(driver.log, cluster: cluster))
        let created = try await concordCreated(before: before, driverLog: driver.log, engine: engine, config: config)
        let duplicates = duplicatesCreated(readBack: readBack, created: created,
                                           creationKeys: CreationKeys.read(cluster: cluster, config: config, created: created))

        var result = try await report(o, reports: reports, calls: calls, readBack: readBack, comparison: comparison, lost: lost,
                                      duplicates: duplicates, before: before, driverChanges: driver.log.count, engine: engine,
                                      config: config, connectors: connectors, seconds: syncSeconds)
        result.propagation = propagation
        return result
    }

    /// The ids of the records the simulated user works on, per CRM (to tell Concord's creates apart).
    static func recordIDs(_ cluster: EmulatorCluster) -> [String: Set<String>] {
        var ids: [String: Set<String>] = [:]
        for m in cluster.members {
            for type in objectNames[m.emulator.name]?.keys.sorted() ?? [] {
                ids[m.emulator.name, default: []].formUnion(m.emulator.control.store.all(type).map(\.id))
            }
        }
        return ids
    }

    /// The simulated user of all three CRMs (its choices drawn from `seed`), each merging as
    /// that CRM does.
    static func userDriver(_ cluster: EmulatorCluster, seed: UInt64) -> HumanUserDriver {
        HumanUserDriver(profiles: cluster.members.compactMap { m in
            switch m.emulator {
            case let sf as SalesforceEmulator: return .salesforce(sf)
            case let hs as HubSpotEmulator: return .hubspot(hs)
            case let dv as DataverseEmulator: return .dynamics(dv)
            default: return nil
            }
        }, seed: seed)
    }

    /// The pass number the progress handler prints.
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var n = 0
        var value: Int { lock.withLock { n } }
        func set(_ v: Int) { lock.withLock { n = v } }
    }

    static func line(pass: Int, _ r: PassReport) -> String {
        let pulled = r.replicas.values.map(\.pulled).reduce(0, +)
        let written = r.replicas.values.map { $0.created + $0.updated + $0.deleted }.reduce(0, +)
        let parked = r.replicas.filter { $0.value.parked }.keys.sorted()
        return "pass \(pass): pulled \(pulled), wrote \(written), conflicts \(r.conflicts), quarantined "
            + "\(r.replicas.values.map(\.quarantined).reduce(0, +))" + (parked.isEmpty ? "" : ", parked: " + parked.map { "\($0) (\(r.replicas[$0]?.lastError?.prefix(160) ?? ""))" }.joined(separator: ", "))
    }

    static func wire(_ v: JSONValue) -> WireValue {
        switch v {
        case .string(let s): return .string(s)
        case .bool(let b): return .bool(b)
        case .null: return .null
        default: return .string("\(v)")
        }
    }

    /// CRM ids Concord created: linked ids that were neither seeded nor created by the driver.
    static func concordCreated(before: [String: Set<String>], driverLog: [DriverChange], engine: SyncEngine,
                               config: ConcordConfig) async throws -> [String: Set<String>] {
        var byDriver: [String: Set<String>] = [:]
        for c in driverLog where c.kind == .create { byDriver[c.crm, default: []].insert(c.id) }
        return try await engine.withStore { s in
            var out: [String: Set<String>] = [:]
            for crm in config.activeCRMs {
                for object in config.objects.map(\.name) {
                    for id in try s.links(replica: crm, objectType: object).keys
                    where !(before[crm]?.contains(id) ?? false) && !(byDriver[crm]?.contains(id) ?? false) {
                        out[crm, default: []].insert(id)
                    }
                }
            }
            return out
        }
    }

    /// Groups of records with one natural key in one CRM that contain a record Concord created.
    ///
    /// Not counted: a group whose records are distinct Concord records that another CRM holds,
    /// not created by Concord, as a group with the same key: that CRM has the duplicate (say
    /// two Dataverse contacts sharing an email, which Dataverse allows), and Concord keeps
    /// records apart that their CRM keeps apart. A duplicate Concord made is one record
    /// created twice, or a record created beside the one it should have matched.
    /// A record Concord created counts only with the group's key among those it held at
    /// creation (`creationKeys`, see ``CreationKeys``); nil counts every record it created.
    static func duplicatesCreated(readBack: ReadBack, created: [String: Set<String>],
                                  creationKeys: [String: [String: Set<Value>]]? = nil) -> [String] {
        func createdWith(_ crm: String, _ id: String, _ key: Value) -> Bool {
            guard created[crm]?.contains(id) ?? false else { return false }
            guard let creationKeys else { return true }
            return creationKeys[crm]?[id]?.contains(key) ?? false
        }
        var out: [String] = []
        func mirrored(_ crm: String, _ object: String, _ key: Value, _ ids: [String]) -> Bool {
            let gids = ids.compactMap { readBack.linked[crm]?[$0] }
            guard gids.count == ids.count, Set(gids).count == gids.count else { return false }
            return readBack.byKey.contains { other, objects in
                guard other != crm, let group = objects[object]?[key] else { return false }
                let theirs = Set(group.filter { !(created[other]?.contains($0) ?? false) }.compactMap { readBack.linked[other]?[$0] })
                return Set(gids).isSubset(of: theirs)
            }
        }
        for (crm, objects) in readBack.byKey {
            for (object, groups) in objects {
                for (key, ids) in groups where ids.count > 1 && ids.contains(where: { createdWith(crm, $0, key) })
                    && !mirrored(crm, object, key, ids) {
                    out.append("\(crm) \(object) \(key): \(ids.sorted().map { created[crm]?.contains($0) == true ? "\($0) (created by Concord)" : $0 }.joined(separator: ", "))")
                }
            }
        }
        return out.sorted()
    }
}
