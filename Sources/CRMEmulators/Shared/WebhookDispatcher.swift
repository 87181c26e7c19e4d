import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One outgoing webhook request.
public struct WebhookMessage: Sendable {
    public var url: String
    public var headers: [String: String]
    public var body: [UInt8]
}

/// Posts a CRM-formatted webhook for every committed change while a target is configured,
/// as the CRM delivers them (``WebhookPolicy``): batched where the CRM batches, retried on
/// its schedule on a connection failure, a timeout, 429 or 5xx, signed anew on each attempt.
/// Faults (``FaultSettings``): a share of deliveries dropped, a share sent twice, and a
/// random delay before each that reorders them.
public final class WebhookDispatcher: Sendable {
    /// The requests for one change (each signed when built).
    public typealias Formatter = @Sendable (ChangeEvent, StoredRecord, WebhookTarget) -> [WebhookMessage]
    /// The events of one change, for a CRM that batches them.
    public typealias EventFormatter = @Sendable (ChangeEvent, StoredRecord) -> [JSONValue]
    /// One request carrying a batch of events (signed when built).
    public typealias Batcher = @Sendable ([JSONValue], WebhookTarget) -> WebhookMessage

    private enum Mode: Sendable {
        case each(Formatter)
        case batched(EventFormatter, Batcher)
    }

    private let control: EmulatorControl
    private let mode: Mode
    private let policy: WebhookPolicy
    private let stats = Locked((sent: 0, failed: 0, dropped: 0, duplicated: 0, retried: 0))
    private let pending = Locked<(events: [JSONValue], scheduled: Bool)>(([], false))

    /// One request per change.
    public init(control: EmulatorControl, policy: WebhookPolicy, formatter: @escaping Formatter) {
        self.control = control
        self.mode = .each(formatter)
        self.policy = policy
        control.store.onChange { [weak self] event, record in self?.changed(event, record) }
    }

    /// Events gathered into batches (HubSpot).
    public init(control: EmulatorControl, policy: WebhookPolicy, events: @escaping EventFormatter, batch: @escaping Batcher) {
        self.control = control
        self.mode = .batched(events, batch)
        self.policy = policy
        control.store.onChange { [weak self] event, record in self?.changed(event, record) }
    }

    /// Requests answered with 2xx, given up, dropped by the fault, sent twice, and retries.
    public var counts: (sent: Int, failed: Int, dropped: Int, duplicated: Int, retried: Int) { stats.current }

    private func changed(_ event: ChangeEvent, _ record: StoredRecord) {
        guard let target = control.webhookTarget, !event.type.hasPrefix("assoc:") else { return }
        switch mode {
        case .each(let formatter):
            let count = formatter(event, record, target).count
            for index in 0..<count {
                launch(target) { formatter(event, record, target).dropFirst(index).first }
            }
        case .batched(let events, let batch):
            let new = events(event, record)
            guard !new.isEmpty else { return }
            let flushNow = pending.withLock { p -> Bool in
                p.events += new
                if p.events.count >= policy.batchMax { return true }
                if p.scheduled { return false }
                p.scheduled = true
                Task { [weak self] in
                    try? await Task.sleep(nanoseconds: UInt64(self?.policy.batchWindowMillis ?? 0) * 1_000_000)
                    self?.flush(batch)
                }
                return false
            }
            if flushNow { flush(batch) }
        }
    }

    private func flush(_ batch: @escaping Batcher) {
        let chunks = pending.withLock { p -> [[JSONValue]] in
            defer { p.events = []; p.scheduled = false }
            return stride(from: 0, to: p.events.count, by: policy.batchMax).map { Array(p.events[$0..<min($0 + policy.batchMax, p.events.count)]) }
        }
        guard let target = control.webhookTarget else { return }
        for chunk in chunks { launch(target) { batch(chunk, target) } }
    }

    /// Delivers one request (built anew for each attempt) with the faults and the schedule.
    private func launch(_ target: WebhookTarget, _ build: @escaping @Sendable () -> WebhookMessage?) {
        let faults = control.faults
        if faults.webhookDropRate > 0, control.roll(faults.webhookDropRate) {
            stats.withLock { $0.dropped += 1 }
            return
        }
        let twice = faults.webhookDuplicateRate > 0 && control.roll(faults.webhookDuplicateRate)
        let jitter = faults.webhookJitterMs > 0 ? Int(control.randomWord() % UInt64(faults.webhookJitterMs + 1)) : 0
        let scale = target.retryTimeScale ?? 0.01
        let timeout = target.timeoutSeconds ?? policy.timeoutSeconds
        for copy in 0..<(twice ? 2 : 1) {
            if copy == 1 { stats.withLock { $0.duplicated += 1 } }
            Task {
                if jitter > 0 { try? await Task.sleep(nanoseconds: UInt64(jitter + copy * 37) * 1_000_000) }
                await self.deliver(build, scale: scale, timeout: timeout)
            }
        }
    }

    private func deliver(_ build: @Sendable () -> WebhookMessage?, scale: Double, timeout: Double) async {
        for attempt in 0...policy.retryDelays.count {
            if attempt > 0 {
                stats.withLock { $0.retried += 1 }
                try? await Task.sleep(nanoseconds: UInt64(max(0, policy.retryDelays[attempt - 1] * scale) * 1_000_000_000))
            }
            guard let message = build(), let url = URL(string: message.url) else { break }
            var request = URLRequest(url: url)
            request.httpMethod = "POST"
            request.httpBody = Data(message.body)
            request.timeoutInterval = timeout
            for (name, value) in message.headers { request.setValue(value, forHTTPHeaderField: name) }
            if let (_, response) = try? await URLSession.shared.data(for: request), let status = (response as? HTTPURLResponse)?.statusCode {
                if (200..<300).contains(status) {
                    stats.withLock { $0.sent += 1 }
                    return
                }
                // The CRMs retry throttling and server errors, not other refusals.
                if status != 429, status != 408, status < 500 { break }
            }
        }
        stats.withLock { $0.failed += 1 }
    }
}
