import ConcordConnectors
import ConcordCore
import ConcordMapping
import ConcordStore
import Foundation

extension SyncEngine {
    /// Takes one pulled record into the store: identity, mapping and validation, diff
    /// against the shadow, stamping, merge, shadow update and planning. Runs inside the
    /// page's transaction.
    func ingest(_ record: CRMRecord, replica: String, object: String, mapping: ObjectMapping,
                report: inout PassReport, replicaReport r: inout PassReport.Replica) throws(StoreError) {
        let now = wallClock.nowMillis()
        if !record.mergedIDs.isEmpty {
            try absorbMerged(record.mergedIDs, into: record.id, replica: replica, object: object, report: &r)
        }
        if record.isDeleted {
            if let survivor = record.mergedInto, try store.linkedRecord(replica: replica, objectType: object, externalID: survivor) != nil {
                try absorbMerged([record.id], into: survivor, replica: replica, object: object, report: &r)
            } else {
                try ingestDelete(record, replica: replica, object: object)
            }
            return
        }
        let resolver = StoreResolver(store: store)
        let pipeline = MappingPipeline(config: config, resolver: resolver)
        var gid = try store.linkedRecord(replica: replica, objectType: object, externalID: record.id)
        let isNew = gid == nil
        let values: [String: Value]
        var held: [ValidationFailure] = []
        switch pipeline.inbound(crm: replica, object: object, recordKey: record.id, raw: record.fields, isCreate: isNew,
                                holdBackUnresolved: true) {
        case .rejected(let failures):
            try quarantine(record, replica: replica, object: object, isCreate: isNew, failures: failures)
            r.quarantined += 1
            return
        case .accepted(let v):
            values = v
            _ = try? store.removeQuarantine(key: quarantineKey(replica, object, record.id))
        case .held(let v, let failures):
            // References to records not linked yet: the rest goes on now (identity included),
            // the references wait in the quarantine as a hold and are applied once linked.
            values = v
            held = failures
        }
        if gid == nil {
            switch try match(record, values: values, replica: replica, object: object, mapping: mapping) {
            case .found(let id):
                gid = id
                r.matched += 1
                // A create planned (or refused) for this CRM before its own record turned up is moot now.
                try store.discardOutbox(replica: replica, record: id)
            case .ambiguous(let candidates):
                let failure = ValidationFailure(
                    object: object, recordKey: record.id, crm: replica, fields: matchKeys(object), values: [:],
                    rule: .ambiguousMatch,
                    reason: candidates.count > 1
                        ? "\(candidates.count) known \(object) records match by \(matchKeys(object).joined(separator: ", ")): "
                            + candidates.map(\.description).joined(separator: ", ") + "; merge the duplicates or link one by hand"
                        : "\(replica) already has another \(object) linked to \(candidates[0]) with the same "
                            + matchKeys(object).joined(separator: ", ") + ": a duplicate inside \(replica); merge it there")
                try quarantine(record, replica: replica, object: object, isCreate: true, failures: [failure])
                r.quarantined += 1
                return
            case .none:
                gid = RecordID.random()
            }
            try store.setLink(replica: replica, objectType: object, externalID: record.id, record: gid!)
        }
        let id = gid!
        let shadow = try store.shadow(replica: replica, record: id)
        let current = try store.record(id)?.state
        let site = ReplicaSites.site(replica)
        var registers: [String: FieldRegister] = [:]
        // A CRM that holds one reference of a polymorphic group reads back blanks for the
        // others: a blank that is what this CRM can hold of the current values is no edit.
        let grouped = Set(mapping.groups.flatMap { $0 })
        let canHold = grouped.isEmpty ? [:] : current.map { mapping.projectGroups(desiredValues($0, object: object, mapping: mapping)) } ?? [:]
        for (field, value) in values where shadow[field] != value {
            if grouped.contains(field), let held = canHold[field], held == value, value.isBlank { continue }
            guard let def = config.object(object)?.field(field) else { continue }
            let crmField = mapping.field(field)?.crmField ?? field
            let physical = min(record.fieldModifiedAt[crmField] ?? record.modifiedAt ?? now, now + maxOffsetMillis)
            var hlc = HLCTimestamp(millis: physical)
            let effective = current.flatMap { RuleFilter.effective(field: field, rule: def.rule, in: $0) }
            // An edit made where the current value was already present follows it causally.
            if let eff = effective, shadow[field] == eff.value, eff.stamp.hlc >= hlc { hlc = eff.stamp.hlc.successor }
            let incoming = FieldRegister(value: value, stamp: Stamp(hlc: hlc, site: site))
            if let eff = effective, eff.value != value {
                if eff.stamp > incoming.stamp {
                    try store.logConflict(record: id, field: field, winner: eff, loser: incoming)
                    report.conflicts += 1
                } else if shadow[field] != eff.value {
                    try store.logConflict(record: id, field: field, winner: incoming, loser: eff)
                    report.conflicts += 1
                }
            }
            for (key, reg) in RuleFilter.admit(field: field, rule: def.rule, writer: replica, register: incoming) {
                registers[key] = reg
            }
        }
        if !registers.isEmpty || isNew {
            let result = try store.merge([RecordChange(id: id, objectType: object,
                                                       state: RecordState(fields: registers, causalLength: isNew ? 1 : 0))],
                                         origin: replica)
            report.registersMerged += result.registersChanged
            if !registers.isEmpty { r.changed += 1 }
        }
        var seen = values
        if shadow[Self.deletedMarker] != nil { seen[Self.deletedMarker] = .bool(false) }
        try store.updateShadow(replica: replica, record: id, fields: seen)
        try plan(id, objectType: object)
        if !held.isEmpty {
            let fields = Array(Set(held.flatMap(\.fields))).sorted()
            var heldShadow: [String: String] = [:]
            for f in fields { heldShadow[f] = shadow[f]?.description ?? "(absent)" }
            try quarantine(record, replica: replica, object: object, isCreate: false, failures: held, held: (fields, heldShadow))
        }
    }

