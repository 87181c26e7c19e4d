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

/// Posts a CRM-formatted webhook for every committed change while a target is configured.
/// Deliveries retry up to 3 times on connection errors, 429 and 5xx.
public final class WebhookDispatcher: Sendable {
    public typealias Formatter = @Sendable (ChangeEvent, StoredRecord, WebhookTarget) -> [WebhookMessage]
    private let control: EmulatorControl
    private let formatter: Formatter
    private let stats = Locked((sent: 0, failed: 0))

    public init(control: EmulatorControl, formatter: @escaping Formatter) {
        self.control = control
        self.formatter = formatter
        control.store.onChange { [weak self] event, record in self?.changed(event, record) }
    }

    /// Deliveries answered with 2xx, and deliveries given up.
    public var counts: (sent: Int, failed: Int) { stats.current }

    private func changed(_ event: ChangeEvent, _ record: StoredRecord) {
        guard let target = control.webhookTarget, !event.type.hasPrefix("assoc:") else { return }
        for message in formatter(event, record, target) {
            Task { await self.deliver(message) }
        }
    }

    private func deliver(_ message: WebhookMessage) async {
        guard let url = URL(string: message.url) else {
            stats.withLock { $0.failed += 1 }
            return
        }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.httpBody = Data(message.body)
        for (name, value) in message.headers { request.setValue(value, forHTTPHeaderField: name) }
        for attempt in 0..<3 {
            if let (_, response) = try? await URLSession.shared.data(for: request), let status = (response as? HTTPURLResponse)?.statusCode {
                if (200..<300).contains(status) {
                    stats.withLock { $0.sent += 1 }
                    return
                }
                if status != 429, status < 500 { break }
            }
            try? await Task.sleep(nanoseconds: UInt64(200_000_000 * (attempt + 1)))
        }
        stats.withLock { $0.failed += 1 }
    }
}
