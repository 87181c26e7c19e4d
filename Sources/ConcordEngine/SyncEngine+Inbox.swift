import ConcordConnectors
import ConcordMapping
import ConcordStore

extension SyncEngine {
    /// Works the webhook inbox: the records its pending events name are read by id (batched
    /// reads), ingested, merged and planned exactly as a pass's pulled records are, the
    /// events are marked done in the same transaction as that merge, and every replica's
    /// outbox is pushed. Events that say a record was deleted, merged or restored (and
    /// records a read no longer finds) run the object's incremental pull instead: the CRM's
    /// delete log and merge records say what became of them, and the cursor stays the source
    /// of truth. Events of a CRM that fails stay pending for the next round.
    ///
    /// Returns nil when nothing waits or a pass is running (its pull covers the same records).
    public func processInbox(limit: Int = 1_000) async -> PassReport? {
        guard !running else { return nil }
        let rows: [InboxRow]
        do { rows = try store.pendingInbox(limit: limit) } catch {
            var report = PassReport()
            report.aborted = "reading the webhook inbox failed: \(error)"
            return report
        }
        guard !rows.isEmpty else { return nil }
        running = true
        defer { running = false }
        var report = PassReport()
        let callsBefore = await callCounts()
        // Events of a CRM no longer configured have nothing to do.
        let stray = rows.filter { !replicas.contains($0.event.replica) || connectors[$0.event.replica] == nil }.map(\.seq)
        try? store.markInboxDone(stray)
        for name in replicas {
            let mine = rows.filter { $0.event.replica == name }
            guard !mine.isEmpty, connectors[name] != nil else { continue }
            var r = report.replicas[name] ?? PassReport.Replica()
            await reconcileSending(replica: name, into: &r)
            if !r.parked { await ingestInbox(mine, replica: name, into: &r, report: &report) }
            report.replicas[name] = r
        }
        if report.replicas.values.contains(where: { $0.pulled > 0 }) {
            do { report.quarantineRetried = try retryQuarantined(keys: nil, report: &report).count } catch {
                report.replicas["engine", default: PassReport.Replica()].lastError = "retrying the quarantine failed: \(error)"
            }
        }
        await pushAll(into: &report, dryRun: false, createsOnly: true)
        await finish(&report, callsBefore: callsBefore, dryRun: false)
        if let pending = try? store.pendingInbox(limit: limit) {
            let waiting = Set(pending.map(\.seq))
            report.inboxEventTimes = rows.filter { !waiting.contains($0.seq) }.map { $0.event.occurredAt > 0 ? $0.event.occurredAt : $0.receivedAt }
            report.inboxRemaining = (try? store.inboxDepth().pending) ?? pending.count
        }
        stopping = false
        return report
    }

    /// One replica's share of the inbox, object by object.
    func ingestInbox(_ rows: [InboxRow], replica: String, into r: inout PassReport.Replica, report: inout PassReport) async {
        guard let connector = connectors[replica] else { return }
        let byObject = Dictionary(grouping: rows, by: \.event.crmObject)
        var pulls: Set<String> = []
        var pullRows: [Int64] = []
        for (crmObject, group) in byObject.sorted(by: { $0.key < $1.key }) {
            if stopRequested(&r) { return }
            let mappings = order.compactMap { config.mapping(crm: replica, object: $0) }.filter { $0.crmObject == crmObject }
            guard !mappings.isEmpty else {
                try? store.markInboxDone(group.map(\.seq))  // an object no longer mapped
                continue
            }
            if group.contains(where: { $0.event.kind == .delete }) {
                pulls.formUnion(mappings.map(\.object))
                pullRows += group.map(\.seq)
                continue
            }
            let ids = Array(Set(group.map(\.event.crmID))).sorted()
            var found: Set<String> = []
            var unknown: Set<String> = []
            var failed = false
            for mapping in mappings {
                var fields = Set(mapping.fields.map(\.crmField)).union(mapping.discriminator.keys)
                if let ext = mapping.externalIDField { fields.insert(ext) }
                do {
                    let answer = try await connector.lookup(object: crmObject, ids: ids, fields: fields.sorted())
                    found.formUnion(answer.records.map(\.id))
                    unknown.formUnion(answer.unknown)
                    // One CRM object can hold several canonical ones (Salesforce tasks and
                    // calls): each takes the records its discriminator selects.
                    let mine = answer.records.filter { record in
                        record.isDeleted || mapping.discriminator.allSatisfy { record.fields[$0.key]?.text == $0.value }
                    }
                    let records = try await completed(mine, replica: replica, object: mapping.object, mapping: mapping, connector: connector)
                    let isLast = mapping.object == mappings.last?.object
                    try store.transaction { s throws(StoreError) in
                        for record in records {
                            try ingest(record, replica: replica, object: mapping.object, mapping: mapping, report: &report, replicaReport: &r)
                        }
                        // The events are done with the merge of what they named.
                        if isLast { try s.markInboxDone(group.map(\.seq)) }
                    }
                    r.pulled += records.count
                } catch let error as ConnectorError {
                    r.lastError = "\(mapping.object) (webhook reads): \(error)"
                    if error.parksReplica { r.parked = true }
                    failed = true
                    break
                } catch {
                    r.lastError = "storing records read for webhooks from \(replica) failed: \(error)"
                    failed = true
                    break
                }
            }
            if failed { return }
            if !unknown.isEmpty { r.unknownOnLookup += unknown.count }
            // A record the CRM no longer has was deleted or merged after its event: the pull
            // path finds out which.
            if ids.contains(where: { !found.contains($0) && !unknown.contains($0) }) { pulls.formUnion(mappings.map(\.object)) }
        }
        guard !pulls.isEmpty else { return }
        let errorBefore = r.lastError
        await pull(replica: replica, into: &r, report: &report, only: pulls)
        if !r.parked && r.lastError == errorBefore { try? store.markInboxDone(pullRows) }
    }
}
