import ConcordHTTP
import ConcordReplication

/// How an edge reaches its hub: one exchange, as an HTTP round trip.
public protocol ReplicaTransport: Sendable {
    /// Posts `body` with the position in `query`; the status and body of the answer.
    func exchange(query: [(name: String, value: String)], body: [UInt8]) async throws(ReplicaError) -> (status: Int, body: [UInt8])
}

/// The transport over libcurl: `POST <hub>/replication/v1/exchange` with a bearer token.
/// TLS is libcurl's: give an `https://` URL (behind a reverse proxy, docs/replication.md).
public struct CurlReplicaTransport: ReplicaTransport {
    let url: String
    let token: String
    let client: CurlHTTPClient

    /// A transport to the hub at `hub` (its base URL), authenticating with `token`.
    public init(hub: String, token: String, timeout: Duration = .seconds(60)) {
        url = (hub.hasSuffix("/") ? String(hub.dropLast()) : hub) + Exchange.path
        self.token = token
        var c = CurlHTTPClient.Configuration()
        c.timeout = timeout
        c.connectTimeout = .seconds(10)
        c.userAgent = "concord"
        c.acceptEncoding = false
        client = CurlHTTPClient(configuration: c)
    }

    public func exchange(query: [(name: String, value: String)], body: [UInt8]) async throws(ReplicaError) -> (status: Int, body: [UInt8]) {
        let headers: HTTPHeaders = ["Authorization": "Bearer \(token)"]
        let request = HTTPRequest(method: .post, url: url, query: query, headers: headers, body: body, isSafeToRetry: true)
        do {
            let response = try await client.send(request)
            return (response.status, response.body)
        } catch {
            throw ReplicaError(.transient, "the hub at \(url) could not be reached: \(error)")
        }
    }
}
