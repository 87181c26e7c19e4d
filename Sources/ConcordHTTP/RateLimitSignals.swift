/// What one response says about the destination's limits, read from its status, headers
/// and (for Salesforce and HubSpot throttling) body.
///
/// Understood: `Retry-After` (seconds), `Sforce-Limit-Info: api-usage=N/M`,
/// `X-HubSpot-RateLimit-Daily`, `-Daily-Remaining`, `-Interval-Milliseconds`, `-Max`,
/// `-Remaining`, and Dataverse's `x-ms-ratelimit-burst-remaining-xrm-requests` and
/// `x-ms-ratelimit-time-remaining-xrm-requests`.
public struct RateLimitSignals: Sendable, Equatable {
    /// The response is a throttle: 429, or Salesforce's 403 `REQUEST_LIMIT_EXCEEDED`.
    public var throttled = false
    /// The response is a 2xx or 3xx.
    public var succeeded = false
    /// The daily quota is used up (HubSpot `policyName` `DAILY`, Salesforce `TotalRequests`
    /// limit, or usage at or above the maximum).
    public var dailyExhausted = false
    /// How long the server asked us to wait.
    public var retryAfter: Duration?
    /// Requests left in the daily window.
    public var dailyRemaining: Int?
    /// Requests left in the current short interval (HubSpot `-Remaining`, Dataverse burst).
    public var intervalRemaining: Int?
    /// Requests allowed per interval (HubSpot `-Max`).
    public var intervalMax: Int?
    /// The short interval's length (HubSpot `-Interval-Milliseconds`).
    public var interval: Duration?
    /// Dataverse's remaining combined execution time in the 5-minute window.
    public var executionTimeRemaining: Duration?

    /// No signals.
    public init() {}

    /// The signals in `response`; `nowMillis` (Unix milliseconds) turns an HTTP-date
    /// `Retry-After` into a delay, and without it only delta-seconds are understood.
    public init(response: HTTPResponse, nowMillis: UInt64? = nil) {
        let headers = response.headers
        succeeded = (200..<400).contains(response.status)
        let body = response.status == 403 || response.status == 429 ? response.bodyText : ""
        throttled = response.status == 429 || (response.status == 403 && body.contains("REQUEST_LIMIT_EXCEEDED"))
        if throttled, body.contains("TotalRequests Limit") || body.contains("\"DAILY\"") {
            dailyExhausted = true
        }
        retryAfter = headers["Retry-After"].flatMap { Self.parseRetryAfter($0, nowMillis: nowMillis) }
        if let usage = headers["Sforce-Limit-Info"].flatMap(Self.parseSalesforceUsage) {
            dailyRemaining = max(0, usage.max - usage.used)
        }
        if let remaining = headers["X-HubSpot-RateLimit-Daily-Remaining"].flatMap(Self.integer) {
            dailyRemaining = max(0, remaining)
        }
        intervalRemaining = headers["X-HubSpot-RateLimit-Remaining"].flatMap(Self.integer)
        intervalMax = headers["X-HubSpot-RateLimit-Max"].flatMap(Self.integer)
        interval = headers["X-HubSpot-RateLimit-Interval-Milliseconds"].flatMap(Self.integer).map { .milliseconds($0) }
        if let burst = headers["x-ms-ratelimit-burst-remaining-xrm-requests"].flatMap(Self.integer) {
            intervalRemaining = min(intervalRemaining ?? burst, burst)
        }
        executionTimeRemaining = headers["x-ms-ratelimit-time-remaining-xrm-requests"]
            .flatMap(Self.decimalSeconds).map { .milliseconds(Int64(($0 * 1000).rounded())) }
        if dailyRemaining == 0 { dailyExhausted = true }
    }

    /// `Retry-After` as delta-seconds (`"120"`, or a decimal like `"1.5"`), or as an
    /// HTTP-date when `nowMillis` is given (a date in the past means no wait).
    public static func parseRetryAfter(_ text: String, nowMillis: UInt64? = nil) -> Duration? {
        if let nowMillis, let date = HTTPDate.unixMillis(text) {
            return .milliseconds(max(0, date - Int64(clamping: nowMillis)))
        }
        guard let seconds = decimalSeconds(text), seconds >= 0, seconds < 1e9 else { return nil }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// `(used, max)` from `api-usage=18/5000; per-app-api-usage=...`.
    public static func parseSalesforceUsage(_ text: String) -> (used: Int, max: Int)? {
        for part in text.split(separator: ";") {
            let trimmed = part.trimmingSpaces
            guard trimmed.hasPrefix("api-usage=") else { continue }
            let numbers = trimmed.dropFirst("api-usage=".count).split(separator: "/")
            guard numbers.count == 2, let used = Int(numbers[0].trimmingSpaces),
                let max = Int(numbers[1].trimmingSpaces)
            else { return nil }
            return (used, max)
        }
        return nil
    }

    private static func integer(_ text: String) -> Int? { Int(text.trimmingSpaces) }

    /// Dataverse sends the time remaining as `HH:MM:SS` or seconds; both are accepted.
    private static func decimalSeconds(_ text: String) -> Double? {
        let trimmed = text.trimmingSpaces
        if trimmed.contains(":") {
            let parts = trimmed.split(separator: ":").compactMap { Double($0) }
            guard parts.count == 3 else { return nil }
            return parts[0] * 3600 + parts[1] * 60 + parts[2]
        }
        guard let value = Double(trimmed), value.isFinite else { return nil }
        return value
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    var trimmingSpaces: Substring {
        let text = Substring(self)
        let start = text.firstIndex { $0 != " " && $0 != "\t" } ?? text.endIndex
        let end = text.lastIndex { $0 != " " && $0 != "\t" }.map { text.index(after: $0) } ?? start
        return start < end ? text[start..<end] : ""
    }
}