    /// A record deleted in a CRM: propagate or ignore, per the object's policy.
    func ingestDelete(_ record: CRMRecord, replica: String, object: String) throws(StoreError) {
        guard let id = try store.linkedRecord(replica: replica, objectType: object, externalID: record.id) else { return }
        try store.updateShadow(replica: replica, record: id, fields: [Self.deletedMarker: .bool(true)])
        guard config.sync.objects[object]?.deletePolicy != .ignore, let rec = try store.record(id), rec.state.isAlive else { return }
        _ = try store.merge([RecordChange(id: id, objectType: object, state: RecordState(causalLength: rec.state.causalLength + 1))],
                            origin: replica)
        try plan(id, objectType: object)
    }

    /// A CRM merged records into `survivor`: the merged-away records are deleted everywhere
    /// (as their object's delete policy says), redirect to the survivor, and every record
    /// that referred to one of them now refers to the survivor, in every CRM (HubSpot moves
    /// associations on a merge without touching the associated records, so no pull would
    /// show it). The CRM's merge result (the survivor's fields, blanks filled from the
    /// others) arrives as the survivor's own change, so it wins as an edit made at the time
    /// of the merge.
    func absorbMerged(_ ids: [String], into survivor: String, replica: String, object: String,
                      report r: inout PassReport.Replica) throws(StoreError) {
        guard let target = try store.linkedRecord(replica: replica, objectType: object, externalID: survivor) else { return }
        for loser in ids {
            guard let gone = try store.linkedRecord(replica: replica, objectType: object, externalID: loser), gone != target,
                  let rec = try store.record(gone) else { continue }
            try store.removeLink(replica: replica, record: gone)
            try store.setMergedInto(gone, survivor: target, replica: replica)
            r.merged.append("merge \(object) \(gone) into \(target) (merged in \(replica): \(loser) into \(survivor))")
            if rec.state.isAlive {
                _ = try store.merge([RecordChange(id: gone, objectType: object, state: RecordState(causalLength: rec.state.causalLength + 1))],
                                    origin: replica)
            }
            try plan(gone, objectType: object)
            try repointReferences(from: gone, to: target)
        }
    }

    /// Rewrites every reference to `gone` as a reference to `target`: a local edit stamped
    /// now, planned for every CRM.
    func repointReferences(from gone: RecordID, to target: RecordID) throws(StoreError) {
        for id in try store.records(referencing: gone) where id != gone && id != target {
            guard let rec = try store.record(id), rec.state.isAlive else { continue }
            var fields: [String: Value] = [:]
            for entry in rec.state.entries where entry.register.value == .reference(gone) { fields[entry.name] = .reference(target) }
            guard !fields.isEmpty else { continue }
            try store.write(id, objectType: rec.objectType, fields: fields)
            try plan(id, objectType: rec.objectType)
        }
    }

