import ConcordHTTP
import ConcordCore
import Testing

@Suite("Circuit breaker, step by step on a test clock")
struct CircuitBreakerTests {
    let clock = TestClock()

    @Test func opensAfterConsecutiveFailuresThenHalfOpensAndCloses() {
        var breaker = CircuitBreaker(policy: CircuitBreakerPolicy(failureThreshold: 3, coolDown: .seconds(10)))
        for _ in 0..<2 {
            #expect(breaker.admit(now: clock.sinceStart) == nil)
            breaker.record(.failure, now: clock.sinceStart)
        }
        #expect(breaker.state == .closed(failures: 2))
        #expect(breaker.admit(now: clock.sinceStart) == nil)
        breaker.record(.failure, now: clock.sinceStart)
        #expect(breaker.state == .open(until: .seconds(10)))
        clock.advance(by: .seconds(4))
        #expect(breaker.admit(now: clock.sinceStart) == .seconds(6))
        clock.advance(by: .seconds(6))
        #expect(breaker.admit(now: clock.sinceStart) == nil)
        #expect(breaker.state == .halfOpen(probing: true))
        #expect(breaker.admit(now: clock.sinceStart) == .seconds(10), "only one probe at a time")
        breaker.record(.failure, now: clock.sinceStart)
        #expect(breaker.state == .open(until: .seconds(20)))
        clock.advance(by: .seconds(10))
        #expect(breaker.admit(now: clock.sinceStart) == nil)
        breaker.record(.success, now: clock.sinceStart)
        #expect(breaker.state == .closed(failures: 0))
    }

    @Test func successResetsTheCountAndNeutralFreesTheProbe() {
        var breaker = CircuitBreaker(policy: CircuitBreakerPolicy(failureThreshold: 2, coolDown: .seconds(5)))
        breaker.record(.failure, now: clock.sinceStart)
        breaker.record(.success, now: clock.sinceStart)
        breaker.record(.failure, now: clock.sinceStart)
        #expect(breaker.state == .closed(failures: 1))
        breaker.record(.neutral, now: clock.sinceStart)
        #expect(breaker.state == .closed(failures: 1))
        breaker.record(.failure, now: clock.sinceStart)
        clock.advance(by: .seconds(5))
        #expect(breaker.admit(now: clock.sinceStart) == nil)
        breaker.record(.neutral, now: clock.sinceStart)
        #expect(breaker.state == .halfOpen(probing: false))
        #expect(breaker.rejection(now: clock.sinceStart) == nil)
        #expect(breaker.admit(now: clock.sinceStart) == nil)
    }
}

@Suite("Retry policy")
struct RetryPolicyTests {
    @Test func backoffCeilingsDoubleUpToTheCap() {
        let policy = RetryPolicy(maxAttempts: 10, baseDelay: .milliseconds(500), maxDelay: .seconds(5))
        let ceilings = (1...6).map { policy.backoffCeiling(retry: $0) }
        #expect(ceilings == [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(5), .seconds(5)])
    }

    @Test func fullJitterStaysUnderTheCeilingAndIsReproducible() {
        let seed = UInt64.random(in: 0...UInt64.max)
        let policy = RetryPolicy(maxAttempts: 10, baseDelay: .milliseconds(100), maxDelay: .seconds(2))
        var first = SplitMix64(seed: seed)
        var second = SplitMix64(seed: seed)
        var sawNonZero = false
        for retry in 1...200 {
            let delay = policy.backoff(retry: retry % 8 + 1, using: &first)
            #expect(delay >= .zero && delay <= policy.backoffCeiling(retry: retry % 8 + 1), "seed \(seed)")
            #expect(delay == policy.backoff(retry: retry % 8 + 1, using: &second), "seed \(seed)")
            sawNonZero = sawNonZero || delay > .zero
        }
        #expect(sawNonZero, "seed \(seed)")
    }

    @Test func onlyTransientFailuresAreRetryable() {
        #expect(RetryPolicy.isTransient(.timeout) && RetryPolicy.isTransient(.connectionFailed))
        #expect(RetryPolicy.isTransient(.connectionLost) && RetryPolicy.isTransient(.truncatedBody))
        #expect(!RetryPolicy.isTransient(.tls) && !RetryPolicy.isTransient(.tooLarge) && !RetryPolicy.isTransient(.cancelled))
        #expect([502, 503, 504].allSatisfy(RetryPolicy.isTransientStatus))
        #expect(![200, 400, 404, 409, 500, 501].contains(where: RetryPolicy.isTransientStatus))
        #expect(HTTPMethod.put.isIdempotent && !HTTPMethod.post.isIdempotent && !HTTPMethod.patch.isIdempotent)
    }
}
