import ConcordEngine
import Foundation
import Logging
import ServiceLifecycle

/// The sync side of `concord serve`: works the webhook inbox as events arrive (after a
/// short debounce, so a burst becomes batches) and runs a full polling pass at start and
/// every `safetyNetSeconds` (webhooks can be lost; the cursors stay the source of truth).
///
/// On SIGTERM the service drains: webhooks are refused with 503 from then on, the batch or
/// pass in flight stops after its current page or write batch (committed, or parked in the
/// outbox), and the loop returns.
struct SyncLoop: Service {
    let engine: SyncEngine
    let state: ServiceState
    let safetyNetSeconds: Int
    let debounceMillis: Int
    let logger: Logger
    /// Sees every report (a pass: `pass`; an inbox round: `webhooks`).
    let onReport: @Sendable (String, PassReport) -> Void

    func run() async throws {
        await withGracefulShutdownHandler {
            await loop()
        } onGracefulShutdown: {
            state.draining = true
            Task { await engine.requestStop() }
        }
    }

    /// How long done inbox rows deduplicate redeliveries (HubSpot retries for about a day,
    /// Salesforce outbound messages for 24 hours).
    static let inboxRetentionMillis: UInt64 = 3 * 24 * 3_600_000

    /// The gauges read from the store: inbox depth, quarantine per CRM, API calls today, circuits.
    func recordGauges() async {
        guard let (depth, quarantined, states) = try? await engine.withStore({ s in
            (try s.inboxDepth().pending, Dictionary(grouping: try s.quarantined(), by: \.replica).mapValues(\.count),
             try s.replicaStates().map { (crm: $0.replica, callsToday: $0.callsToday, circuit: $0.circuit) })
        }) else { return }
        ServiceMetrics.inboxDepth(depth)
        ServiceMetrics.replicas(quarantined: quarantined, states: states)
    }

    static func nowMillis() -> UInt64 { UInt64(Date().timeIntervalSince1970 * 1000) }

    func loop() async {
        var nextPass: UInt64 = 0
        var retryAt: UInt64 = 0
        var backoff: UInt64 = 1_000
        while !state.draining && !Task.isCancelled {
            let now = Self.nowMillis()
            if now >= nextPass {
                let report = await engine.runPass()
                onReport("pass", report)
                // Done events are kept 3 days (a CRM's redelivery of one is known), then forgotten.
                _ = try? await engine.withStore { try $0.pruneInbox(olderThan: Self.inboxRetentionMillis) }
                await recordGauges()
                nextPass = Self.nowMillis() + UInt64(safetyNetSeconds) * 1000
                state.wake()  // events taken in during the pass
                continue
            }
            if now >= retryAt, state.takeWake() {
                if debounceMillis > 0 { try? await Task.sleep(for: .milliseconds(debounceMillis)) }
                for _ in 0..<100 {
                    guard !state.draining else { break }
                    let started = Self.nowMillis()
                    guard let report = await engine.processInbox() else { break }
                    let done = Self.nowMillis()
                    ServiceMetrics.batch(seconds: Double(done - started) / 1000)
                    for at in report.inboxEventTimes { ServiceMetrics.propagation(seconds: Double(done &- min(at, done)) / 1000) }
                    onReport("webhooks", report)
                    let failed = report.aborted != nil || report.replicas.values.contains { $0.parked || $0.lastError != nil }
                    if failed {
                        // The events stay in the inbox: again after a growing pause.
                        retryAt = Self.nowMillis() + backoff
                        backoff = min(backoff * 2, 60_000)
                        state.wake()
                        break
                    }
                    backoff = 1_000
                    guard report.inboxRemaining > 0 else { break }
                    if report.inboxEventTimes.isEmpty {
                        // Events left that this round could not finish: later.
                        retryAt = Self.nowMillis() + backoff
                        state.wake()
                        break
                    }
                }
                await recordGauges()
            }
            if state.takePeerWake(), let report = await engine.pushOutbox() {
                onReport("replication", report)
                if report.aborted != nil || report.replicas.values.contains(where: { $0.parked || $0.lastError != nil }) {
                    state.wakeForPeers()  // the writes stay planned: again after the next pause
                    try? await Task.sleep(for: .milliseconds(Int(min(backoff, 60_000))))
                }
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }
}
