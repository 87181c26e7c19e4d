import ConcordConnectors
import ConcordCore
import ConcordMapping
import ConcordStore

extension SyncEngine {
    /// Pulls every object of one replica, page by page, committing each page with its cursor.
    func pull(replica: String, into r: inout PassReport.Replica, report: inout PassReport) async {
        guard let connector = connectors[replica] else { return }
        for object in order {
            guard let mapping = config.mapping(crm: replica, object: object) else { continue }
            var fields = Set(mapping.fields.map(\.crmField))
            if let ext = mapping.externalIDField { fields.insert(ext) }
            var cursor = (try? store.cursor(replica: replica, objectType: object)) ?? nil
            var objectPulled = 0
            for _ in 0..<100_000 {
                let request = PullRequest(object: mapping.crmObject, fields: fields.sorted(), cursor: cursor,
                                          pageSize: connector.pullPageSize, withFieldHistory: false,
                                          discriminator: mapping.discriminator)
                let page: PullPage
                do {
                    page = try await connector.pull(request)
                } catch {
                    r.lastError = "\(object): \(error.description)"
                    if error.parksReplica {
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
                r.pulled += page.records.count
                objectPulled += page.records.count
                cursor = page.cursor
                progress(.pull, replica, object, objectPulled, finished: !page.hasMore)
                if !page.hasMore { break }
            }
        }
    }
}