    func quarantineKey(_ replica: String, _ object: String, _ id: String) -> String { "\(replica):\(object):\(id)" }

    /// Re-runs quarantined CRM records: the exact stored input goes through identity,
    /// mapping and validation again with the current configuration and links, and leaves the
    /// quarantine (merged and planned like any pulled record) when it now passes. Runs each
    /// pass for every entry, so a reference that arrived later or a fixed mapping releases
    /// records by itself; `concord quarantine retry` runs it at once.
    ///
    /// - Parameter keys: the entries to retry (all when `nil`).
    /// - Returns: for each entry tried, whether it was released.
    @discardableResult
    public func retryQuarantined(keys: [String]? = nil) throws(StoreError) -> [String: Bool] {
        var report = PassReport()
        return try retryQuarantined(keys: keys, report: &report)
    }

    func retryQuarantined(keys: [String]?, report: inout PassReport) throws(StoreError) -> [String: Bool] {
        let wanted = keys.map(Set.init)
        let rows = try store.quarantined().filter { wanted?.contains($0.key) ?? true }
        guard !rows.isEmpty else { return [:] }
        var outcome: [String: Bool] = [:]
        var replicaReports = report.replicas
        try store.transaction { _ throws(StoreError) in
            for row in rows {
                // Store-level entries (a peer's clock-skewed change) are not CRM input: skipped.
                guard let entry = try? JSONDecoder().decode(QuarantineEntry.self, from: Data(row.input.utf8)),
                      let mapping = config.mapping(crm: entry.crm, object: entry.object) else { continue }
                var r = replicaReports[entry.crm] ?? PassReport.Replica()
                let quarantinedBefore = r.quarantined
                var record = CRMRecord(id: entry.recordKey, fields: entry.raw,
                                       modifiedAt: UInt64(max(0, entry.modifiedMillis ?? entry.firstSeenMillis)))
                if let heldFields = entry.heldFields {
                    // A hold: only the held references are retried, and only while nothing newer
                    // reached that field of the CRM's record (else the hold is superseded).
                    guard let gid = try store.linkedRecord(replica: entry.crm, objectType: entry.object, externalID: entry.recordKey)
                    else { try store.removeQuarantine(key: row.key); outcome[row.key] = true; continue }
                    let shadow = try store.shadow(replica: entry.crm, record: gid)
                    if heldFields.contains(where: { (shadow[$0]?.description ?? "(absent)") != entry.heldShadow?[$0] }) {
                        try store.removeQuarantine(key: row.key)
                        outcome[row.key] = true
                        continue
                    }
                    let crmFields = Set(heldFields.compactMap { mapping.field($0)?.crmField })
                    record.fields = entry.raw.filter { crmFields.contains($0.key) }
                }
                try ingest(record, replica: entry.crm, object: entry.object, mapping: mapping, report: &report, replicaReport: &r)
                r.quarantined = quarantinedBefore
                outcome[row.key] = try store.quarantineEntry(key: row.key) == nil
                replicaReports[entry.crm] = r
            }
        }
        for (k, v) in replicaReports { report.replicas[k] = v }
        return outcome
    }

    /// Keeps a CRM record's exact input in the quarantine with the reasons; with `held`, as
    /// a hold of those reference fields (the rest of the record was merged).
    func quarantine(_ record: CRMRecord, replica: String, object: String, isCreate: Bool,
                    failures: [ValidationFailure], held: (fields: [String], shadow: [String: String])? = nil) throws(StoreError) {
        let key = quarantineKey(replica, object, record.id)
        let previous = try store.quarantineEntry(key: key)
        var entry = QuarantineEntry(id: key, object: object, crm: replica, recordKey: record.id, raw: record.fields,
                                    isCreate: isCreate, failures: failures,
                                    firstSeenMillis: Int64(previous?.createdAt ?? wallClock.nowMillis()))
        entry.modifiedMillis = record.modifiedAt.map { Int64(clamping: $0) }
        entry.heldFields = held?.fields
        entry.heldShadow = held?.shadow
        let json = (try? JSONEncoder.sorted.encode(entry)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        try store.addQuarantine(key: key, objectType: object, replica: replica, recordKey: record.id, input: json,
                                rule: (held == nil ? "" : "held:") + failures.map(\.rule.rawValue).joined(separator: ","),
                                reason: failures.map(\.reason).joined(separator: "; "))
    }
}
