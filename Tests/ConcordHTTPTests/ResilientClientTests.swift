import ConcordCore
import ConcordHTTP
import Testing

@Suite("ResilientHTTPClient with a scripted inner client and a test clock")
struct ResilientClientTests {
    let clock = TestClock()
    let url = "https://acme.my.salesforce.com/services/data/v60.0/limits"

    private func resilient(
        _ inner: ScriptedHTTPClient, retry: RetryPolicy = RetryPolicy(), breaker: CircuitBreakerPolicy = CircuitBreakerPolicy(),
        limit: RateLimit = .unlimited, seed: UInt64 = 42
    ) -> ResilientHTTPClient<TestClock> {
        ResilientHTTPClient(wrapping: inner, clock: clock, limits: { _ in limit }, retry: retry, breaker: breaker, random: SplitMix64(seed: seed))
    }

    @Test func transientStatusesAreRetriedWithJitteredBackoff() async throws {
        let inner = ScriptedHTTPClient([status(503), status(502), status(504), status(200, body: "ok")])
        let policy = RetryPolicy(maxAttempts: 5, baseDelay: .seconds(1), maxDelay: .seconds(60))
        let response = try await resilient(inner, retry: policy).send(HTTPRequest(url: url))
        #expect(response.bodyText == "ok")
        #expect(inner.callCount == 4)
        let sleeps = clock.sleeps
        #expect(sleeps.count == 3)
        for (index, sleep) in sleeps.enumerated() {
            #expect(sleep >= .zero && sleep <= policy.backoffCeiling(retry: index + 1))
        }
        // The same seed gives the same delays.
        let replayClock = TestClock()
        let replay = ResilientHTTPClient(
            wrapping: ScriptedHTTPClient([status(503), status(502), status(504), status(200)]), clock: replayClock,
            retry: policy, random: SplitMix64(seed: 42))
        _ = try await replay.send(HTTPRequest(url: url))
        #expect(replayClock.sleeps == sleeps)
    }

    @Test func retryAfterIsHonouredExactly() async throws {
        let inner = ScriptedHTTPClient([status(429, ["Retry-After": "7"]), status(200)])
        let client = resilient(inner)
        let response = try await client.send(HTTPRequest(url: url))
        #expect(response.status == 200)
        #expect(clock.sleeps == [.seconds(7)])
        let destination = try #require(HTTPDestination(url: url))
        #expect(client.bucket(for: destination)?.rateFactor == 0.55, "halved by the 429, then +0.05 for the success")
    }

    @Test func retryAfterAsHTTPDateUsesTheWallClock() async throws {
        let inner = ScriptedHTTPClient([status(503, ["Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"]), status(200)])
        let client = ResilientHTTPClient(
            wrapping: inner, clock: clock, random: SplitMix64(seed: 1), wallClock: .constant(1_445_412_480_000 - 12_000))
        #expect(try await client.send(HTTPRequest(url: url)).status == 200)
        #expect(clock.sleeps == [.seconds(12)])
    }

    @Test func persistentThrottlingBecomesRateLimitedNotSuccess() async {
        let inner = ScriptedHTTPClient([status(429)])
        let error = await captureError { try await resilient(inner, retry: RetryPolicy(maxAttempts: 3)).send(HTTPRequest(url: url)) }
        #expect(error?.code == .rateLimited)
        #expect(inner.callCount == 3)
        #expect(clock.sleeps.count == 2)
    }

    @Test func retryAfterBeyondTheTotalDelayBudgetStopsRetrying() async {
        let inner = ScriptedHTTPClient([status(429, ["Retry-After": "100"]), status(200)])
        let policy = RetryPolicy(maxAttempts: 5, maxTotalDelay: .seconds(60))
        let error = await captureError { try await resilient(inner, retry: policy).send(HTTPRequest(url: url)) }
        #expect(error?.code == .rateLimited)
        #expect(error?.retryAfter == .seconds(100))
        #expect(inner.callCount == 1)
        #expect(clock.sleeps.isEmpty)
    }

    @Test func nonIdempotentRequestsAreRetriedOnlyWhenMarkedSafe() async throws {
        let unsafe = ScriptedHTTPClient([status(503), status(201)])
        let first = try await resilient(unsafe).send(HTTPRequest(method: .post, url: url))
        #expect(first.status == 503)
        #expect(unsafe.callCount == 1)
        let safe = ScriptedHTTPClient([status(503), status(201)])
        let second = try await resilient(safe).send(HTTPRequest(method: .patch, url: url, isSafeToRetry: true))
        #expect(second.status == 201)
        #expect(safe.callCount == 2)
    }

