import ConcordConnectors
import ConcordCore
import ConcordMapping
import ConcordStore

extension SyncEngine {
    /// A CRM merged records into `survivor`: the merged-away records are deleted everywhere
    /// (as their object's delete policy says), redirect to the survivor, and every record
    /// that referred to one of them now refers to the survivor, in every CRM (HubSpot moves
    /// associations on a merge without touching the associated records, so no pull would
    /// show it). The CRM's merge result (the survivor's fields, blanks filled from the
    /// others) arrives as the survivor's own change, so it wins as an edit made at the time
    /// of the merge. A merged-away record's quarantined change is dropped.
    func absorbMerged(_ ids: [String], into survivor: String, replica: String, object: String,
                      report r: inout PassReport.Replica) throws(StoreError) {
        // A merged-away record's change waiting in the quarantine is moot: the record is gone
        // there. Kept, a later retry could link it (to the same person coming from another
        // CRM) as if the CRM still had it.
        for loser in ids where loser != survivor { _ = try store.removeQuarantine(key: quarantineKey(replica, object, loser)) }
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
}
