import ConcordHTTP
import ConcordTestServer
import Testing

@Suite("CurlHTTPClient fault handling")
struct CurlClientFaultTests {
    let server: LoopbackHTTPServer

    init() throws { server = try LoopbackHTTPServer() }

    private func client(timeout: Duration = .seconds(30), limit: Int = 64 << 20) -> CurlHTTPClient {
        var configuration = CurlHTTPClient.Configuration()
        configuration.timeout = timeout
        configuration.maxResponseBytes = limit
        return CurlHTTPClient(configuration: configuration)
    }

    @Test func slowResponseHitsTheTotalTimeout() async throws {
        defer { server.stop() }
        let error = await captureError { try await client(timeout: .milliseconds(200)).send(HTTPRequest(url: server.url("/hang?ms=5000"))) }
        #expect(error?.code == .timeout)
        // A per-request timeout overrides the client's.
        let request = HTTPRequest(url: server.url("/slow?ms=50"), timeout: .seconds(20))
        let response = try await client(timeout: .milliseconds(10)).send(request)
        #expect(response.bodyText == "slow")
    }

    @Test func stalledHandshakeHitsTheConnectTimeout() async throws {
        defer { server.stop() }
        let stalled = try StalledListener()
        var configuration = CurlHTTPClient.Configuration()
        configuration.connectTimeout = .milliseconds(300)
        configuration.timeout = .seconds(30)
        let error = await captureError {
            try await CurlHTTPClient(configuration: configuration).send(HTTPRequest(url: "http://127.0.0.1:\(stalled.port)/x"))
        }
        #expect(error?.code == .timeout)
        #expect(error?.message.lowercased().contains("connect") == true, "\(String(describing: error))")
        withExtendedLifetime(stalled) {}
    }

    @Test func droppedConnectionIsConnectionLost() async throws {
        defer { server.stop() }
        let error = await captureError { try await client().send(HTTPRequest(url: server.url("/drop"))) }
        #expect(error?.code == .connectionLost)
    }

    @Test func refusedConnectionIsConnectionFailed() async throws {
        defer { server.stop() }
        let refusing = LoopbackHTTPServer.refusingPort()
        let port = refusing.port
        defer { withExtendedLifetime(refusing) {} }
        let error = await captureError { try await client().send(HTTPRequest(url: "http://127.0.0.1:\(port)/echo")) }
        #expect(error?.code == .connectionFailed)
        #expect(error?.message.isEmpty == false)
    }

    @Test func truncatedBodyIsReported() async throws {
        defer { server.stop() }
        let error = await captureError { try await client().send(HTTPRequest(url: server.url("/truncated"))) }
        #expect(error?.code == .truncatedBody)
    }

    @Test func oversizedBodiesFailWithTooLarge() async throws {
        defer { server.stop() }
        let limited = client(limit: 1000)
        let fits = try await limited.send(HTTPRequest(url: server.url("/bytes?n=1000")))
        #expect(fits.body.count == 1000)
        let declared = await captureError { try await limited.send(HTTPRequest(url: server.url("/bytes?n=1001"))) }
        #expect(declared?.code == .tooLarge)
        // The gzip body is 51 bytes on the wire but 880 decoded: the limit applies to decoded bytes.
        let decoded = await captureError { try await client(limit: 100).send(HTTPRequest(url: server.url("/gzip"))) }
        #expect(decoded?.code == .tooLarge)
    }

    @Test func sequentialRequestsReuseOneConnection() async throws {
        defer { server.stop() }
        let client = client()
        for index in 0..<20 {
            let response = try await client.send(HTTPRequest(url: server.url("/echo?i=\(index)")))
            #expect(response.status == 200)
        }
        #expect(server.requestsReceived == 20)
        #expect(server.acceptedConnections == 1)
    }

    @Test func cancellingTheTaskAbortsTheRequestInFlight() async throws {
        defer { server.stop() }
        let client = client()
        let task = Task { await captureError { try await client.send(HTTPRequest(url: server.url("/hang?ms=20000"))) } }
        var polls = 0
        while server.requestsReceived == 0, polls < 2000 {
            try await Task.sleep(for: .milliseconds(5))
            polls += 1
        }
        #expect(server.requestsReceived == 1)
        task.cancel()
        let error = await task.value
        #expect(error?.code == .cancelled)
        // The client is still usable afterwards.
        let after = try await client.send(HTTPRequest(url: server.url("/echo")))
        #expect(after.status == 200)
    }

    @Test func alreadyCancelledTaskSendsNothing() async throws {
        defer { server.stop() }
        let client = client()
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await captureError { try await client.send(HTTPRequest(url: server.url("/echo"))) }
        }
        #expect(await task.value?.code == .cancelled)
        #expect(server.requestsReceived == 0)
    }

    @Test func manyConcurrentRequestsAllComplete() async throws {
        defer { server.stop() }
        let client = client()
        let bodies = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<64 {
                group.addTask { try await client.send(HTTPRequest(url: self.server.url("/slow?ms=20&i=\(index)"))).bodyText }
            }
            var bodies: [String] = []
            for try await body in group { bodies.append(body) }
            return bodies
        }
        #expect(bodies.count == 64)
        #expect(bodies.allSatisfy { $0 == "slow" })
        #expect(server.requestsReceived == 64)
        #expect(server.acceptedConnections > 1)
    }
}
