import ConcordStore

/// What the server answers to a webhook it accepted.
public struct WebhookResponse: Sendable, Hashable {
    /// The HTTP status.
    public var status: Int
    /// The response's content type.
    public var contentType: String
    /// The response body.
    public var body: [UInt8]

    /// A `200` with an empty JSON object (HubSpot, Dataverse and change events need nothing more).
    public static let ok = WebhookResponse(status: 200, contentType: "application/json", body: Array("{}".utf8))
}

/// A webhook request read and authenticated: the events to commit, then the answer.
public struct WebhookAcceptance: Sendable {
    /// The events for the inbox (already resolved to the connector's object names).
    public var events: [InboxEvent]
    /// Events about objects Concord does not sync (answered 2xx, not stored).
    public var ignored: Int
    /// A key that identifies this exact signed request (its signature), remembered once its
    /// events are committed so the same request again is a replay; nil for unsigned formats.
    public var replayKey: String?
    /// What to answer once the events are committed.
    public var response: WebhookResponse
}

/// One CRM's webhook route: authenticates a request and reads its events. Pure: no I/O.
public protocol WebhookIntake: Sendable {
    /// The configured CRM name.
    var crm: String { get }
    /// Reads `request` received at `now` (Unix ms), or says why it is refused.
    func accept(_ request: WebhookRequest, now: UInt64) throws(WebhookRejection) -> WebhookAcceptance
}

/// Checks shared by every intake.
enum IntakeChecks {
    /// How old a signed timestamp may be (HubSpot's own rule: 5 minutes).
    static let freshnessMillis: UInt64 = 300_000

    static func post(_ r: WebhookRequest) throws(WebhookRejection) {
        guard r.method.uppercased() == "POST" else { throw WebhookRejection(.methodNotAllowed, "\(r.method) is not accepted; CRMs POST") }
    }

    static func mediaType(_ r: WebhookRequest, _ allowed: [String]) throws(WebhookRejection) {
        guard let type = r.mediaType, allowed.contains(type) else {
            throw WebhookRejection(.unsupportedMediaType, "content type \(r.mediaType ?? "(none)") is not taken here; expected "
                                   + allowed.joined(separator: " or "))
        }
    }

    /// A millisecond timestamp within the freshness window of `now` (either side).
    static func fresh(_ text: String?, now: UInt64, header: String) throws(WebhookRejection) {
        guard let text, let t = UInt64(text) else { throw WebhookRejection(.unauthenticated, "\(header) is missing or not a number") }
        let age = now >= t ? now - t : t - now
        guard age <= freshnessMillis else {
            throw WebhookRejection(.stale, "\(header) is \(age / 1000) s away from this machine's clock (at most \(freshnessMillis / 1000) s)")
        }
    }
}
