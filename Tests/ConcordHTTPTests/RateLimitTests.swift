import ConcordHTTP
import Testing

@Suite("Token bucket and server rate-limit signals")
struct RateLimitTests {
    let clock = TestClock()

    @Test func burstThenSteadyRate() {
        var bucket = TokenBucket(limit: RateLimit(requestsPerSecond: 2, burst: 3), now: clock.sinceStart)
        for _ in 0..<3 { #expect(bucket.reserve(now: clock.sinceStart) == .proceed) }
        #expect(bucket.reserve(now: clock.sinceStart) == .wait(.milliseconds(500)))
        clock.advance(by: .milliseconds(250))
        #expect(bucket.reserve(now: clock.sinceStart) == .wait(.milliseconds(250)))
        clock.advance(by: .milliseconds(250))
        #expect(bucket.reserve(now: clock.sinceStart) == .proceed)
        clock.advance(by: .seconds(60))
        for _ in 0..<3 { #expect(bucket.reserve(now: clock.sinceStart) == .proceed) }
        #expect(bucket.reserve(now: clock.sinceStart) != .proceed)
    }

    @Test func dailyBudgetIsExhaustedThenResets() {
        var bucket = TokenBucket(limit: RateLimit(requestsPerSecond: 100, burst: 10, dailyBudget: 2), now: clock.sinceStart)
        #expect(bucket.reserve(now: clock.sinceStart) == .proceed)
        #expect(bucket.reserve(now: clock.sinceStart) == .proceed)
        clock.advance(by: .seconds(3600))
        #expect(bucket.reserve(now: clock.sinceStart) == .quotaExhausted(resetsIn: .seconds(86_400 - 3600)))
        clock.advance(by: .seconds(86_400 - 3600))
        #expect(bucket.reserve(now: clock.sinceStart) == .proceed)
    }

    @Test func retryAfterPausesTheDestination() {
        var bucket = TokenBucket(limit: .unlimited, now: clock.sinceStart)
        var signals = RateLimitSignals()
        signals.throttled = true
        signals.retryAfter = .seconds(3)
        bucket.observe(signals, now: clock.sinceStart)
        clock.advance(by: .seconds(1))
        #expect(bucket.reserve(now: clock.sinceStart) == .wait(.seconds(2)))
        clock.advance(by: .seconds(2))
        #expect(bucket.reserve(now: clock.sinceStart) == .proceed)
    }

    @Test func slowsDownAfterThrottlingAndRecoversGradually() {
        var bucket = TokenBucket(limit: RateLimit(requestsPerSecond: 10, burst: 1), now: clock.sinceStart)
        var throttle = RateLimitSignals()
        throttle.throttled = true
        var success = RateLimitSignals()
        success.succeeded = true
        bucket.observe(throttle, now: clock.sinceStart)
        #expect(bucket.effectiveRate == 5)
        bucket.observe(throttle, now: clock.sinceStart)
        #expect(bucket.effectiveRate == 2.5)
        #expect(bucket.reserve(now: clock.sinceStart) == .wait(.milliseconds(400)))
        for _ in 0..<4 { bucket.observe(success, now: clock.sinceStart) }
        #expect(abs(bucket.rateFactor - 0.45) < 1e-9)
        for _ in 0..<20 { bucket.observe(success, now: clock.sinceStart) }
        #expect(bucket.rateFactor == 1)
        for _ in 0..<10 { bucket.observe(throttle, now: clock.sinceStart) }
        #expect(bucket.rateFactor == 1.0 / 16)
    }

    @Test func salesforceUsageHeader() {
        let response = HTTPResponse(status: 200, headers: ["Sforce-Limit-Info": "api-usage=4999/5000; per-app-api-usage=17/250(appName=x)"])
        let signals = RateLimitSignals(response: response)
        #expect(signals.dailyRemaining == 1)
        var bucket = TokenBucket(limit: .unlimited, now: clock.sinceStart)
        bucket.observe(signals, now: clock.sinceStart)
        #expect(bucket.reserve(now: clock.sinceStart) == .proceed)
        #expect(bucket.reserve(now: clock.sinceStart) == .quotaExhausted(resetsIn: .seconds(86_400)))
    }

    @Test func hubspotHeaders() {
        let headers: HTTPHeaders = [
            "X-HubSpot-RateLimit-Daily": "250000", "X-HubSpot-RateLimit-Daily-Remaining": "249990",
            "X-HubSpot-RateLimit-Interval-Milliseconds": "10000", "X-HubSpot-RateLimit-Max": "100",
            "X-HubSpot-RateLimit-Remaining": "0",
        ]
        let signals = RateLimitSignals(response: HTTPResponse(status: 200, headers: headers))
        #expect(signals.dailyRemaining == 249_990)
        #expect(signals.intervalMax == 100)
        #expect(signals.interval == .seconds(10))
        #expect(signals.intervalRemaining == 0)
        var bucket = TokenBucket(limit: RateLimit(requestsPerSecond: 50, burst: 50), now: clock.sinceStart)
        bucket.observe(signals, now: clock.sinceStart)
        #expect(bucket.effectiveRate == 10)
        #expect(bucket.dailyRemaining == 249_990)
        #expect(bucket.reserve(now: clock.sinceStart) == .wait(.milliseconds(100)))
    }

    @Test func dataverseHeaders() {
        let headers: HTTPHeaders = [
            "x-ms-ratelimit-burst-remaining-xrm-requests": "0", "x-ms-ratelimit-time-remaining-xrm-requests": "0",
        ]
        let signals = RateLimitSignals(response: HTTPResponse(status: 200, headers: headers))
        #expect(signals.intervalRemaining == 0)
        #expect(signals.executionTimeRemaining == .zero)
        var bucket = TokenBucket(limit: RateLimit(requestsPerSecond: 20, burst: 20), now: clock.sinceStart)
        bucket.observe(signals, now: clock.sinceStart)
        #expect(bucket.effectiveRate == 10)
        #expect(bucket.reserve(now: clock.sinceStart) == .wait(.milliseconds(100)))
    }

    @Test func throttleResponsesAreRecognised() {
        let sfConcurrent = HTTPResponse(status: 403, body: Array(#"[{"message":"ConcurrentRequests (Concurrent API Requests) Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]"#.utf8))
        let sfDaily = HTTPResponse(status: 403, body: Array(#"[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]"#.utf8))
        let sfForbidden = HTTPResponse(status: 403, body: Array(#"[{"errorCode":"INSUFFICIENT_ACCESS"}]"#.utf8))
        let hubspotDaily = HTTPResponse(status: 429, body: Array(#"{"status":"error","policyName":"DAILY"}"#.utf8))
        #expect(RateLimitSignals(response: sfConcurrent).throttled && !RateLimitSignals(response: sfConcurrent).dailyExhausted)
        #expect(RateLimitSignals(response: sfDaily).dailyExhausted)
        #expect(!RateLimitSignals(response: sfForbidden).throttled)
        #expect(RateLimitSignals(response: hubspotDaily).dailyExhausted)
        #expect(RateLimitSignals.parseRetryAfter("2") == .seconds(2))
        #expect(RateLimitSignals.parseRetryAfter(" 1.5 ") == .milliseconds(1500))
        #expect(RateLimitSignals.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT") == nil)
        #expect(RateLimitSignals.parseRetryAfter("-3") == nil)
        // 1445412480 = Wed, 21 Oct 2015 07:28:00 GMT.
        let now: UInt64 = 1_445_412_480_000 - 90_000
        #expect(RateLimitSignals.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", nowMillis: now) == .seconds(90))
        #expect(RateLimitSignals.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", nowMillis: now + 200_000) == .zero)
        #expect(HTTPDate.unixMillis("Thu, 01 Jan 1970 00:00:00 GMT") == 0)
        #expect(HTTPDate.unixMillis("Thu, 29 Feb 2024 00:00:00 GMT") == 1_709_164_800_000)
        #expect(HTTPDate.unixMillis("Fri, 01 Mar 2024 00:00:00 GMT") == 1_709_251_200_000)
        #expect(HTTPDate.unixMillis("21 Oct 2015") == nil)
    }
}
