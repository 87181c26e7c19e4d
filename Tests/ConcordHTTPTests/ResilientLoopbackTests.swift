import ConcordCore
import ConcordHTTP
import ConcordTestServer
import Testing

@Suite("ResilientHTTPClient over CurlHTTPClient and the loopback server")
struct ResilientLoopbackTests {
    let server: LoopbackHTTPServer
    let clock = TestClock()

    init() throws { server = try LoopbackHTTPServer() }

    private func client(retry: RetryPolicy = RetryPolicy()) -> ResilientHTTPClient<TestClock> {
        ResilientHTTPClient(wrapping: CurlHTTPClient(), clock: clock, retry: retry, random: SplitMix64(seed: 7))
    }

    @Test func burstOf5xxIsRiddenOut() async throws {
        defer { server.stop() }
        let response = try await client().send(HTTPRequest(url: server.url("/flaky?key=burst&fail=3&status=503")))
        #expect(response.bodyText == "recovered after 3 failures")
        #expect(server.requestsReceived == 4)
        #expect(clock.sleeps.count == 3)
    }

    @Test func tooManyRequestsWithAndWithoutRetryAfter() async throws {
        defer { server.stop() }
        let client = client()
        let with = try await client.send(HTTPRequest(url: server.url("/flaky?key=a&fail=1&status=429&header=Retry-After:2")))
        #expect(with.status == 200)
        #expect(clock.sleeps == [.seconds(2)])
        let without = try await client.send(HTTPRequest(url: server.url("/flaky?key=b&fail=2&status=429")))
        #expect(without.status == 200)
        #expect(clock.sleeps.count == 3)
        #expect(server.requestsReceived == 5)
    }

    @Test func droppedConnectionsAreRetriedThenReported() async {
        defer { server.stop() }
        let error = await captureError { try await client(retry: RetryPolicy(maxAttempts: 3)).send(HTTPRequest(url: server.url("/drop"))) }
        #expect(error?.code == .connectionLost)
        #expect(server.requestsReceived == 3)
    }
}
