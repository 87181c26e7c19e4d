import ConcordConnectors
import ConcordCore
import ConcordMapping
import ConcordStore

extension SyncEngine {
    /// The values a replica should hold for a record: the effective value of every
    /// writable mapped field (rules applied; never-set and don't-sync fields left out).
    func desiredValues(_ state: RecordState, object: String, mapping: ObjectMapping) -> [String: Value] {
        guard let canonical = config.object(object) else { return [:] }
        var out: [String: Value] = [:]
        for fm in mapping.fields where !fm.readOnly {
            guard let def = canonical.field(fm.canonical),
                  let reg = RuleFilter.effective(field: fm.canonical, rule: def.rule, in: state) else { continue }
            out[fm.canonical] = reg.value
        }
        return out
    }

    /// The value a CRM will hold, and read back, for a canonical value: the value mapped out
    /// and back in. Lossy mappings (a picklist table mapping two canonical values to one CRM
    /// value) make it differ; comparing projections keeps such a field from being pushed,
    /// or read back as a new edit, forever.
    func projected(_ value: Value, field: String, replica: String, object: String) -> Value {
        if case .reference = value { return value }
        let mapper = RecordMapper(config: config)
        guard let out = try? mapper.outbound(crm: replica, object: object, values: [field: value]), out.failures.isEmpty,
              let back = try? mapper.inbound(crm: replica, object: object, raw: out.fields), back.failures.isEmpty,
              let v = back.values[field] else { return value }
        return v
    }

    /// The fields of `desired` whose projection into `replica` differs from its shadow, as
    /// an update would write them: a polymorphic group (one CRM field for several
    /// references) is compared as the CRM will hold it and, when it differs, passed whole;
    /// create-only fields are left out (the CRM takes them on create only).
    func changed(_ desired: [String: Value], shadow: [String: Value], replica: String, object: String) -> [String: Value] {
        guard let mapping = config.mapping(crm: replica, object: object) else { return [:] }
        let target = mapping.groups.isEmpty ? desired : mapping.projectGroups(holdable(desired, mapping: mapping, replica: replica))
        let createOnly = Set(mapping.fields.filter(\.createOnly).map(\.canonical))
        var out = target.filter { !createOnly.contains($0.key) && shadow[$0.key] != $0.value
            && shadow[$0.key] != projected($0.value, field: $0.key, replica: replica, object: object) }
        // Whole, and as desired (not projected): if the first member cannot be held there,
        // the push gives the next one its turn.
        for group in mapping.groups where group.contains(where: { out[$0] != nil }) {
            for member in group { out[member] = desired[member] ?? .null }
        }
        return out
    }

    /// `desired` with every polymorphic group member blanked whose reference `replica`
    /// cannot hold, now or later: the record it names is deleted (in Concord, or there) or
    /// is not there with no create on its way. The group then holds its next member, as the
    /// push will write it; without this a task whose deal was deleted would keep pointing at
    /// the deleted deal in Dataverse's one `regardingobjectid`, never at its contact.
    func holdable(_ desired: [String: Value], mapping: ObjectMapping, replica: String) -> [String: Value] {
        let resolver = StoreResolver(store: store)
        var out = desired
        for group in mapping.groups {
            // Only the member the projection would choose is looked up; while it cannot be
            // held, the next one is (the others do not change what the group holds).
            while let member = group.first(where: { !(out[$0]?.isBlank ?? true) }), case .reference(let id)? = out[member],
                  resolver.externalID(crm: replica, object: "", recordID: id) == nil,  // the store resolver needs no object
                  resolver.failure == nil,
                  !((try? referenceIsComing(.reference(id), replica: replica)) ?? true) {
                out[member] = .null
            }
            // A failed store read decides nothing: the references stay as they are, and the
            // push's own reads (which throw) report the failure.
            if resolver.failure != nil { return desired }
        }
        return out
    }

    /// What `replica` holds after it took `values` (groups resolved to their chosen member,
    /// lossy values projected): the shadow to record for a write.
    func held(_ values: [String: Value], replica: String, object: String) -> [String: Value] {
        guard let mapping = config.mapping(crm: replica, object: object) else { return values }
        var out = mapping.groups.isEmpty ? values : mapping.projectGroups(values)
        for (k, v) in out { out[k] = projected(v, field: k, replica: replica, object: object) }
        return out
    }

    /// Plans what every replica needs for one record after a merge, into the outbox, and
    /// refreshes the record's natural keys. Runs inside the caller's transaction.
    func plan(_ id: RecordID, objectType object: String) throws(StoreError) {
        guard let rec = try store.record(id) else { return }
        for key in matchKeys(object) {
            let value = rec.state.isAlive ? matchKeyValue(key, object: object, in: rec.state) : nil
            try store.setMatchKey(objectType: object, field: key, value: value, record: id)
        }
        let ignoreDeletes = config.sync.objects[object]?.deletePolicy == .ignore
        for replica in replicas {
            guard let mapping = config.mapping(crm: replica, object: object) else { continue }
            let link = try store.externalID(replica: replica, record: id)
            let shadow = try store.shadow(replica: replica, record: id)
            let goneThere = shadow[Self.deletedMarker] == .bool(true)
            if !rec.state.isAlive {
                if link != nil && !goneThere && !ignoreDeletes {
                    try store.enqueue(replica: replica, objectType: object, record: id, operation: .delete, payload: "")
                }
                continue
            }
            let desired = desiredValues(rec.state, object: object, mapping: mapping)
            if link == nil || goneThere {
                if goneThere && ignoreDeletes { continue }
                if !desired.isEmpty {
                    try store.enqueue(replica: replica, objectType: object, record: id, operation: .create,
                                      payload: desired.keys.sorted().joined(separator: ","))
                }
            } else {
                let diff = changed(desired, shadow: shadow, replica: replica, object: object)
                if !diff.isEmpty {
                    try store.enqueue(replica: replica, objectType: object, record: id, operation: .update,
                                      payload: diff.keys.sorted().joined(separator: ","))
                }
            }
        }
    }

    /// Plans again every live record that references `id`, after `id` was deleted or
    /// restored (in Concord or in one CRM): which member of a polymorphic group a CRM can
    /// hold depends on whether the records they name are there (``holdable(_:mapping:replica:)``).
    /// Nothing else about such a record changed, so nothing else would plan it.
    func replanReferrers(of id: RecordID) throws(StoreError) {
        // Only objects with a polymorphic group in some CRM can change what they hold.
        let grouped = Set(config.mappings.filter { !$0.groups.isEmpty }.map(\.object))
        guard !grouped.isEmpty else { return }
        for other in try store.records(referencing: id, objectTypes: grouped) where other != id {
            guard let rec = try store.record(other), rec.state.isAlive else { continue }
            try plan(other, objectType: rec.objectType)
        }
    }

    /// The outbox of a replica as readable lines, for dry runs.
    func plannedWrites(replica: String) throws(StoreError) -> [String] {
        try store.outbox(replica: replica).map { item in
            "\(item.operation.rawValue) \(item.objectType) \(item.record)" + (item.payload.isEmpty ? "" : " (\(item.payload))")
        }
    }
}
