import ConcordCore

/// An ``HTTPClient`` decorator that adds per-destination rate limiting, retries with
/// backoff and circuit breaking around any other client.
///
/// Each request: fails fast if its destination's circuit is open; waits for a token from
/// the destination's ``TokenBucket`` (throwing ``HTTPClientError/Code/quotaExhausted`` when
/// the daily budget is gone); is sent; and the response updates the bucket and breaker.
/// Transient failures are retried per ``RetryPolicy`` (non-idempotent requests only when
/// marked ``HTTPRequest/isSafeToRetry``). A throttle that outlasts the retries throws
/// ``HTTPClientError/Code/rateLimited``; a 5xx that outlasts them is returned as is.
///
/// All waiting goes through the injected clock, so tests drive it with a test clock:
///
/// ```swift
/// let client = ResilientHTTPClient(
///     wrapping: CurlHTTPClient(), clock: ContinuousClock(),
///     limits: { _ in RateLimit(requestsPerSecond: 19, burst: 190, dailyBudget: 650_000) })
/// ```
public final class ResilientHTTPClient<C: Clock>: HTTPClient where C.Duration == Duration {
    private struct State {
        var buckets: [HTTPDestination: TokenBucket] = [:]
        var breakers: [HTTPDestination: CircuitBreaker] = [:]
        var random: any RandomNumberGenerator
    }

    private let inner: any HTTPClient
    private let clock: C
    private let origin: C.Instant
    private let limits: @Sendable (HTTPDestination) -> RateLimit
    private let wallClock: WallClock?
    /// The retry policy applied to every request.
    public let retryPolicy: RetryPolicy
    /// The circuit-breaker policy applied to every destination.
    public let breakerPolicy: CircuitBreakerPolicy
    private let state: Locked<State>

    /// Wraps `inner`.
    /// - Parameters:
    ///   - clock: the clock all waiting and cool-downs use (`ContinuousClock()` in production).
    ///   - limits: the rate limit for each destination (default: none, server signals only).
    ///   - random: the jitter source; pass a seeded generator for reproducible delays.
    ///   - wallClock: reads Unix time to honour HTTP-date `Retry-After` values; without it
    ///     only delta-seconds are honoured.
    public init(
        wrapping inner: any HTTPClient, clock: C, limits: @escaping @Sendable (HTTPDestination) -> RateLimit = { _ in .unlimited },
        retry: RetryPolicy = RetryPolicy(), breaker: CircuitBreakerPolicy = CircuitBreakerPolicy(),
        random: some RandomNumberGenerator & Sendable = SystemRandomNumberGenerator(), wallClock: WallClock? = nil
    ) {
        self.wallClock = wallClock
        self.inner = inner
        self.clock = clock
        self.origin = clock.now
        self.limits = limits
        self.retryPolicy = retry
        self.breakerPolicy = breaker
        self.state = Locked(State(random: random))
    }

    /// The rate-limiter state for `destination`, if it has been used.
    public func bucket(for destination: HTTPDestination) -> TokenBucket? {
        state.withLock { $0.buckets[destination] }
    }

    /// The circuit-breaker state for `destination`, if it has been used.
    public func breaker(for destination: HTTPDestination) -> CircuitBreaker? {
        state.withLock { $0.breakers[destination] }
    }

    public func send(_ request: HTTPRequest) async throws(HTTPClientError) -> HTTPResponse {
        guard let destination = request.destination else { return try await inner.send(request) }
        var attempt = 0
        var waited = Duration.zero
        while true {
            attempt += 1
            try await acquire(destination, for: request)
            let result: Result<HTTPResponse, HTTPClientError>
            do { result = .success(try await inner.send(request)) } catch { result = .failure(error) }
            let verdict = record(result, destination: destination, request: request)
            guard case .retry(let retryAfter, let final) = verdict else {
                if case .finished(let outcome) = verdict { return try outcome.get() }
                return try result.get()
            }
            let delay = retryAfter ?? state.withLock { retryPolicy.backoff(retry: attempt, using: &$0.random) }
            guard request.mayRetry, attempt < retryPolicy.maxAttempts, waited + delay <= retryPolicy.maxTotalDelay
            else { return try final.get() }
            try await sleep(delay, request: request)
            waited += delay
        }
    }

