import ConcordHTTP
import ConcordTestServer
import Testing

@Suite("CurlHTTPClient against the loopback server")
struct CurlClientTests {
    let server: LoopbackHTTPServer
    let client = CurlHTTPClient()

    init() throws { server = try LoopbackHTTPServer() }

    @Test func getSendsHeadersAndEncodedQuery() async throws {
        var request = HTTPRequest(url: server.url("/echo"), query: [("q", "SELECT Id FROM Account"), ("a&b", "é=1")])
        request.headers.add(name: "X-Trace", value: "abc")
        let response = try await client.send(request)
        defer { server.stop() }
        #expect(response.status == 200)
        let lines = response.bodyText.split(separator: "\n")
        #expect(lines.first == "GET /echo?q=SELECT%20Id%20FROM%20Account&a%26b=%C3%A9%3D1")
        #expect(lines.contains("X-Trace: abc"))
        #expect(lines.contains { $0.hasPrefix("Accept-Encoding:") && $0.contains("gzip") })
        #expect(response.headers["content-length"] == String(response.body.count))
    }

    @Test(arguments: ["POST", "PUT", "PATCH", "DELETE"])
    func methodsWithBody(method: String) async throws {
        defer { server.stop() }
        let request = HTTPRequest(
            method: HTTPMethod(rawValue: method), url: server.url("/echo"),
            headers: ["Content-Type": "application/json"], body: Array(#"{"a":1}"#.utf8))
        let response = try await client.send(request)
        let text = response.bodyText
        #expect(text.hasPrefix("\(method) /echo\n"))
        #expect(text.hasSuffix("\n\n{\"a\":1}"))
        #expect(text.contains("Content-Length: 7"))
        #expect(!text.contains("Expect:"))
    }

    @Test func deleteWithoutBodyAndHead() async throws {
        defer { server.stop() }
        let delete = try await client.send(HTTPRequest(method: .delete, url: server.url("/echo")))
        #expect(delete.bodyText.hasPrefix("DELETE /echo\n"))
        let head = try await client.send(HTTPRequest(method: .head, url: server.url("/bytes?n=50")))
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
        #expect(head.headers["Content-Length"] == "50")
    }

    @Test func errorStatusesAreResponsesNotErrors() async throws {
        defer { server.stop() }
        let response = try await client.send(HTTPRequest(url: server.url("/status/503?header=Retry-After:7&body=down")))
        #expect(response.status == 503)
        #expect(response.headers["retry-after"] == "7")
        #expect(response.bodyText == "down")
    }

    @Test func redirectsAreNotFollowedByDefault() async throws {
        defer { server.stop() }
        let response = try await client.send(HTTPRequest(url: server.url("/status/302?header=Location:/echo")))
        #expect(response.status == 302)
        #expect(response.headers["Location"] == "/echo")
    }

    @Test func redirectsAreFollowedWhenConfigured() async throws {
        defer { server.stop() }
        var configuration = CurlHTTPClient.Configuration()
        configuration.followRedirects = true
        let response = try await CurlHTTPClient(configuration: configuration)
            .send(HTTPRequest(url: server.url("/status/302?header=Location:/echo")))
        #expect(response.status == 200)
        #expect(response.bodyText.hasPrefix("GET /echo\n"))
    }

    @Test func explicitProxyReceivesAbsoluteFormRequests() async throws {
        defer { server.stop() }
        var configuration = CurlHTTPClient.Configuration()
        configuration.proxy = server.url("")
        let response = try await CurlHTTPClient(configuration: configuration)
            .send(HTTPRequest(url: "http://crm.invalid/echo?x=1"))
        #expect(response.bodyText.hasPrefix("GET http://crm.invalid/echo?x=1\n"))
    }

    @Test(arguments: ["/gzip", "/deflate"])
    func compressedBodiesAreDecoded(path: String) async throws {
        defer { server.stop() }
        let response = try await client.send(HTTPRequest(url: server.url(path)))
        #expect(response.bodyText == CompressedFixture.text)
        // The header gives the compressed length on the wire, not the decoded body's.
        let compressed = path == "/gzip" ? CompressedFixture.gzip : CompressedFixture.deflate
        #expect(response.headers["Content-Length"] == String(compressed.count))
        #expect(compressed.count != response.body.count)
    }

    @Test func invalidURLsAndHeaderInjectionAreRejected() async throws {
        defer { server.stop() }
        let ftp = await captureError { try await client.send(HTTPRequest(url: "ftp://127.0.0.1/x")) }
        #expect(ftp?.code == .invalidURL)
        let relative = await captureError { try await client.send(HTTPRequest(url: "/echo")) }
        #expect(relative?.code == .invalidURL)
        let injected = HTTPRequest(url: server.url("/echo"), headers: ["X-Evil": "a\r\nX-Injected: 1"])
        let error = await captureError { try await client.send(injected) }
        #expect(error?.code == .invalidRequest)
        #expect(server.requestsReceived == 0)
    }

    @Test func tlsFailuresAreReportedAsTLS() async throws {
        defer { server.stop() }
        // The loopback server speaks plain HTTP, so a TLS handshake with it must fail.
        let plain = await captureError { try await client.send(HTTPRequest(url: "https://127.0.0.1:\(server.port)/echo")) }
        #expect(plain?.code == .tls, "\(String(describing: plain))")
        var configuration = CurlHTTPClient.Configuration()
        configuration.caFile = "/nonexistent/concord-ca.pem"
        let custom = CurlHTTPClient(configuration: configuration)
        let badCA = await captureError { try await custom.send(HTTPRequest(url: "https://127.0.0.1:\(server.port)/echo")) }
        #expect(badCA?.code == .tls)
    }
}
