import Logging
import Metrics

/// The engine's logs (swift-log) and metrics (swift-metrics). The executable bootstraps the
/// backends; libraries only emit. Secrets never reach either: connectors redact requests
/// and the engine logs names, counts and error descriptions only.
struct EngineTelemetry: Sendable {
    let logger: Logger
    /// Applied to error texts before they are logged (``ValueRedaction``).
    var redact: @Sendable (String) -> String = { $0 }

    /// Records a finished pass for one replica.
    func record(replica: String, _ r: PassReport.Replica, outboxDepth: Int, lagMillis: UInt64?) {
        let dims = [("crm", replica)]
        Counter(label: "concord_records_pulled_total", dimensions: dims).increment(by: r.pulled)
        Counter(label: "concord_records_pushed_total", dimensions: dims + [("op", "create")]).increment(by: r.created)
        Counter(label: "concord_records_pushed_total", dimensions: dims + [("op", "update")]).increment(by: r.updated)
        Counter(label: "concord_records_pushed_total", dimensions: dims + [("op", "delete")]).increment(by: r.deleted)
        Counter(label: "concord_quarantined_total", dimensions: dims).increment(by: r.quarantined)
        Counter(label: "concord_api_calls_total", dimensions: dims).increment(by: r.apiCalls.total)
        Gauge(label: "concord_outbox_depth", dimensions: dims).record(outboxDepth)
        if let lagMillis { Gauge(label: "concord_lag_seconds", dimensions: dims).record(Double(lagMillis) / 1000) }
        var meta: Logger.Metadata = [
            "crm": .string(replica), "pulled": "\(r.pulled)", "changed": "\(r.changed)", "matched": "\(r.matched)",
            "created": "\(r.created)", "updated": "\(r.updated)", "deleted": "\(r.deleted)",
            "quarantined": "\(r.quarantined)", "failed": "\(r.failed)", "api_calls": "\(r.apiCalls.total)",
            "outbox": "\(outboxDepth)",
        ]
        if let e = r.lastError { meta["error"] = .string(redact(e)) }
        if r.parked || r.lastError != nil {
            logger.warning("replica parked or failed", metadata: meta)
        } else {
            logger.info("replica synced", metadata: meta)
        }
    }

    /// A CRM timestamp further ahead than the skew guard allows, taken at its limit.
    func clamped(replica: String, object: String, record: String, field: String, aheadMillis: UInt64) {
        Counter(label: "concord_clock_clamped_total", dimensions: [("replica", replica)]).increment()
        logger.warning("\(replica) stamped an edit \(aheadMillis) ms ahead of this machine's clock (more than the skew guard allows); taken at the limit",
                       metadata: ["object": "\(object)", "record": "\(record)", "field": "\(field)"])
    }

    /// Records the pass totals.
    func record(conflicts: Int, registers: Int) {
        Counter(label: "concord_conflicts_total").increment(by: conflicts)
        Counter(label: "concord_registers_merged_total").increment(by: registers)
        logger.info("pass finished", metadata: ["conflicts": "\(conflicts)", "registers_merged": "\(registers)"])
    }
}
