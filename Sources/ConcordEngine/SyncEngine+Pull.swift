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
            var cursor = (try? store.cursor(replica: replica, objectType: object)) ?? nil
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
                    page.records = try await withFieldTimes(page.records, replica: replica, object: object, mapping: mapping, connector: connector)
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
            if deletesUnknown {
                do { try await reconcileDeletes(replica: replica, object: object, mapping: mapping, connector: connector, into: &r) } catch {
                    r.lastError = "\(object): reconciling deletes failed: \(error)"
                    if (error as? ConnectorError)?.parksReplica == true { r.parked = true; return }
                }
            }
        }
    }

    /// The CRM can no longer say what was deleted since the cursor (Salesforce purged its
    /// delete log, a Dataverse delta token expired): every record linked there is looked up
    /// (batched reads), and those it no longer has are taken in as deletes, by policy.
    func reconcileDeletes(replica: String, object: String, mapping: ObjectMapping, connector: any CRMConnector,
                          into r: inout PassReport.Replica) async throws {
        let linked = try store.links(replica: replica, objectType: object)
        var live: [String] = []
        for (id, gid) in linked where try store.shadow(replica: replica, record: gid)[Self.deletedMarker] != .bool(true) { live.append(id) }
        guard !live.isEmpty else { return }
        let found = try await connector.fetch(object: mapping.crmObject, ids: live.sorted(), fields: [])
        let present = Set(found.filter { !$0.isDeleted }.map(\.id))
        let gone = live.filter { !present.contains($0) }
        try ingest(gone.map { CRMRecord(id: $0, isDeleted: true) }, replica: replica, object: object, mapping: mapping, into: &r)
        r.reconciledDeletes += gone.count
    }
}
