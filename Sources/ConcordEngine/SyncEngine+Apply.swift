import ConcordConnectors
import ConcordCore
import ConcordMapping
import ConcordStore

extension SyncEngine {
    /// Records what the CRM accepted: links for creates, shadows for every write, the outbox
    /// item done; failures parked or kept. Returns whether pushing to this CRM should stop.
    func apply(_ results: [PushResult], _ prepared: [PreparedPush], replica: String, object: String,
               adopted: inout [String], report r: inout PassReport.Replica) throws(StoreError) -> Bool {
        let byKey = Dictionary(prepared.map { ($0.item.id, $0) }, uniquingKeysWith: { a, _ in a })
        var stop = false
        var answered = Set<Int64>()
        for result in results {
            guard let p = byKey[result.key] else { continue }
            answered.insert(result.key)
            switch result.outcome {
            case .success(let externalID):
                var replan = false
                var unwritten: [String] = []
                if p.isDelete {
                    try store.updateShadow(replica: replica, record: p.item.record, fields: [Self.deletedMarker: .bool(true)])
                    r.deleted += 1
                } else {
                    if p.isCreate {
                        try store.setLink(replica: replica, objectType: object, externalID: externalID, record: p.item.record)
                        r.created += 1
                    } else {
                        r.updated += 1
                        replan = try takeInOverwritten(result.preceding, record: p.item.record, replica: replica, object: object, report: &r)
                    }
                    r.fieldsWritten += p.values.count
                    var seen = p.held
                    seen[Self.deletedMarker] = .bool(false)
                    // A deferred reference is blank in the CRM now; the shadow says so, so the
                    // blank read back is no edit, and the reference still differs: it is pushed later.
                    for f in p.deferred { seen[f] = .null }
                    // Fields the CRM took the record without (a HubSpot association whose own
                    // call failed) keep what the shadow held, and go again: the rest of the
                    // write is recorded, so it never reads back as an edit made there.
                    unwritten = Self.canonicalFields(result.unwritten.keys, mapping: config.mapping(crm: replica, object: object))
                    for f in unwritten { seen[f] = nil }
                    if let first = result.unwritten.values.first { r.lastError = first.description }
                    try store.updateShadow(replica: replica, record: p.item.record, fields: seen)
                }
                try store.completeOutbox([p.item.id])
                if !unwritten.isEmpty {
                    _ = try store.enqueue(replica: replica, objectType: object, record: p.item.record, operation: .update,
                                          payload: unwritten.sorted().joined(separator: ","))
                }
                if !p.deferred.isEmpty || !p.unheld.isEmpty {
                    let id = try store.enqueue(replica: replica, objectType: object, record: p.item.record, operation: .update,
                                               payload: (p.deferred + p.unheld).sorted().joined(separator: ","))
                    if p.deferred.isEmpty {
                        try store.blockOutbox(id, reason: "\(replica) does not hold the records \(p.unheld.sorted().joined(separator: ", ")) name")
                    }
                }
                // An overwritten edit merged: plan again, once this item is done (one open item
                // per record and replica: planning earlier would have planned into this one).
                if replan { try plan(p.item.record, objectType: object) }
            case .failure(let error):
                if p.isCreate, let existing = error.existingID {
                    // The CRM already holds this record (same unique email): link it, and read
                    // it, rather than create a duplicate or fail forever.
                    let other = try store.linkedRecord(replica: replica, objectType: object, externalID: existing)
                    if let other, other != p.item.record, try deleteOnItsWay(other, replica: replica) {
                        // The record holding the value is deleted in Concord and its delete is on
                        // its way to this CRM or has just landed (HubSpot sends archives after
                        // creates): the create goes again, not refused for good.
                        try store.failOutbox(p.item.id, error: "\(replica) still held \(existing), linked to Concord record \(other), "
                                             + "which is deleted and whose delete goes there first (\(error.message)); "
                                             + "sent again after it", permanent: false)
                    } else if let other, other != p.item.record {
                        try store.failOutbox(p.item.id, error: "\(replica) already holds this \(object) as \(existing), which is linked to "
                                             + "Concord record \(other): the two Concord records share a unique value (\(error.message)); "
                                             + "merge them", permanent: true)
                        r.failed += 1
                    } else {
                        // Its values are the CRM's, not what Concord sent for its create (the
                        // shadow written before sending): read afresh (``readAdopted``).
                        try store.removeShadow(replica: replica, record: p.item.record)
                        try store.setLink(replica: replica, objectType: object, externalID: existing, record: p.item.record)
                        try store.completeOutbox([p.item.id])
                        adopted.append(existing)
                        r.matched += 1
                    }
                    continue
                }
                r.lastError = error.description
                if !p.isDelete, try namesMissingReference(error, p, replica: replica) {
                    // A record this write names is gone there (deleted meanwhile): not this
                    // record, and not for good. Before the write is tried again, the records it
                    // names are looked up there (``confirmReferences``), and one that is gone is
                    // taken as deleted there, so the write goes without it.
                    try store.failOutbox(p.item.id, error: Self.missingReferenceMark + error.description, permanent: false)
                    continue
                }
                switch error.code {
                case .notFound:
                    try store.updateShadow(replica: replica, record: p.item.record, fields: [Self.deletedMarker: .bool(true)])
                    try store.completeOutbox([p.item.id])
                case .validation, .permanent, .authentication:
                    try store.failOutbox(p.item.id, error: error.description, permanent: true)
                    r.failed += 1
                case .conflict:
                    // Changed since Concord's read: merged next pass and written then. Unless the
                    // change waits in the quarantine: Concord cannot take it in, so it cannot write
                    // over it either; the write waits (blocked, re-armed each push) until released.
                    if !p.isCreate, let link = try store.externalID(replica: replica, record: p.item.record),
                       let reason = try quarantinedWhole(replica: replica, object: object, link: link) {
                        try store.failOutbox(p.item.id, error: error.description, permanent: false)
                        try store.blockOutbox(p.item.id, reason: "\(replica) changed this \(object), and the change is quarantined: \(reason)")
                    } else {
                        try settle(p, error: error.description, permanent: false)
                    }
                case .rateLimited, .quotaExhausted, .transient:
                    try settle(p, error: error.description, permanent: false)
                    stop = true
                }
            }
        }
        for p in prepared where !answered.contains(p.item.id) {
            try settle(p, error: "\(replica) returned no result for this item", permanent: false)
            r.lastError = "\(replica) returned no result for \(prepared.count - answered.count) item(s)"
        }
        return stop
    }

