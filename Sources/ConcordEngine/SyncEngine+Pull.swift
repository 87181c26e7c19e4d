import ConcordConnectors
import ConcordCore
import ConcordMapping
import ConcordStore

extension SyncEngine {
    /// Pulls every object (or those in `only`) of one replica, page by page, committing each
    /// page with its cursor.
    func pull(replica: String, into r: inout PassReport.Replica, report: inout PassReport, only: Set<String>? = nil) async {
        guard let connector = connectors[replica] else { return }
        for object in order where only?.contains(object) ?? true {
            guard let mapping = config.mapping(crm: replica, object: object) else { continue }
            var fields = Set(mapping.fields.map(\.crmField))
            if let ext = mapping.externalIDField { fields.insert(ext) }
            // A cursor that cannot be read is no reason to pull everything again in silence.
            var cursor: String?
            var heldDeletes = false
            do throws(StoreError) {
                cursor = try store.cursor(replica: replica, objectType: object)
                heldDeletes = try store.deletionHold(replica: replica, objectType: object) != nil
            } catch {
                r.lastError = "\(object): reading its cursor failed: \(error)"
                continue
            }
            var objectPulled = 0
            var deletesUnknown = false
            for _ in 0..<100_000 {
                if stopRequested(&r) { return }
                let request = PullRequest(object: mapping.crmObject, fields: fields.sorted(), cursor: cursor,
                                          pageSize: connector.pullPageSize, withFieldHistory: false,
                                          discriminator: mapping.discriminator)
                var page: PullPage
                do {
                    page = try await connector.pull(request)
                    page.records = try await completed(page.records, replica: replica, object: object, mapping: mapping, connector: connector)
                } catch {
                    r.lastError = "\(object): \(error)"
                    if (error as? ConnectorError)?.parksReplica ?? true {
                        r.parked = true
                        return
                    }
                    break  // this object cannot be read (not served, refused): the others go on
                }
                do {
                    try store.transaction { s throws(StoreError) in
                        for record in page.records {
                            try ingest(record, replica: replica, object: object, mapping: mapping, report: &report, replicaReport: &r)
                        }
                        try s.setCursor(page.cursor, replica: replica, objectType: object)
                    }
                } catch {
                    r.lastError = "storing a page from \(replica) failed: \(error)"
                    return
                }
                if page.deletesUnknownSince != nil { deletesUnknown = true }
                r.pulled += page.records.count
                objectPulled += page.records.count
                cursor = page.cursor
                progress(.pull, replica, object, objectPulled, finished: !page.hasMore)
                if !page.hasMore { break }
            }
            // Deletes held by the guard are checked again each pass (approved, or back below it).
            if deletesUnknown || heldDeletes {
                do { try await reconcileDeletes(replica: replica, object: object, mapping: mapping, connector: connector, into: &r) } catch {
                    r.lastError = "\(object): reconciling deletes failed: \(error)"
                    if (error as? ConnectorError)?.parksReplica == true { r.parked = true; return }
                }
            }
        }
    }

    /// The CRM can no longer say what was deleted since the cursor (Salesforce purged its
    /// delete log, a Dataverse delta token expired): every record linked there is looked up
    /// (batched reads), and those it no longer has are taken in as deletes, by policy. An id
    /// the answer could not tell about (a per-item error, an unreadable row) is not gone. And
    /// the deletion guard: more deletes than it allows wait, all of them, for an admin's
    /// approval (a permission change hiding rows looks exactly like a mass delete).
    func reconcileDeletes(replica: String, object: String, mapping: ObjectMapping, connector: any CRMConnector,
                          into r: inout PassReport.Replica) async throws {
        let linked = try store.links(replica: replica, objectType: object)
        var live: [String] = []
        for (id, gid) in linked where try store.shadow(replica: replica, record: gid)[Self.deletedMarker] != .bool(true) { live.append(id) }
        let hold = try store.deletionHold(replica: replica, objectType: object)
        guard !live.isEmpty else {
            if hold != nil { try store.clearDeletionHold(replica: replica, objectType: object) }
            return
        }
        let found = try await connector.lookup(object: mapping.crmObject, ids: live.sorted(), fields: [])
        let present = Set(found.records.filter { !$0.isDeleted }.map(\.id))
        let unknown = live.filter { !present.contains($0) && found.unknown.contains($0) }
        let gone = live.filter { !present.contains($0) && !found.unknown.contains($0) }
        if !unknown.isEmpty {
            r.unknownOnLookup += unknown.count
            r.lastError = "\(object): \(unknown.count) linked record(s) could not be read back from \(replica) "
                + "(an error for the item, or a row Concord could not read): not taken as deleted"
        }
        if config.sync.deletionGuard.trips(deletes: gone.count, linked: live.count), hold?.approved != true {
            try store.holdDeletions(replica: replica, objectType: object, deletes: gone.count, linked: live.count)
            r.deletionsHeld += gone.count
            r.lastError = "deletion guard: \(replica) no longer shows \(gone.count) of \(live.count) linked \(object) records "
                + "(its delete log cannot say what was deleted); nothing was deleted. If they were deleted, run "
                + "`concord deletes approve --crm \(replica) --object \(object)`; if they are hidden (a permission change), fix that"
            return
        }
        try ingest(gone.map { CRMRecord(id: $0, isDeleted: true) }, replica: replica, object: object, mapping: mapping, into: &r)
        r.reconciledDeletes += gone.count
        if hold != nil { try store.clearDeletionHold(replica: replica, objectType: object) }
    }
}
