import ConcordConnectors
import ConcordCore
import ConcordMapping
import ConcordStore

extension SyncEngine {
    /// Gives deleted records their last values where the CRM reported them without (a
    /// Dataverse tombstone) and the object's deletes are ignored: the record lives on
    /// elsewhere, so an edit made there just before the delete still counts. Asked only for
    /// records Concord holds linked there and had not seen deleted yet.
    func withLastValues(_ records: [CRMRecord], replica: String, object: String, mapping: ObjectMapping,
                        connector: any CRMConnector) async throws -> [CRMRecord] {
        guard config.sync.objects[object]?.deletePolicy == .ignore else { return records }
        var wanted: [String] = []
        for record in records where record.isDeleted && record.fields.isEmpty && record.mergedInto == nil {
            guard let gid = try store.linkedRecord(replica: replica, objectType: object, externalID: record.id),
                  try store.shadow(replica: replica, record: gid)[Self.deletedMarker] != .bool(true) else { continue }
            wanted.append(record.id)
        }
        guard !wanted.isEmpty else { return records }
        let found = try await connector.lastValues(object: mapping.crmObject, ids: wanted, fields: mapping.fields.map(\.crmField))
        let byID = Dictionary(found.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        return records.map { record in
            guard record.isDeleted, record.fields.isEmpty, let last = byID[record.id] else { return record }
            var r = record
            (r.fields, r.fieldModifiedAt) = (last.fields, last.fieldModifiedAt)
            r.modifiedAt = last.modifiedAt ?? record.modifiedAt
            return r
        }
    }
}
