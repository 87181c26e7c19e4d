/// Tunables of the Salesforce connector that are not part of the CRM configuration.
public struct SalesforceOptions: Sendable, Hashable {
    /// The REST API version path segment (`v59.0`).
    public var apiVersion: String
    /// The `aud` claim of a JWT bearer assertion (`https://login.salesforce.com`, or
    /// `https://test.salesforce.com` for sandboxes).
    public var jwtAudience: String
    /// How long an access token is assumed to live when the token response has no
    /// `expires_in` (Salesforce sends none; the org's session timeout, 2 hours by default).
    public var sessionLifetimeMillis: UInt64
    /// How long before the assumed expiry a token is replaced.
    public var refreshMarginMillis: UInt64
    /// How far back each pull cycle re-reads `SystemModstamp`, to catch transactions that
    /// committed after a later-stamped change was already read. Records already delivered
    /// with the same stamp are not delivered again.
    public var overlapMillis: UInt64
    /// A cursor older than this is checked against getDeleted's `earliestDateAvailable`
    /// (one extra call at the start of such a cycle); younger cursors rely on `queryAll`.
    public var deleteLogCheckAfterMillis: UInt64
    /// How far back getDeleted reaches (15 days on Salesforce).
    public var deleteLogRetentionMillis: UInt64
    /// The most records delivered within the overlap window that a cursor remembers (to
    /// avoid delivering them twice); beyond it, re-delivery is possible (harmless, merges
    /// are idempotent) but nothing is missed.
    public var maxRememberedInOverlap: Int
    /// The `client=` value of `Sforce-Call-Options`, marking Concord's own writes.
    public var callOptionsClient: String
    /// The most a throttled call (403 `REQUEST_LIMIT_EXCEEDED` other than the daily limit)
    /// waits in all before it is reported as rate limited. Throttled calls did nothing, so
    /// even a `POST` is sent again.
    public var maxThrottleWaitMillis: UInt64

    /// Defaults suitable for production.
    public init(apiVersion: String = "v59.0", jwtAudience: String = "https://login.salesforce.com",
                sessionLifetimeMillis: UInt64 = 2 * 3_600_000, refreshMarginMillis: UInt64 = 5 * 60_000,
                overlapMillis: UInt64 = 120_000, deleteLogCheckAfterMillis: UInt64 = 3_600_000,
                deleteLogRetentionMillis: UInt64 = 15 * 86_400_000, maxRememberedInOverlap: Int = 5_000,
                callOptionsClient: String = "concord", maxThrottleWaitMillis: UInt64 = 120_000) {
        self.apiVersion = apiVersion
        self.jwtAudience = jwtAudience
        self.sessionLifetimeMillis = sessionLifetimeMillis
        self.refreshMarginMillis = refreshMarginMillis
        self.overlapMillis = overlapMillis
        self.deleteLogCheckAfterMillis = deleteLogCheckAfterMillis
        self.deleteLogRetentionMillis = deleteLogRetentionMillis
        self.maxRememberedInOverlap = maxRememberedInOverlap
        self.callOptionsClient = callOptionsClient
        self.maxThrottleWaitMillis = maxThrottleWaitMillis
    }
}
