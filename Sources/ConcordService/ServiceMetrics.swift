import Metrics
import Prometheus

/// The service's metrics, exported at `/metrics` in the Prometheus text format:
/// swift-prometheus is the swift-metrics backend, so the engine's own metrics (records
/// pulled and pushed, API calls, outbox depth, lag) appear there too. No record ids or
/// emails are ever labels: only CRM names, results and kinds.
public enum ServiceMetrics {
    /// The process's registry; the first use bootstraps swift-metrics with it (once per
    /// process: `concord serve` is the only command that exports metrics).
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.valueHistogramBuckets["concord_propagation_seconds"] = [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900]
        factory.valueHistogramBuckets["concord_webhook_batch_seconds"] = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30]
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    /// Makes sure the backend is in place before anything records.
    public static func bootstrap() { _ = registry }

    /// A webhook request answered: `result` is `accepted` or the rejection kind.
    static func webhook(crm: String, result: String) {
        Counter(label: "concord_webhooks_received_total", dimensions: [("crm", crm), ("result", result)]).increment()
    }

    /// Events committed to the inbox (new ones) and redeliveries seen.
    static func inbox(crm: String, added: Int, duplicates: Int) {
        Counter(label: "concord_webhook_events_total", dimensions: [("crm", crm), ("result", "new")]).increment(by: added)
        Counter(label: "concord_webhook_events_total", dimensions: [("crm", crm), ("result", "duplicate")]).increment(by: duplicates)
    }

    /// Seconds from an edit (the CRM's event time) to Concord's writes of it elsewhere.
    static func propagation(seconds: Double) {
        Recorder(label: "concord_propagation_seconds", aggregate: true).record(seconds)
    }

    /// A webhook batch's duration (read, merge, write).
    static func batch(seconds: Double) {
        Recorder(label: "concord_webhook_batch_seconds", aggregate: true).record(seconds)
    }

    /// Events waiting in the inbox.
    static func inboxDepth(_ n: Int) {
        Gauge(label: "concord_inbox_depth").record(n)
    }

    /// Per CRM: records waiting in the quarantine, API calls today, and whether its circuit
    /// is open (1) or not (0), as the store last recorded them.
    static func replicas(quarantined: [String: Int], states: [(crm: String, callsToday: Int, circuit: String)]) {
        for (crm, n) in quarantined { Gauge(label: "concord_quarantine_size", dimensions: [("crm", crm)]).record(n) }
        for s in states {
            Gauge(label: "concord_api_calls_today", dimensions: [("crm", s.crm)]).record(s.callsToday)
            Gauge(label: "concord_circuit_open", dimensions: [("crm", s.crm)]).record(s.circuit.hasPrefix("open") ? 1 : 0)
        }
    }

    /// The Prometheus text of everything recorded.
    public static func text() -> [UInt8] { registry.emitToBuffer() }
}