    @Test func transportErrorsAreRetriedButTLSIsNot() async throws {
        let flaky = ScriptedHTTPClient([.failure(.connectionFailed), .failure(.timeout), status(200)])
        #expect(try await resilient(flaky).send(HTTPRequest(url: url)).status == 200)
        #expect(flaky.callCount == 3)
        let tls = ScriptedHTTPClient([.failure(.tls), status(200)])
        let error = await captureError { try await resilient(tls).send(HTTPRequest(url: url)) }
        #expect(error?.code == .tls)
        #expect(tls.callCount == 1)
    }

    @Test func salesforceRequestLimitIsThrottlingUnlessDaily() async throws {
        let concurrent = #"[{"message":"ConcurrentRequests (Concurrent API Requests) Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]"#
        let inner = ScriptedHTTPClient([status(403, body: concurrent), status(200)])
        #expect(try await resilient(inner).send(HTTPRequest(url: url)).status == 200)
        #expect(inner.callCount == 2)
        let daily = #"[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]"#
        let exhausted = ScriptedHTTPClient([status(403, body: daily), status(200)])
        let client = resilient(exhausted)
        let error = await captureError { try await client.send(HTTPRequest(url: url)) }
        #expect(error?.code == .quotaExhausted)
        #expect(exhausted.callCount == 1)
        let next = await captureError { try await client.send(HTTPRequest(url: url)) }
        #expect(next?.code == .quotaExhausted)
        #expect(exhausted.callCount == 1, "later requests fail without being sent")
    }

    @Test func dailyBudgetFromConfigurationAndHeaders() async throws {
        let inner = ScriptedHTTPClient([status(200)])
        let client = resilient(inner, limit: RateLimit(requestsPerSecond: 100, burst: 100, dailyBudget: 2))
        _ = try await client.send(HTTPRequest(url: url))
        _ = try await client.send(HTTPRequest(url: url))
        let error = await captureError { try await client.send(HTTPRequest(url: url)) }
        #expect(error?.code == .quotaExhausted)
        #expect(error?.retryAfter == .seconds(86_400))
        #expect(inner.callCount == 2)

        let used = ScriptedHTTPClient([status(200, ["Sforce-Limit-Info": "api-usage=5000/5000"])])
        let salesforce = resilient(used)
        #expect(try await salesforce.send(HTTPRequest(url: url)).status == 200)
        #expect(await captureError { try await salesforce.send(HTTPRequest(url: url)) }?.code == .quotaExhausted)
    }

    @Test func requestsArePacedByTheRate() async throws {
        let inner = ScriptedHTTPClient([status(200)])
        let client = resilient(inner, limit: RateLimit(requestsPerSecond: 10, burst: 1))
        for _ in 0..<5 { _ = try await client.send(HTTPRequest(url: url)) }
        #expect(clock.sleeps == Array(repeating: .milliseconds(100), count: 4))
        #expect(clock.sinceStart == .milliseconds(400))
    }

    @Test func breakerOpensFailsFastAndRecoversAfterCoolDown() async throws {
        let inner = ScriptedHTTPClient([status(500), status(500), status(500), status(200)])
        let client = resilient(inner, retry: .none, breaker: CircuitBreakerPolicy(failureThreshold: 3, coolDown: .seconds(30)))
        for _ in 0..<3 { #expect(try await client.send(HTTPRequest(url: url)).status == 500) }
        let open = await captureError { try await client.send(HTTPRequest(url: url)) }
        #expect(open?.code == .circuitOpen)
        #expect(open?.retryAfter == .seconds(30))
        #expect(open?.message.contains("open after 3 consecutive failures") == true)
        #expect(inner.callCount == 3)
        clock.advance(by: .seconds(30))
        #expect(try await client.send(HTTPRequest(url: url)).status == 200)
        #expect(inner.callCount == 4)
        let destination = try #require(HTTPDestination(url: url))
        #expect(client.breaker(for: destination)?.state == .closed(failures: 0))
        // Another destination has its own breaker.
        let other = try await client.send(HTTPRequest(url: "https://api.hubapi.com/x"))
        #expect(other.status == 200)
    }

    @Test func cancellationDuringBackoffStopsRetrying() async {
        let inner = ScriptedHTTPClient([status(503)])
        let client = resilient(inner)
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await captureError { try await client.send(HTTPRequest(url: url)) }
        }
        #expect(await task.value?.code == .cancelled)
        #expect(inner.callCount == 1)
    }
}
