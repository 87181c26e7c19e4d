import ConcordCore
import ConcordEngine
import ConcordMapping
import ConcordStore
import CRMEmulators
import Foundation

/// A diagnostic for a demo that did not converge (`CONCORD_DEMO_TRACE=1`): for each
/// divergent record, what every emulator holds (fields, per-field history with who wrote
/// it, merges, deletion, associations), what Concord's shadow says the CRM holds, and what
/// is still in the outbox. Written to standard error.
enum DivergenceTrace {
    static var enabled: Bool { ProcessInfo.processInfo.environment["CONCORD_DEMO_TRACE"] == "1" }

    static func write(_ divergences: [String], cluster: EmulatorCluster, config: ConcordConfig, engine: SyncEngine,
                      driverLog: [DriverChange]) async {
        var seen: Set<String> = []
        for line in divergences {
            let parts = line.split(separator: " ")
            guard parts.count > 1, let gid = RecordID(parts[1]), seen.insert("\(gid)").inserted else { continue }
            let object = String(parts[0])
            var out = "TRACE \(line)\n"
            let links = (try? await engine.withStore { try $0.links(of: gid) }) ?? [:]
            for m in cluster.members {
                let crm = m.emulator.name
                guard let mapping = config.mapping(crm: crm, object: object) else { continue }
                let type = DemoRunner.objectNames[crm]?.first { $0.value == mapping.crmObject }?.key ?? mapping.crmObject
                let shadow = (try? await engine.withStore { try $0.shadow(replica: crm, record: gid) }) ?? [:]
                let outbox = (try? await engine.withStore { s in
                    try [OutboxItem.State.pending, .sending, .failed].flatMap { try s.outbox(replica: crm, state: $0) }.filter { $0.record == gid }
                }) ?? []
                out += "  \(crm) \(type) id=\(links[crm] ?? "-")\n"
                out += "    shadow: " + shadow.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") + "\n"
                for item in outbox { out += "    outbox: \(item.operation) \(item.state) \(item.payload) \(item.lastError ?? "")\n" }
                guard let id = links[crm], let rec = m.emulator.control.store.get(type, id, includeDeleted: true) else { continue }
                out += "    record: deleted=\(rec.deletedAt.map(String.init) ?? "no") merged=\(rec.mergedIds) modified=\(rec.modifiedAt)\n"
                for (field, history) in rec.history.sorted(by: { $0.key < $1.key }) {
                    out += "    \(field): " + history.prefix(4).map { "\($0.value.textForm ?? "null")@\($0.timestamp)/\($0.source)" }.joined(separator: " <- ") + "\n"
                }
                for bucket in ["assoc:\(type)>companies", "assoc:\(type)>contacts"] {
                    let links = m.emulator.control.store.lookup(bucket, field: "from", equals: .string(id), includeDeleted: true)
                    for l in links { out += "    \(bucket) \(l.id) deleted=\(l.isDeleted)\n" }
                }
                for c in driverLog where c.crm == crm && (c.id == id || c.mergedID == id) {
                    out += "    driver: \(c.kind) \(c.field ?? "") \(c.value?.textForm ?? "") merged=\(c.mergedID ?? "") at \(c.at)\n"
                }
            }
            FileHandle.standardError.write(Data(out.utf8))
        }
    }
}
