import ConcordHTTP
import ConcordTestServer
import Testing

@Suite("Credentials never appear in descriptions or errors")
struct RedactionTests {
    @Test func sensitiveHeadersAreRedacted() {
        let headers: HTTPHeaders = [
            "Authorization": "Bearer sekrit-1", "Cookie": "sid=sekrit-2", "X-Api-Key": "sekrit-3",
            "X-Auth-Token": "sekrit-4", "Proxy-Authorization": "Basic sekrit-5", "Accept": "application/json",
        ]
        let text = headers.description
        #expect(!text.contains("sekrit"))
        #expect(text.contains("Accept: application/json"))
        #expect(text.contains("Authorization: <redacted>"))
        #expect(headers["authorization"] == "Bearer sekrit-1")
    }

    @Test func urlCredentialsAndTokenParametersAreRedacted() {
        let url = "https://user:p%40ss@api.example.com:8443/v1/x?access_token=abc&limit=5&hapikey=zzz&client_secret=s#frag"
        #expect(URLText.redact(url) == "https://api.example.com:8443/v1/x?access_token=<redacted>&limit=5&hapikey=<redacted>&client_secret=<redacted>#frag")
        #expect(URLText.redact("http://h/p") == "http://h/p")
        #expect(HTTPDestination(url: url) == HTTPDestination(scheme: "https", host: "api.example.com", port: 8443))
        #expect(HTTPDestination(url: "http://Example.COM/x")?.port == 80)
        #expect(HTTPDestination(url: "not a url") == nil)
    }

    @Test func requestDescriptionHidesSecrets() {
        let request = HTTPRequest(
            method: .post, url: "https://bob:hunter2@example.com/token", query: [("refresh_token", "r-secret")],
            headers: ["Authorization": "Bearer t-secret", "Content-Type": "application/json"], body: [1, 2, 3])
        let text = String(describing: request)
        for secret in ["hunter2", "bob", "r-secret", "t-secret"] { #expect(!text.contains(secret)) }
        #expect(text.hasPrefix("POST https://example.com/token?refresh_token=<redacted>"))
        #expect(text.contains("(3 bytes)"))
        var dumped = ""
        dump(request, to: &dumped)
        for secret in ["hunter2", "r-secret", "t-secret"] { #expect(!dumped.contains(secret)) }
        var dumpedHeaders = ""
        dump(request.headers, to: &dumpedHeaders)
        #expect(!dumpedHeaders.contains("t-secret"))
        #expect(dumpedHeaders.contains("application/json"))
    }

    @Test func transportErrorsCarryMethodAndRedactedURL() async {
        let refusing = LoopbackHTTPServer.refusingPort()
        let port = refusing.port
        defer { withExtendedLifetime(refusing) {} }
        let request = HTTPRequest(
            method: .patch, url: "http://alice:s3cr3t@127.0.0.1:\(port)/x?api_key=k3y&page=2",
            headers: ["Authorization": "Bearer b3arer"])
        let error = await captureError { try await CurlHTTPClient().send(request) }
        #expect(error?.code == .connectionFailed)
        #expect(error?.method == .patch)
        #expect(error?.url == "http://127.0.0.1:\(port)/x?api_key=<redacted>&page=2")
        #expect(error?.curlCode == 7)
        let text = error.map(String.init(describing:)) ?? ""
        for secret in ["alice", "s3cr3t", "k3y", "b3arer"] { #expect(!text.contains(secret)) }
    }

    @Test func queryEncoding() {
        #expect(URLText.percentEncode("a b&c=d/é~") == "a%20b%26c%3Dd%2F%C3%A9~")
        #expect(URLText.appendingQuery([("x", "1")], to: "http://h/p?y=2#f") == "http://h/p?y=2&x=1#f")
        #expect(URLText.appendingQuery([], to: "http://h/p") == "http://h/p")
    }
}
