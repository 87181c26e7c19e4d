import CCurl

/// The real ``HTTPClient``: libcurl's multi interface driven by one dedicated thread.
///
/// All curl handles live on that thread; callers only enqueue requests and await their
/// completion, so any number of tasks can send concurrently. Connections are kept alive
/// and reused across requests to the same destination. TLS verification is always on
/// (a custom CA bundle can be given), gzip and deflate responses are decoded, redirects
/// are not followed unless configured, and proxies come from the standard environment
/// variables (`http_proxy`, `https_proxy`, `no_proxy`; libcurl reads them itself).
///
/// ```swift
/// let client = CurlHTTPClient()
/// let response = try await client.send(HTTPRequest(url: "https://api.hubapi.com/crm/v3/objects/contacts"))
/// ```
public final class CurlHTTPClient: HTTPClient {
    /// Settings shared by every request the client sends.
    public struct Configuration: Sendable {
        /// How long to wait for a TCP (and TLS) connection to be established.
        public var connectTimeout: Duration = .seconds(10)
        /// The maximum duration of a whole request, unless ``HTTPRequest/timeout`` overrides it.
        public var timeout: Duration = .seconds(60)
        /// Responses whose decoded body exceeds this many bytes fail with ``HTTPClientError/Code/tooLarge``.
        public var maxResponseBytes: Int = 64 << 20
        /// A PEM file of CA certificates to trust instead of the system bundle.
        public var caFile: String?
        /// Whether to follow 3xx redirects (off by default; at most ``maxRedirects``).
        public var followRedirects = false
        /// The redirect limit when ``followRedirects`` is on.
        public var maxRedirects = 5
        /// Sent as `User-Agent` unless the request has its own.
        public var userAgent = "Concord/0.1"
        /// Idle keep-alive connections kept for reuse.
        public var maxCachedConnections = 64
        /// An explicit proxy URL (`http://host:port`). `nil`, the default, leaves libcurl to
        /// take proxies from `http_proxy`, `https_proxy`, `all_proxy` and `no_proxy`.
        public var proxy: String?
        /// Simultaneous connections per host; 0 means unlimited.
        public var maxConnectionsPerHost = 0
        /// Whether to offer compressed answers (`Accept-Encoding`, decoded by libcurl). The
        /// replication link turns it off: its hub does not compress, and its idle exchange
        /// is counted in bytes.
        public var acceptEncoding = true

        /// The defaults: 10 s connect, 60 s total, 64 MiB limit, system CAs, no redirects.
        public init() {}
    }

    /// The settings this client was created with.
    public let configuration: Configuration
    private let engine: CurlMultiEngine

    /// A client with its own engine thread and connection cache.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        self.engine = CurlMultiEngine(configuration: configuration)
    }

    deinit { engine.stop() }

    public func send(_ request: HTTPRequest) async throws(HTTPClientError) -> HTTPResponse {
        if Task.isCancelled {
            throw HTTPClientError(.cancelled, request: request, message: "the task was cancelled before sending")
        }
        let transfer = CurlTransfer(request: request, configuration: configuration)
        let engine = self.engine
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<HTTPResponse, HTTPClientError>, Never>) in
                transfer.continuation = continuation
                engine.submit(transfer)
            }
        } onCancel: {
            transfer.requestCancel()
            engine.cancel(transfer)
        }
        return try result.get()
    }
}

/// libcurl's process-wide initialisation, done once before the first handle is created.
enum CurlGlobal {
    static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
}
