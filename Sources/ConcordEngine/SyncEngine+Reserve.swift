import ConcordConnectors
import ConcordCore
import ConcordMapping
import ConcordStore
import Foundation

/// A CRM record quarantined whole (it failed validation before Concord took it in) still
/// holds its identity there: Concord must not create beside it the same contact or company
/// coming from another CRM. Before a create, the CRM's quarantined records of the object are
/// searched for one with the record's natural key (email, domain); one found is linked to the
/// record instead of a create. Nothing of it is written over while its change waits in the
/// quarantine; the next retry takes it in as a record Concord holds, so its invalid fields
/// are held and the rest merges by time.
extension SyncEngine {
    /// The quarantined records of `object` in `replica`, by natural key value: those
    /// quarantined whole (not a hold of some fields of a linked record), not linked, and not
    /// quarantined for matching several records (linking one of those would pick a side).
    func quarantinedTwins(replica: String, object: String) throws(StoreError) -> [Value: String] {
        let keys = matchKeys(object)
        guard !keys.isEmpty else { return [:] }
        let mapper = RecordMapper(config: config)
        var out: [Value: String] = [:]
        for row in try store.quarantined(objectType: object) where row.replica == replica && !row.rule.hasPrefix("held:")
            && !row.rule.contains(ValidationFailure.Rule.ambiguousMatch.rawValue) {
            guard try store.linkedRecord(replica: replica, objectType: object, externalID: row.recordKey) == nil,
                  let entry = try? JSONDecoder().decode(QuarantineEntry.self, from: Data(row.input.utf8)),
                  let mapped = try? mapper.inbound(crm: replica, object: object, raw: entry.raw) else { continue }
            for key in keys { if let v = mapped.values[key], !v.isBlank, out[v] == nil { out[v] = row.recordKey } }
        }
        return out
    }

    /// The quarantined record in `replica` that is `rec` (same natural key), if any.
    func quarantinedTwin(of rec: StoredRecord, object: String, in twins: [Value: String]) -> String? {
        guard !twins.isEmpty else { return nil }
        return matchKeys(object).lazy.compactMap { self.matchKeyValue($0, object: object, in: rec.state).flatMap { twins[$0] } }.first
    }

    /// The reason a write to the CRM's record `link` must wait: the CRM's own change of it
    /// waits in the quarantine whole (Concord cannot take it in, so it cannot write over it).
    func quarantinedWhole(replica: String, object: String, link: String) throws(StoreError) -> String? {
        guard let row = try store.quarantineEntry(key: quarantineKey(replica, object, link)), !row.rule.hasPrefix("held:") else { return nil }
        return row.reason
    }
}
