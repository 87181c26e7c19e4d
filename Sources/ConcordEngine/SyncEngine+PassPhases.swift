import ConcordConnectors
import ConcordStore

extension SyncEngine {
    /// Every connector's API call counts now (to report a pass's calls as a difference).
    func callCounts() async -> [String: APICallCounts] {
        var out: [String: APICallCounts] = [:]
        for name in replicas { out[name] = await connectors[name]?.apiCalls() }
        return out
    }

    /// The write phase of a pass (or of a webhook batch): for each replica, pull again the
    /// objects about to be written, then push its outbox. A dry run only lists the writes.
    ///
    /// A webhook batch (`createsOnly`) pulls again, in a CRM whose updates are read by id just
    /// before they are written (HubSpot, Salesforce: ``CRMConnector/readsBeforeUpdating``),
    /// only the objects it is about to create records of (a copy made there meanwhile is
    /// matched, not duplicated): those updates are guarded one by one (the read, then a write
    /// conditional on the version read in Salesforce, HubSpot's property history after).
    /// Dataverse's updates are conditional on the row version Concord last read, and its
    /// own writes' echoes are filtered from the webhooks, so there the objects to write are
    /// pulled again as in a pass (else the second write of a row would fail its `If-Match`
    /// in every round until a pass).
    func pushAll(into report: inout PassReport, dryRun: Bool, createsOnly: Bool = false) async {
        for name in replicas {
            var r = report.replicas[name] ?? PassReport.Replica()
            if dryRun {
                r.planned = r.merged + ((try? plannedWrites(replica: name)) ?? [])
            } else {
                // Edits made in this CRM since its pull must be merged before Concord writes
                // over them (HubSpot has no conditional writes): pull again just the objects
                // about to be written, so the write carries the merged winner. A webhook round
                // leaves out the objects it only updates where each update is read just before.
                let onlyCreates = createsOnly && connectors[name]?.readsBeforeUpdating == true
                if !r.parked, let objects = try? store.openOutboxObjects(replica: name, createsOnly: onlyCreates), !objects.isEmpty {
                    await pull(replica: name, into: &r, report: &report, only: objects)
                }
                await push(replica: name, into: &r)
            }
            report.replicas[name] = r
        }
    }

    /// The accounting after a pass or batch: API calls, errors, telemetry, the replica state.
    func finish(_ report: inout PassReport, callsBefore: [String: APICallCounts], dryRun: Bool) async {
        for name in replicas {
            guard let connector = connectors[name] else { continue }
            let after = await connector.apiCalls()
            var diff = APICallCounts()
            for (k, v) in after.byKind { diff.byKind[k] = v - (callsBefore[name]?.byKind[k] ?? 0) }
            report.replicas[name, default: PassReport.Replica()].apiCalls = diff
            if let e = report.replicas[name]?.lastError { lastErrors[name] = e }
            let depth = (try? store.outboxDepth()[name]) ?? 0
            let cursors = (try? store.cursors().filter { $0.replica == name }.map(\.updatedAt).min()) ?? nil
            telemetry.record(replica: name, report.replicas[name] ?? PassReport.Replica(), outboxDepth: depth,
                             lagMillis: cursors.map { wallClock.nowMillis() &- $0 })
            if !dryRun {
                try? store.recordPass(replica: name, lastError: report.replicas[name]?.lastError, calls: diff.total,
                                      circuit: await connector.circuitState())
            }
        }
        telemetry.record(conflicts: report.conflicts, registers: report.registersMerged)
    }
}
