import ConcordConnectors
import ConcordCore
import ConcordMapping
import ConcordStore

extension SyncEngine {
    /// Readies pulled or read records for ``ingest(_:replica:object:mapping:report:replicaReport:)``:
    /// deleted ones get their last values where the CRM left them out (``withLastValues``),
    /// then contested fields their own times (``withFieldTimes``).
    func completed(_ records: [CRMRecord], replica: String, object: String, mapping: ObjectMapping,
                   connector: any CRMConnector) async throws -> [CRMRecord] {
        let records = try await withLastValues(records, replica: replica, object: object, mapping: mapping, connector: connector)
        return try await withFieldTimes(records, replica: replica, object: object, mapping: mapping, connector: connector)
    }

    /// Gives records their per-field times where the record's own time could decide a
    /// conflict wrongly.
    ///
    /// A CRM reports one modification time per record, and a changed field is stamped with
    /// it. When that time belongs to a later change of another field (Concord's own write of
    /// it, say), a field edited earlier would beat a newer value from another CRM: one held
    /// now, or one Concord reads later (an edit made between the field's edit and the record's
    /// time). Where the connector can tell each field's time (HubSpot's property history), the
    /// records with a changed field whose value is not Concord's and whose record time is
    /// later than Concord's value are asked for it (a batched read of those records only);
    /// also when Concord's value came from this CRM. Deleted rows too, where the object's
    /// deletes are ignored: their last values are taken in at the delete's time otherwise.
    func withFieldTimes(_ records: [CRMRecord], replica: String, object: String, mapping: ObjectMapping,
                        connector: any CRMConnector) async throws -> [CRMRecord] {
        guard connector.hasFieldTimes, let def = config.object(object) else { return records }
        let mapper = RecordMapper(config: config, resolver: StoreResolver(store: store))
        var contested: [String] = []
        // A deleted row is taken in for its last values where deletes are ignored (its time
        // is the delete's, later than any of its edits).
        let deletesIgnored = config.sync.objects[object]?.deletePolicy == .ignore
        for record in records where (!record.isDeleted || (deletesIgnored && !record.fields.isEmpty))
            && record.fieldModifiedAt.isEmpty {
            guard let modified = record.modifiedAt,
                  let gid = try store.linkedRecord(replica: replica, objectType: object, externalID: record.id),
                  let current = try store.record(gid)?.state,
                  let values = try? mapper.inbound(crm: replica, object: object, raw: record.fields).values else { continue }
            let shadow = try store.shadow(replica: replica, record: gid)
            let wins = values.contains { field, value in
                guard shadow[field] != value, let rule = def.field(field)?.rule,
                      let eff = RuleFilter.effective(field: field, rule: rule, in: current) else { return false }
                return eff.value != value && eff.stamp.hlc.millis < modified
            }
            if wins { contested.append(record.id) }
        }
        guard !contested.isEmpty else { return records }
        let fields = mapping.fields.map(\.crmField)
        let times = try await connector.fieldTimes(object: mapping.crmObject, ids: contested, fields: fields)
        return records.map { record in
            guard let t = times[record.id], !t.isEmpty else { return record }
            var r = record
            r.fieldModifiedAt = t
            return r
        }
    }
}
