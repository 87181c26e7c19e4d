/// How a CRM delivers webhooks: its retry schedule, its request timeout, and whether it
/// batches events into one request.
public struct WebhookPolicy: Sendable {
    /// Seconds before each retry, as the CRM documents its schedule (scaled by the target's
    /// `retryTimeScale`).
    public var retryDelays: [Double]
    /// How long the CRM waits for an answer before it counts the delivery as failed, seconds.
    public var timeoutSeconds: Double
    /// Up to this many events in one request, gathered for `batchWindowMillis` (1: none).
    public var batchMax: Int
    /// How long events are gathered before a batch goes.
    public var batchWindowMillis: Int

    /// HubSpot: batches of up to 100 events; a 5 s timeout; up to 10 retries over about a
    /// day on a connection failure, a timeout, 429 or 5xx (other 4xx are not retried).
    public static let hubspot = WebhookPolicy(retryDelays: [60, 120, 300, 600, 1_200, 2_400, 4_800, 9_600, 19_200, 43_200],
                                              timeoutSeconds: 5, batchMax: 100, batchWindowMillis: 1_000)
    /// Salesforce outbound messages (and the retries of a change-event callout queued by
    /// Apex): exponential intervals from 15 s up to 2 hours, for up to 24 hours.
    public static let salesforce = WebhookPolicy(retryDelays: [15, 30, 60, 120, 240, 480, 960, 1_920, 3_840, 7_200, 7_200, 7_200, 7_200, 7_200, 7_200, 7_200],
                                                 timeoutSeconds: 60, batchMax: 1, batchWindowMillis: 0)
    /// Dataverse: the asynchronous service retries a failed service-endpoint call with
    /// growing waits; 60 s timeout (of the plug-in execution).
    public static let dataverse = WebhookPolicy(retryDelays: [5, 60, 300, 900], timeoutSeconds: 60, batchMax: 1, batchWindowMillis: 0)
}
