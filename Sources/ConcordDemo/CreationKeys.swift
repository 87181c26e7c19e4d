import ConcordCore
import ConcordMapping
import CRMEmulators

/// The match-key values each record Concord created held when Concord created it, read
/// from the emulators' field histories.
///
/// A record Concord created is part of a duplicate it made only if it carried the group's
/// key at creation: created beside a record it should have matched. A record created
/// without that key (say a contact with no email) that got it later from a person's edit or
/// merge (a Salesforce merge fills the survivor's blank email from the merged-away person)
/// shares a key because of what people did; Concord keeps records apart that their CRM keeps
/// apart, and propagates such a merge as the CRM made it.
enum CreationKeys {
    /// crm -> CRM id -> canonical match-key values at creation.
    static func read(cluster: EmulatorCluster, config: ConcordConfig, created: [String: Set<String>]) -> [String: [String: Set<Value>]] {
        let mapper = RecordMapper(config: config)
        var out: [String: [String: Set<Value>]] = [:]
        for m in cluster.members {
            let crm = m.emulator.name
            guard let ids = created[crm], !ids.isEmpty else { continue }
            for (type, object) in DemoRunner.objectNames[crm] ?? [:] {
                guard let canonicalObject = config.objects.first(where: { config.mapping(crm: crm, object: $0.name)?.crmObject == object })?.name,
                      let mapping = config.mapping(crm: crm, object: canonicalObject),
                      let keys = config.sync.objects[canonicalObject]?.matchKeys, !keys.isEmpty else { continue }
                let keyFields = Set(mapping.fields.filter { keys.contains($0.canonical) }.map(\.crmField))
                for id in ids {
                    guard let record = m.emulator.control.store.get(type, id, includeDeleted: true) else { continue }
                    var raw: [String: WireValue] = [:]
                    for field in keyFields {
                        // History is newest first; the oldest entry is the value at creation
                        // when it is stamped no later than the record's creation.
                        if let first = record.history[field]?.last, first.timestamp <= record.createdAt {
                            raw[field] = DemoRunner.wire(first.value)
                        }
                    }
                    guard !raw.isEmpty, let values = try? mapper.inbound(crm: crm, object: canonicalObject, raw: raw).values else { continue }
                    let held = Set(keys.compactMap { values[$0] }.filter { !$0.isBlank })
                    if !held.isEmpty { out[crm, default: [:]][id] = held }
                }
            }
        }
        return out
    }
}
