/// When a destination's circuit opens and how long it stays open.
public struct CircuitBreakerPolicy: Sendable, Equatable {
    /// Consecutive failures (transport errors and 5xx) that open the circuit.
    public var failureThreshold: Int
    /// How long an open circuit rejects requests before letting one probe through.
    public var coolDown: Duration

    /// A policy; the defaults open after 5 consecutive failures for 30 seconds.
    public init(failureThreshold: Int = 5, coolDown: Duration = .seconds(30)) {
        self.failureThreshold = max(1, failureThreshold)
        self.coolDown = coolDown
    }
}

/// The circuit-breaker state for one destination.
///
/// Closed: requests pass and consecutive failures are counted. Open: requests are rejected
/// until the cool-down ends. Half-open: one probe passes; its success closes the circuit
/// and its failure opens it again. A pure value; times are passed in.
public struct CircuitBreaker: Sendable, Equatable {
    /// The breaker's state.
    public enum State: Sendable, Equatable {
        /// Requests pass; `failures` consecutive failures so far.
        case closed(failures: Int)
        /// Requests are rejected until `until`.
        case open(until: Duration)
        /// One probe may pass; `probing` is true while it is in flight.
        case halfOpen(probing: Bool)
    }

    /// What happened to a request that was let through.
    public enum Outcome: Sendable, Equatable {
        /// The destination answered properly (any non-5xx status, including 4xx).
        case success
        /// A transport failure or 5xx.
        case failure
        /// Says nothing about health (cancelled, or throttled): frees a half-open probe slot.
        case neutral
    }

    /// The policy in force.
    public let policy: CircuitBreakerPolicy
    /// The current state.
    public private(set) var state: State = .closed(failures: 0)

    /// A closed breaker.
    public init(policy: CircuitBreakerPolicy) { self.policy = policy }

    /// Whether a request may go out at `now`; if not, how long until the next probe.
    public mutating func admit(now: Duration) -> Duration? {
        switch state {
        case .closed:
            return nil
        case .open(let until):
            guard now >= until else { return until - now }
            state = .halfOpen(probing: true)
            return nil
        case .halfOpen(let probing):
            if probing { return policy.coolDown }
            state = .halfOpen(probing: true)
            return nil
        }
    }

    /// How long until a request would be admitted, without changing the state; `nil` if
    /// one would be admitted now.
    public func rejection(now: Duration) -> Duration? {
        switch state {
        case .closed: return nil
        case .open(let until): return now >= until ? nil : until - now
        case .halfOpen(let probing): return probing ? policy.coolDown : nil
        }
    }

    /// Records how an admitted request ended.
    public mutating func record(_ outcome: Outcome, now: Duration) {
        switch (state, outcome) {
        case (_, .success):
            state = .closed(failures: 0)
        case (.closed(let failures), .failure):
            state = failures + 1 >= policy.failureThreshold
                ? .open(until: now + policy.coolDown) : .closed(failures: failures + 1)
        case (.halfOpen, .failure):
            state = .open(until: now + policy.coolDown)
        case (.halfOpen, .neutral):
            state = .halfOpen(probing: false)
        case (.open, _), (.closed, .neutral):
            break
        }
    }
}
