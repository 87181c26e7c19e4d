import ConcordConnectors
import ConcordCore
import ConcordMapping
import ConcordStore

/// A write refused because a record it names is gone from the CRM (Salesforce's
/// `INVALID_CROSS_REFERENCE_KEY`, Dataverse's 404 "opportunity With Id = … Does Not Exist"
/// on a create or on a bind): the record named was deleted there after Concord last saw it.
/// Neither a delete of the record written (a 404 on a create cannot mean that) nor a refusal
/// for good: the references are looked up, the gone ones taken as deleted there, and the
/// write goes again without them (a polymorphic group gives its next member the turn).
extension SyncEngine {
    /// Marks an outbox error as "a record it names is missing there".
    static let missingReferenceMark = "a record it references is not in the CRM: "

    /// Whether `error`, the answer to `p`, says a record `p` references is missing rather
    /// than the record itself: Salesforce's cross-reference code; a not-found answer to a
    /// create; a not-found answer whose message names the CRM id of a referenced record.
    func namesMissingReference(_ error: ConnectorError, _ p: PreparedPush, replica: String) throws(StoreError) -> Bool {
        let refs = p.values.values.compactMap { v -> RecordID? in if case .reference(let id) = v { return id } else { return nil } }
        guard !refs.isEmpty else { return false }
        if error.crmCode == "INVALID_CROSS_REFERENCE_KEY" { return true }
        if error.code == .notFound && p.isCreate { return true }
        // Dataverse answers a bind to a deleted record with 404 "account With Id = ... Does
        // Not Exist", which its connector reports as refused values (the row written is there).
        guard error.code == .notFound || error.code == .validation else { return false }
        for id in refs {
            if let ext = try store.externalID(replica: replica, record: try store.survivor(of: id) ?? id),
               error.message.localizedStandardContains(ext) { return true }
        }
        return false
    }

    /// For an item whose last write was refused for a missing reference: looks up, in the
    /// CRM, every record the item's record references there, and takes those not found as
    /// deleted there (their delete policy applies, and whatever references them is planned
    /// again). Returns how many were gone.
    @discardableResult
    func confirmReferences(_ item: OutboxItem, rec: StoredRecord, replica: String, connector: any CRMConnector,
                           report r: inout PassReport.Replica) async throws -> Int {
        guard item.lastError?.hasPrefix(Self.missingReferenceMark) == true else { return 0 }
        var byObject: [String: [String]] = [:]
        let resolver = StoreResolver(store: store)
        for entry in rec.state.entries {
            guard case .reference(let target) = entry.register.value else { continue }
            let live = try store.survivor(of: target) ?? target
            guard let targetRec = try store.record(live),
                  let ext = resolver.externalID(crm: replica, object: targetRec.objectType, recordID: live) else { continue }
            byObject[targetRec.objectType, default: []].append(ext)
        }
        _ = try resolver.checked(())
        var gone = 0
        for (object, ids) in byObject.sorted(by: { $0.key < $1.key }) {
            guard let mapping = config.mapping(crm: replica, object: object) else { continue }
            // Only what the CRM says is gone is taken as deleted, never what it could not tell about.
            let found = try await connector.lookup(object: mapping.crmObject, ids: ids.sorted(), fields: [])
            let present = Set(found.records.filter { !$0.isDeleted }.map(\.id))
            let missing = Set(ids).subtracting(present).subtracting(found.unknown).sorted()
            try ingest(missing.map { CRMRecord(id: $0, isDeleted: true) }, replica: replica, object: object, mapping: mapping, into: &r)
            r.reconciledDeletes += missing.count
            gone += missing.count
        }
        return gone
    }
}