    private enum Verdict {
        case finished(Result<HTTPResponse, HTTPClientError>)
        case retry(after: Duration?, otherwise: Result<HTTPResponse, HTTPClientError>)
    }

    private func now() -> Duration { origin.duration(to: clock.now) }

    private func acquire(_ destination: HTTPDestination, for request: HTTPRequest) async throws(HTTPClientError) {
        while true {
            let decision = state.withLock { state -> Result<Duration?, HTTPClientError> in
                let now = now()
                var breaker = state.breakers[destination] ?? CircuitBreaker(policy: breakerPolicy)
                defer { state.breakers[destination] = breaker }
                if let wait = breaker.rejection(now: now) {
                    return .failure(circuitOpen(request, destination: destination, wait: wait))
                }
                var bucket = state.buckets[destination] ?? TokenBucket(limit: limits(destination), now: now)
                defer { state.buckets[destination] = bucket }
                switch bucket.reserve(now: now) {
                case .proceed:
                    if let wait = breaker.admit(now: now) {
                        return .failure(circuitOpen(request, destination: destination, wait: wait))
                    }
                    return .success(nil)
                case .wait(let delay):
                    return .success(delay)
                case .quotaExhausted(let resetsIn):
                    return .failure(HTTPClientError(
                        .quotaExhausted, request: request,
                        message: "the daily request quota for \(destination) is used up", retryAfter: resetsIn))
                }
            }
            guard let delay = try decision.get() else { return }
            try await sleep(delay, request: request)
        }
    }

    private func circuitOpen(_ request: HTTPRequest, destination: HTTPDestination, wait: Duration) -> HTTPClientError {
        HTTPClientError(
            .circuitOpen, request: request,
            message: "the circuit for \(destination) is open after \(breakerPolicy.failureThreshold) consecutive failures; failing fast",
            retryAfter: wait)
    }

    private func record(
        _ result: Result<HTTPResponse, HTTPClientError>, destination: HTTPDestination, request: HTTPRequest
    ) -> Verdict {
        state.withLock { state -> Verdict in
            let now = now()
            var breaker = state.breakers[destination] ?? CircuitBreaker(policy: breakerPolicy)
            defer { state.breakers[destination] = breaker }
            switch result {
            case .failure(let error):
                let transient = RetryPolicy.isTransient(error.code)
                let neutral = [.cancelled, .invalidURL, .invalidRequest, .tooLarge].contains(error.code)
                breaker.record(transient || error.code == .tls ? .failure : (neutral ? .neutral : .success), now: now)
                return transient ? .retry(after: nil, otherwise: result) : .finished(result)
            case .success(let response):
                let signals = RateLimitSignals(response: response, nowMillis: wallClock?.nowMillis())
                var bucket = state.buckets[destination] ?? TokenBucket(limit: limits(destination), now: now)
                bucket.observe(signals, now: now)
                state.buckets[destination] = bucket
                if signals.throttled {
                    breaker.record(.neutral, now: now)
                    let limited = HTTPClientError(
                        signals.dailyExhausted ? .quotaExhausted : .rateLimited, request: request,
                        message: "\(destination) is throttling (HTTP \(response.status))", retryAfter: signals.retryAfter)
                    return signals.dailyExhausted
                        ? .finished(.failure(limited)) : .retry(after: signals.retryAfter, otherwise: .failure(limited))
                }
                let serverFailure = response.status >= 500
                breaker.record(serverFailure ? .failure : .success, now: now)
                return RetryPolicy.isTransientStatus(response.status)
                    ? .retry(after: signals.retryAfter, otherwise: result) : .finished(result)
            }
        }
    }

    private func sleep(_ delay: Duration, request: HTTPRequest) async throws(HTTPClientError) {
        do {
            try await clock.sleep(until: clock.now.advanced(by: delay), tolerance: nil)
        } catch {
            throw HTTPClientError(.cancelled, request: request, message: "the task was cancelled while waiting to retry")
        }
    }
}
