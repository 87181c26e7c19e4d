import ConcordConnectors
import ConcordCore
import ConcordMapping
import ConcordStore

/// One outbox item turned into a CRM write.
struct PreparedPush {
    var item: OutboxItem
    var push: PushItem
    var values: [String: Value]
    /// What the CRM holds once it took `values` (``SyncEngine/held(_:replica:object:)``),
    /// computed once: the shadow written before a create is sent and after any write lands.
    var held: [String: Value] = [:]
    var isCreate: Bool
    var isDelete: Bool
    /// References left out because the target record is not in this CRM yet.
    var deferred: [String] = []
    /// References left out (or cleared) because the record they name cannot be in this
    /// CRM: kept as a blocked item, re-armed each push in case it appears.
    var unheld: [String] = []

    /// A create with no upsert key: one sent again after an unknown outcome could duplicate
    /// the record, so such an outcome leaves it `sending`, to be reconciled.
    var isBlindCreate: Bool {
        if case .create(_, nil) = push.operation { return true }
        return false
    }
}

extension SyncEngine {
    /// Records a failure of one prepared write: a create with no upsert key whose failure is
    /// not final may have landed, so it stays `sending` (reconciled before any resend);
    /// anything else is failed as ``ConcordStore/failOutbox(_:error:permanent:)`` does.
    func settle(_ p: PreparedPush, error: String, permanent: Bool) throws(StoreError) {
        if p.isBlindCreate && !permanent {
            try store.keepSending(p.item.id, error: "outcome unknown, to be looked up before it is sent again: \(error)")
        } else {
            try store.failOutbox(p.item.id, error: error, permanent: permanent)
        }
    }
}

extension SyncEngine {
    /// Pushes a replica's outbox in batches, referenced objects first. Stops (parks the rest)
    /// when the CRM throttles, runs out of quota or fails; refused items are parked as failed.
    func push(replica: String, into r: inout PassReport.Replica) async {
        guard let connector = connectors[replica] else { return }
        // Items planned while this push runs (a deferred reference re-planned) wait for the next pass.
        guard (try? store.rearmBlocked(replica: replica)) != nil, let newest = try? store.lastOutboxID() else {
            r.lastError = "reading the outbox failed"
            return
        }
        for object in order {
            guard let mapping = config.mapping(crm: replica, object: object) else { continue }
            var after: Int64 = 0
            var pushedForObject = 0
            while true {
                if stopRequested(&r) { return }
                let chunk: [OutboxItem]
                do {
                    chunk = try store.openOutbox(replica: replica, objectType: object, after: after, through: newest,
                                                 limit: connector.pushBatchSize)
                } catch {
                    r.lastError = "reading the outbox failed: \(error)"
                    return
                }
                guard let last = chunk.last else { break }
                after = last.id
                if connector.readsBeforeUpdating {
                    do { try await refresh(chunk, replica: replica, object: object, mapping: mapping, connector: connector, report: &r) } catch {
                        r.lastError = "reading \(object) before updating it in \(replica) failed: \(error)"
                        if (error as? ConnectorError)?.parksReplica ?? true { r.parked = true; return }
                    }
                }
                let prepared: [PreparedPush]
                do {
                    prepared = try await prepare(chunk, replica: replica, object: object, mapping: mapping, connector: connector, report: &r)
                } catch {
                    r.lastError = "preparing pushes to \(replica) failed: \(error)"
                    r.parked = true
                    return
                }
                if prepared.isEmpty { continue }
                let results: [PushResult]
                do {
                    // A create may land without Concord learning it (a lost answer, a kill -9
                    // before the answer is recorded). Should a pull find it before it is
                    // resolved, its values are Concord's own write, not the CRM's edits (stamped
                    // with the CRM's time they would beat a later edit made elsewhere): the
                    // shadow says what is sent, before it is sent, so only what differs from it
                    // (an edit made there since) is read as an edit.
                    let creates = prepared.filter(\.isCreate)
                    try store.transaction { s throws(StoreError) in
                        for p in creates { try s.updateShadow(replica: replica, record: p.item.record, fields: p.held) }
                        try s.markSending(creates.map(\.item.id))
                    }
                    results = try await connector.push(object: mapping.crmObject, items: prepared.map(\.push))
                } catch let error as ConnectorError {
                    r.lastError = "\(object): \(error.description)"
                    for p in prepared { try? settle(p, error: error.description, permanent: !error.parksReplica) }
                    if error.parksReplica {
                        r.parked = true
                        return
                    }
                    r.failed += prepared.count
                    continue
                } catch {
                    r.lastError = "\(error)"
                    r.parked = true
                    return
                }
                var stop = false
                var adopted: [String] = []
                do {
                    try store.transaction { _ throws(StoreError) in
                        stop = try apply(results, prepared, replica: replica, object: object, adopted: &adopted, report: &r)
                    }
                    if !adopted.isEmpty {
                        try await readAdopted(adopted, replica: replica, object: object, mapping: mapping, connector: connector, report: &r)
                    }
                } catch {
                    r.lastError = "recording results from \(replica) failed: \(error)"
                    return
                }
                pushedForObject += prepared.count
                progress(.push, replica, object, pushedForObject)
                if stop {
                    r.parked = true
                    return
                }
            }
            if pushedForObject > 0 { progress(.push, replica, object, pushedForObject, finished: true) }
        }
    }

    /// Reads the records a chunk is about to update (one batched read) and takes them in like
    /// pulled records, so an edit made since the last pull is merged (by time) before the
    /// write is prepared, not overwritten unseen. Association pseudo-fields are not read: they
    /// cost a call per type.
    func refresh(_ chunk: [OutboxItem], replica: String, object: String, mapping: ObjectMapping, connector: any CRMConnector,
                 report r: inout PassReport.Replica) async throws {
        var ids: [String] = []
        for item in chunk where item.operation == .update {
            guard let link = try store.externalID(replica: replica, record: item.record),
                  try store.shadow(replica: replica, record: item.record)[Self.deletedMarker] != .bool(true) else { continue }
            ids.append(link)
        }
        guard !ids.isEmpty else { return }
        let fields = mapping.fields.filter { !$0.crmField.hasPrefix("associations.") }.map(\.crmField)
        let fetched = try await connector.fetch(object: mapping.crmObject, ids: ids, fields: fields)
        let records = try await completed(fetched, replica: replica, object: object, mapping: mapping, connector: connector)
        try ingest(records.filter { !$0.isDeleted }, replica: replica, object: object, mapping: mapping, into: &r)
    }
}
