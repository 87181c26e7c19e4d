import ConcordCore
import ConcordStore

extension SyncEngine {
    /// Runs `body` (a peer store's replication exchange) with the store and a hook for the
    /// records the peer's batch changed: it plans their writes to every CRM, in the batch's
    /// transaction, as a pull's merge does. An edge's edit reaches the CRMs on the next push.
    public func absorbingPeerChanges<T: Sendable>(
        _ body: (ConcordStore, _ plan: (ConcordStore, _ changedAfter: UInt64) throws(StoreError) -> Void) throws -> T
    ) rethrows -> T {
        try body(store) { store, changedAfter throws(StoreError) in
            for id in try store.recordIDs(changedAfter: changedAfter) {
                guard let rec = try store.record(id) else { continue }
                try plan(id, objectType: rec.objectType)
                try replanReferrers(of: id)
            }
        }
    }
}

extension SyncEngine {
    /// Pushes what the outbox holds to every CRM, without pulling whole objects first: what
    /// an edge replica's batch planned reaches the CRMs within seconds (as a webhook round's
    /// writes do: updates read by id just before they are written where the CRM has no
    /// conditional writes). Nil when the outbox is empty or a pass is running (it pushes too).
    public func pushOutbox() async -> PassReport? {
        guard !running, let depth = try? store.outboxDepth(), depth.values.reduce(0, +) > 0 else { return nil }
        running = true
        defer { running = false }
        var report = PassReport()
        let callsBefore = await callCounts()
        for name in replicas {
            var r = report.replicas[name] ?? PassReport.Replica()
            await reconcileSending(replica: name, into: &r)
            report.replicas[name] = r
        }
        await pushAll(into: &report, dryRun: false, createsOnly: true)
        await finish(&report, callsBefore: callsBefore, dryRun: false)
        stopping = false
        return report
    }
}
