/// A destination's request allowance: a steady rate, a burst, and optionally a daily budget.
///
/// ```swift
/// // HubSpot private app, Professional tier: 190 requests per 10 s, 650,000 per day.
/// let hubspot = RateLimit(requestsPerSecond: 19, burst: 190, dailyBudget: 650_000)
/// ```
public struct RateLimit: Sendable, Equatable {
    /// Tokens added per second (the sustained request rate).
    public var requestsPerSecond: Double
    /// The bucket's capacity: how many requests may go out back to back.
    public var burst: Int
    /// Requests allowed per 24 hours, or `nil` for no daily budget.
    public var dailyBudget: Int?
    /// The lowest fraction of the rate the adaptive slow-down may reach (0 < x <= 1).
    public var minimumRateFactor: Double
    /// The factor the rate is multiplied by after each throttling response.
    public var slowDownFactor: Double
    /// The fraction of the full rate regained after each successful response.
    public var recoveryStep: Double

    /// A limit with the given rate, burst and daily budget; the adaptive defaults halve the
    /// rate on every throttle (down to 1/16) and regain 5% of it per success.
    public init(
        requestsPerSecond: Double, burst: Int, dailyBudget: Int? = nil,
        minimumRateFactor: Double = 1.0 / 16, slowDownFactor: Double = 0.5, recoveryStep: Double = 0.05
    ) {
        self.requestsPerSecond = requestsPerSecond
        self.burst = max(1, burst)
        self.dailyBudget = dailyBudget
        self.minimumRateFactor = minimumRateFactor
        self.slowDownFactor = slowDownFactor
        self.recoveryStep = recoveryStep
    }

    /// No steady limit; server signals (`Retry-After`, remaining-quota headers) still apply.
    public static let unlimited = RateLimit(requestsPerSecond: .infinity, burst: Int.max)
}

/// What the limiter says about sending a request now.
public enum RateLimitDecision: Sendable, Equatable {
    /// Send it; a token has been taken.
    case proceed
    /// Wait this long, then ask again.
    case wait(Duration)
    /// The daily budget is used up; the window starts again after the given duration.
    case quotaExhausted(resetsIn: Duration)
}