    /// The canonical fields of CRM fields, by the mapping.
    static func canonicalFields(_ crmFields: some Sequence<String>, mapping: ObjectMapping?) -> [String] {
        guard let mapping else { return [] }
        let wanted = Set(crmFields)
        return mapping.fields.filter { wanted.contains($0.crmField) }.map(\.canonical)
    }

    /// Whether `record` is deleted in Concord and its delete is still to be sent to `replica`
    /// or has been accepted there (so the CRM's copy will not stand in a create's way).
    func deleteOnItsWay(_ record: RecordID, replica: String) throws(StoreError) -> Bool {
        guard try store.isAlive(record) == false else { return false }
        if try store.hasOpenOutbox(replica: replica, record: record) { return true }
        return try store.shadow(replica: replica, record: record)[Self.deletedMarker] == .bool(true)
    }

    /// Reads records a CRM turned out to hold already (a create refused as a duplicate and
    /// linked instead) and takes them in like pulled records, so their own values merge by
    /// time and what they lack is planned.
    func readAdopted(_ ids: [String], replica: String, object: String, mapping: ObjectMapping, connector: any CRMConnector,
                     report r: inout PassReport.Replica) async throws {
        var fields = Set(mapping.fields.map(\.crmField))
        if let ext = mapping.externalIDField { fields.insert(ext) }
        let records = try await connector.fetch(object: mapping.crmObject, ids: ids, fields: fields.sorted())
        try ingest(records, replica: replica, object: object, mapping: mapping, into: &r)
    }
}
