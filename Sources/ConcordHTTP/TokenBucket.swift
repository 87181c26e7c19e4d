/// The rate-limiter state for one destination: a token bucket with an adaptive rate, a
/// server-imposed pause and a daily budget.
///
/// A pure value: every method takes the current time as a `Duration` since an arbitrary
/// origin, so it is tested by passing times in. ``RateLimiter`` holds one per destination.
public struct TokenBucket: Sendable {
    /// The configured allowance.
    public private(set) var limit: RateLimit
    /// Tokens currently available (fractional while refilling).
    public private(set) var tokens: Double
    /// The current fraction of the configured rate (lowered by throttling, regained by success).
    public private(set) var rateFactor: Double = 1
    /// A rate ceiling learned from the server (HubSpot `-Max` per `-Interval-Milliseconds`).
    public private(set) var serverRate: Double?
    /// No request may start before this time (from `Retry-After`).
    public private(set) var pausedUntil: Duration?
    /// Requests left in the current 24-hour window, when a budget is known.
    public private(set) var dailyRemaining: Int?
    private var lastRefill: Duration
    private var windowStart: Duration

    /// The length of the daily budget window.
    public static let day = Duration.seconds(86_400)

    /// A full bucket at time `now`.
    public init(limit: RateLimit, now: Duration) {
        self.limit = limit
        self.tokens = Double(limit.burst)
        self.dailyRemaining = limit.dailyBudget
        self.lastRefill = now
        self.windowStart = now
    }

    /// The rate tokens are currently added at, per second.
    public var effectiveRate: Double {
        min(limit.requestsPerSecond, serverRate ?? .infinity) * rateFactor
    }

    /// Takes a token if one is available at `now`, or says how long to wait.
    public mutating func reserve(now: Duration) -> RateLimitDecision {
        refill(now: now)
        if let pausedUntil, pausedUntil > now { return .wait(pausedUntil - now) }
        if let remaining = dailyRemaining, remaining <= 0 {
            return .quotaExhausted(resetsIn: windowStart + Self.day - now)
        }
        if tokens >= 1 {
            tokens -= 1
            if let remaining = dailyRemaining { dailyRemaining = remaining - 1 }
            return .proceed
        }
        let rate = effectiveRate
        guard rate > 0 else { return .wait(.seconds(1)) }
        return .wait(.seconds((1 - tokens) / rate))
    }

    /// Adjusts to what a response said: throttling slows the rate down, success recovers it,
    /// and the rate-limit headers set the pause, the remaining tokens and the daily budget.
    public mutating func observe(_ signals: RateLimitSignals, now: Duration) {
        refill(now: now)
        let executionTimeUsedUp = signals.executionTimeRemaining.map { $0 <= .zero } ?? false
        if signals.throttled || executionTimeUsedUp {
            rateFactor = max(limit.minimumRateFactor, rateFactor * limit.slowDownFactor)
            tokens = min(tokens, 0)
        } else if signals.succeeded {
            rateFactor = min(1, rateFactor + limit.recoveryStep)
        }
        if let retryAfter = signals.retryAfter {
            pausedUntil = max(pausedUntil ?? now, now + retryAfter)
        }
        if let remaining = signals.intervalRemaining {
            tokens = min(tokens, Double(remaining))
        }
        if let max = signals.intervalMax, let interval = signals.interval, interval > .zero {
            serverRate = Double(max) / Self.seconds(interval)
        }
        if let daily = signals.dailyRemaining {
            dailyRemaining = daily
        }
        if signals.dailyExhausted {
            dailyRemaining = 0
        }
    }

    private mutating func refill(now: Duration) {
        if now - windowStart >= Self.day {
            windowStart = now
            dailyRemaining = limit.dailyBudget
        }
        let elapsed = Self.seconds(now - lastRefill)
        lastRefill = now
        guard elapsed > 0 else { return }
        let rate = effectiveRate
        tokens = rate.isInfinite ? Double(limit.burst) : min(Double(limit.burst), tokens + elapsed * rate)
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
