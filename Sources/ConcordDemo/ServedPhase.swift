import ConcordConnectors
import ConcordEngine
import ConcordMapping
import ConcordService
import ConcordWebhooks
import CRMEmulators
import Foundation
import Logging

/// The demo's sync while the simulated user edits, run as `concord serve` runs it: the
/// service's first pass, webhooks from all three emulators worked as they arrive, a
/// safety-net pass every `sync.poll_interval_seconds`; then the service drains and stops.
enum ServedPhase {
    final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var reports: [PassReport] = []
        private var latencies: [Double] = []
        private var passes = 0

        func add(_ kind: String, _ report: PassReport) {
            let now = UInt64(Date().timeIntervalSince1970 * 1000)
            lock.withLock {
                reports.append(report)
                if kind == "pass" { passes += 1 }
                latencies += report.inboxEventTimes.map { Double(now &- min($0, now)) / 1000 }
            }
        }
        var passCount: Int { lock.withLock { passes } }
        var snapshot: ([PassReport], [Double]) { lock.withLock { (reports, latencies) } }
    }

    static func run(_ o: DemoOptions, cluster: EmulatorCluster, config base: ConcordConfig, engine: SyncEngine,
                    logger: Logger) async throws -> (reports: [PassReport], propagation: DemoReport.Propagation) {
        var config = base
        config.service.listen = "127.0.0.1:0"
        config.service.safetyNetSeconds = max(5, config.sync.pollIntervalSeconds)
        let secrets = ["hubspot": "demo-hs-secret", "salesforce": "demo-sf-secret", "dynamics": "demo-dv-key"]
        config.service.webhooks = [
            "hubspot": .hubspotSignature(secret: .literal(secrets["hubspot"]!)),
            "salesforce": .salesforce(secret: .literal(secrets["salesforce"]!), organizationID: nil),
            "dynamics": .dataverseWebhookKey(.literal(secrets["dynamics"]!)),
        ]
        config.service.ownChanges = ["hubspot": HubSpotWebhooks.appSourceID, "dynamics": DataverseEmulator.applicationUser]
        let collected = Collected()
        let service = try await ConcordService.start(ConcordService.Parts(
            engine: engine, settings: config.service, intakes: try WebhookIntakes.make(config: config, environment: [:]),
            hooks: ServiceHooks(commit: { events in try await engine.withStore { try $0.enqueueInbox(events) } }, notReady: { nil },
                                status: { [] }, quarantine: { [] }, retryQuarantine: { _ in 0 }, dropQuarantine: { _ in false }),
            opsToken: nil, logger: logger, onReport: { kind, report in
                collected.add(kind, report)
                if kind == "pass" || report.wroteAnything { o.progress("\(kind): " + DemoRunner.line(pass: collected.passCount, report)) }
            }), signals: false)
        for m in cluster.members {
            m.emulator.control.webhookTarget = WebhookTarget(url: "http://127.0.0.1:\(service.port)/webhooks/\(m.emulator.name)",
                                                             secret: secrets[m.emulator.name])
        }
        o.progress("concord serve on port \(service.port): webhooks from the three emulators, a safety-net pass every \(config.service.safetyNetSeconds) s")
        // The first pass, then the simulated user's edits for the set time, by webhook.
        while collected.passCount < 1 { try await Task.sleep(nanoseconds: 100_000_000) }
        try await Task.sleep(nanoseconds: UInt64(o.serveSeconds * 1_000_000_000))
        for m in cluster.members { m.emulator.control.webhookTarget = nil }
        // What was delivered is worked before the service stops (bounded: the convergence
        // passes that follow take what is left).
        for _ in 0..<300 {
            if (try? await engine.withStore({ try $0.inboxDepth().pending })) == 0 { break }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        await service.stop()
        let (reports, latencies) = collected.snapshot
        let propagation = DemoReport.Propagation(latencies)
        o.progress(String(format: "webhook propagation: %d events, p50 %.2f s, p95 %.2f s, p99 %.2f s", propagation.events,
                          propagation.p50Seconds, propagation.p95Seconds, propagation.p99Seconds))
        return (reports, propagation)
    }
}
