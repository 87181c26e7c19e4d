import ConcordConnectors
import ConcordCore
import ConcordDemo
import ConcordEngine
import ConcordHTTP
import ConcordMapping
import ConcordStore
import CRMEmulators
import Foundation
import Logging

/// Three emulators on loopback, the standard connectors over libcurl, and an engine on a
/// temp store: the real stack, end to end.
struct Stack {
    let cluster: EmulatorCluster
    let config: ConcordConfig
    let configPath: String
    let storePath: String

    static func start(people: Int, seed: UInt64, rateLimits: Bool = false) async throws -> Stack {
        var faults = FaultSettings.Patch()
        faults.rateLimitsEnabled = rateLimits
        let cluster = try await EmulatorCluster.start(ClusterOptions(crms: ["salesforce", "hubspot", "dynamics"], port: 0, seed: seed,
                                                                      records: people, faults: faults))
        let yaml = cluster.configYAML
        let dir = NSTemporaryDirectory() + "concord-e2e-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try yaml.write(toFile: dir + "/concord.yaml", atomically: true, encoding: .utf8)
        return Stack(cluster: cluster, config: try ConfigLoader.load(text: yaml, file: "concord.yaml"),
                     configPath: dir + "/concord.yaml", storePath: dir + "/concord.sqlite")
    }

    func engine(breakerCoolDown: Duration = .seconds(30)) throws -> (SyncEngine, [any CRMConnector]) {
        let connectors = try StandardConnectors.make(config: config, breaker: CircuitBreakerPolicy(failureThreshold: 5, coolDown: breakerCoolDown))
        var logger = Logger(label: "e2e")
        logger.logLevel = .critical
        return (try SyncEngine(storePath: storePath, config: config, connectors: connectors, wallClock: .system, logger: logger), connectors)
    }

    func emulator(_ name: String) -> any CRMEmulator { cluster.members.first { $0.emulator.name == name }!.emulator }

    func faults(_ name: String, _ patch: FaultSettings.Patch) { emulator(name).control.applyFaults(patch) }

    /// Live record ids of an emulator type.
    func ids(_ crm: String, _ type: String) -> Set<String> { Set(emulator(crm).control.store.all(type).map(\.id)) }

    /// A person edits a record in a CRM (through the emulator's store, as the CRM's UI would).
    func userEdit(_ crm: String, _ type: String, _ id: String, _ changes: [String: JSONValue]) throws {
        _ = try emulator(crm).control.store.transaction { tx in try tx.update(type, id: id, changes: changes, source: "CRM_UI") }
    }

    func stop() async {
        await cluster.stop()
        try? FileManager.default.removeItem(atPath: (configPath as NSString).deletingLastPathComponent)
    }
}

/// A record alive in Concord and linked in all three CRMs.
struct LinkedRecord {
    let gid: RecordID
    let state: RecordState
    /// CRM name -> the record's id there.
    let ids: [String: String]

    /// The record a reference field names, if set.
    func reference(_ field: String) -> RecordID? {
        guard case .reference(let id)? = state.entries.first(where: { $0.name == field })?.register.value else { return nil }
        return id
    }
}

extension ConcordStore {
    /// The records of `objects` alive and linked in Salesforce, HubSpot and Dataverse that
    /// satisfy `include`, in the order of their ids in `replica` (so a seed picks the same ones).
    func linkedEverywhere(_ objects: [String], orderedBy replica: String,
                          where include: (LinkedRecord) throws -> Bool = { _ in true }) throws -> [LinkedRecord] {
        var out: [LinkedRecord] = []
        for object in objects {
            for (_, gid) in try links(replica: replica, objectType: object).sorted(by: { $0.key < $1.key }) {
                guard let rec = try record(gid), rec.state.isAlive else { continue }
                let ids = try links(of: gid)
                guard ["salesforce", "hubspot", "dynamics"].allSatisfy({ ids[$0] != nil }) else { continue }
                let linked = LinkedRecord(gid: gid, state: rec.state, ids: ids)
                if try include(linked) { out.append(linked) }
            }
        }
        return out
    }
}
