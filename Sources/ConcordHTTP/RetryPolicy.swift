/// When and how long to wait before sending a request again.
///
/// Delays follow exponential backoff with full jitter: before retry `n` (1-based) the
/// delay is uniform in `0 ... min(maxDelay, baseDelay * 2^(n-1))`. A server's
/// `Retry-After` replaces the jittered delay. Retrying stops after ``maxAttempts`` sends
/// or when the next delay would push the total waited past ``maxTotalDelay``.
public struct RetryPolicy: Sendable, Equatable {
    /// Total sends, including the first (1 disables retrying).
    public var maxAttempts: Int
    /// The backoff scale for the first retry.
    public var baseDelay: Duration
    /// The cap on any single backoff delay.
    public var maxDelay: Duration
    /// The cap on the sum of the backoff and `Retry-After` delays for one request (waiting
    /// for a rate-limiter token is pacing, not retrying, and is not counted).
    public var maxTotalDelay: Duration

    /// A policy; the defaults try 5 times, starting at 0.5 s, capped at 30 s per delay and
    /// 2 minutes in total.
    public init(
        maxAttempts: Int = 5, baseDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(30),
        maxTotalDelay: Duration = .seconds(120)
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxTotalDelay = maxTotalDelay
    }

    /// No retries.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// The upper bound of the jittered delay before retry number `retry` (1-based).
    public func backoffCeiling(retry: Int) -> Duration {
        let exponent = min(max(retry - 1, 0), 40)
        let ceiling = TokenBucket.seconds(baseDelay) * Double(UInt64(1) << UInt64(exponent))
        return min(maxDelay, .milliseconds(Int64(min(ceiling, 1e12) * 1000)))
    }

    /// A full-jitter delay before retry number `retry`, drawn from `random`.
    public func backoff(retry: Int, using random: inout some RandomNumberGenerator) -> Duration {
        let ceiling = backoffCeiling(retry: retry)
        let nanos = ceiling.components.seconds * 1_000_000_000 + ceiling.components.attoseconds / 1_000_000_000
        guard nanos > 0 else { return .zero }
        return .nanoseconds(Int64.random(in: 0...nanos, using: &random))
    }

    /// Whether `error` is transient: worth sending the request again.
    public static func isTransient(_ code: HTTPClientError.Code) -> Bool {
        [.timeout, .connectionFailed, .connectionLost, .truncatedBody].contains(code)
    }

    /// Whether a response status is a transient server failure (502, 503, 504).
    public static func isTransientStatus(_ status: Int) -> Bool {
        status == 502 || status == 503 || status == 504
    }
}
