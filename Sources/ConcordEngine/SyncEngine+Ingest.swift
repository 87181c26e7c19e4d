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
            // A survivor Concord has not linked yet is handled once it is (below).
            try absorbMerged(record.mergedIDs, into: record.id, replica: replica, object: object, report: &r)
        }
        if record.isDeleted {
            if let survivor = record.mergedInto, survivor != record.id,
               try store.linkedRecord(replica: replica, objectType: object, externalID: survivor) != nil {
                try absorbMerged([record.id], into: survivor, replica: replica, object: object, report: &r)
            } else {
                // Deletes ignored: the record lives on elsewhere, so the edits made here before
                // the delete still count (a deleted Salesforce row or archived HubSpot record
                // carries its last values).
                if config.sync.objects[object]?.deletePolicy == .ignore, !record.fields.isEmpty,
                   try store.linkedRecord(replica: replica, objectType: object, externalID: record.id) != nil {
                    var last = record
                    (last.isDeleted, last.mergedInto, last.mergedIDs) = (false, nil, [])
                    try ingest(last, replica: replica, object: object, mapping: mapping, report: &report, replicaReport: &r)
                }
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
        // A blank in a field this CRM never showed a value of is no edit (below): it is not
        // validated either, or a read-only field Concord cannot fill would hold the record back.
        let known = try gid.map { id throws(StoreError) in try store.shadow(replica: replica, record: id) } ?? [:]
        // A store read that failed inside the mapping aborts the page (no reference taken as unlinked).
        switch try resolver.checked(pipeline.inbound(crm: replica, object: object, recordKey: record.id, raw: record.fields, isCreate: isNew,
                                                     holdBackUnresolved: true, holdBackInvalid: !isNew,
                                                     notAnEdit: { field, value in value.isBlank && known[field] == nil && !known.isEmpty })) {
        case .rejected(let failures):
            try quarantine(record, replica: replica, object: object, isCreate: isNew, failures: failures)
            r.quarantined += 1
            return
        case .accepted(let v):
            values = v
            try releaseQuarantine(quarantineKey(replica, object, record.id), values: v)
        case .held(let v, let failures):
            // References to records not linked yet: the rest goes on now (identity included),
            // the references wait in the quarantine as a hold and are applied once linked.
            values = v
            held = failures
        }
        if gid == nil, !record.mergedIDs.isEmpty, let heir = try liveMergedRecord(record.mergedIDs, replica: replica, object: object) {
            // A survivor Concord has not seen yet (created, then merged into, between two
            // pulls) that took in a record Concord holds: that record continues as the
            // survivor, so what referred to it (HubSpot moves associations unseen) still
            // does. Its values differ from that record's as the merge result: edits at the
            // record's time (it carries no field times yet), so the merge wins as the CRM made it.
            gid = heir
            try store.setLink(replica: replica, objectType: object, externalID: record.id, record: heir)
            try absorbMerged(record.mergedIDs, into: record.id, replica: replica, object: object, report: &r)
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
            // A new survivor: the records it took in (deleted in Concord already) redirect to
            // it, and what referred to them now refers to it.
            if !record.mergedIDs.isEmpty { try absorbMerged(record.mergedIDs, into: record.id, replica: replica, object: object, report: &r) }
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
            // A blank in a field Concord never saw a value of, in a record it already holds
            // there (it created it, or read it before): the CRM never had one. No edit, so it
            // is not stamped with a modification time that Concord's own write may have set.
            if value.isBlank, shadow[field] == nil, !shadow.isEmpty { continue }
            guard let def = config.object(object)?.field(field) else { continue }
            let crmField = mapping.field(field)?.crmField ?? field
            let reported = record.fieldModifiedAt[crmField] ?? record.modifiedAt ?? now
            let physical = min(reported, now + maxOffsetMillis)
            if reported > physical {
                // The CRM's clock runs ahead of this machine's by more than the skew guard
                // allows: the edit is taken at the guard's limit, counted and logged, so a fast
                // clock cannot win every conflict unseen.
                r.clampedStamps += 1
                telemetry.clamped(replica: replica, object: object, record: record.id, field: crmField, aheadMillis: reported - now)
            }
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
            if !result.quarantined.isEmpty {
                // The store refused the change (and keeps it in the quarantine, with the reason):
                // the shadow does not move, so the edit is not taken as seen and lost.
                r.quarantined += 1
                return
            }
            if !registers.isEmpty { r.changed += 1 }
        }
        var seen = values
        if shadow[Self.deletedMarker] != nil { seen[Self.deletedMarker] = .bool(false) }
        if let version = record.version ?? record.fields["@odata.etag"]?.text { seen[Self.versionMarker] = .string(version) }
        let shadowChanged = seen.contains { shadow[$0.key] != $0.value }
        try store.updateShadow(replica: replica, record: id, fields: seen)
        // Nothing merged and nothing new seen here: the plan is the one made already (planning
        // again would re-arm, every pass, an item blocked for a reason that still holds).
        if !registers.isEmpty || isNew || shadowChanged { try plan(id, objectType: object) }
        if !held.isEmpty {
            let fields = Array(Set(held.flatMap(\.fields))).sorted()
            var heldShadow: [String: String] = [:]
            for f in fields { heldShadow[f] = shadow[f]?.description ?? "(absent)" }
            try quarantine(record, replica: replica, object: object, isCreate: false, failures: held, held: (fields, heldShadow))
        }
    }

    /// The first of `ids` linked in `replica` to a record alive in Concord.
    func liveMergedRecord(_ ids: [String], replica: String, object: String) throws(StoreError) -> RecordID? {
        for id in ids {
            if let gid = try store.linkedRecord(replica: replica, objectType: object, externalID: id),
               try store.record(gid)?.state.isAlive == true {
                return gid
            }
        }
        return nil
    }

    /// Takes in records read outside a pull (by id: a duplicate create linked instead, a
    /// read before updating, deletes found by looking records up), in one transaction.
    func ingest(_ records: [CRMRecord], replica: String, object: String, mapping: ObjectMapping,
                into r: inout PassReport.Replica) throws(StoreError) {
        guard !records.isEmpty else { return }
        var report = PassReport()
        try store.transaction { _ throws(StoreError) in
            for record in records { try ingest(record, replica: replica, object: object, mapping: mapping, report: &report, replicaReport: &r) }
        }
    }

    /// A record deleted in a CRM: propagate or ignore, per the object's policy.
    func ingestDelete(_ record: CRMRecord, replica: String, object: String) throws(StoreError) {
        // A change of it waiting in the quarantine is moot: the record is gone there (and a
        // record quarantined whole must not be taken for the CRM's copy of anything now).
        _ = try store.removeQuarantine(key: quarantineKey(replica, object, record.id))
        guard let id = try store.linkedRecord(replica: replica, objectType: object, externalID: record.id) else { return }
        let wasGone = try store.shadow(replica: replica, record: id)[Self.deletedMarker] == .bool(true)
        try store.updateShadow(replica: replica, record: id, fields: [Self.deletedMarker: .bool(true)])
        guard config.sync.objects[object]?.deletePolicy != .ignore, let rec = try store.record(id), rec.state.isAlive else {
            if !wasGone { try replanReferrers(of: id) }
            return
        }
        _ = try store.merge([RecordChange(id: id, objectType: object, state: RecordState(causalLength: rec.state.causalLength + 1))],
                            origin: replica)
        try plan(id, objectType: object)
        try replanReferrers(of: id)
    }
}
