import ConcordConnectors
import ConcordCore
import ConcordMapping
import ConcordStore

/// How a record first seen in one CRM is matched to a record Concord already knows.
enum MatchResult {
    case found(RecordID)
    case ambiguous([RecordID])
    case none
}

extension SyncEngine {
    /// The configured natural keys of an object (email for contacts, domain for companies).
    func matchKeys(_ object: String) -> [String] { config.sync.objects[object]?.matchKeys ?? [] }

    /// The effective value of natural key `key` in a record's state (rules applied), `nil`
    /// when unset or blank.
    func matchKeyValue(_ key: String, object: String, in state: RecordState) -> Value? {
        guard let def = config.object(object)?.field(key),
              let value = RuleFilter.effective(field: key, rule: def.rule, in: state)?.value, !value.isBlank else { return nil }
        return value
    }

    /// Matches by external-id field first (a record that carries Concord's global id), then
    /// by the natural keys. A key that matches more than one candidate is ambiguous; a
    /// candidate already linked to another record of the same CRM is a duplicate in that
    /// CRM and also ambiguous. Blank keys never match.
    func match(_ record: CRMRecord, values: [String: Value], replica: String, object: String,
               mapping: ObjectMapping) throws(StoreError) -> MatchResult {
        if let ext = mapping.externalIDField, let text = record.fields[ext]?.text, let id = RecordID(text),
           try store.record(id) != nil {
            return .found(id)
        }
        for key in matchKeys(object) {
            guard let value = values[key], !value.isBlank else { continue }
            // A failed read is an error, not "no candidate" (which would create a duplicate).
            var candidates: [RecordID] = []
            for id in try store.records(objectType: object, field: key, equalTo: value) where try store.record(id)?.state.isAlive == true {
                candidates.append(id)
            }
            if candidates.isEmpty { continue }
            if candidates.count > 1 { return .ambiguous(candidates) }
            if let other = try store.externalID(replica: replica, record: candidates[0]), other != record.id {
                return .ambiguous(candidates)
            }
            return .found(candidates[0])
        }
        return .none
    }
}
