/// An HTTP request as a value: method, URL, query, headers and body.
///
/// ```swift
/// var request = HTTPRequest(method: .get, url: "https://example.my.salesforce.com/services/data/v60.0/query")
/// request.query = [("q", "SELECT Id FROM Account")]
/// request.headers.add(name: "Authorization", value: "Bearer \(token)")
/// let response = try await client.send(request)
/// ```
///
/// Printing a request never shows credentials: sensitive headers and query parameters are
/// redacted and any `user:password@` is dropped.
public struct HTTPRequest: Sendable, CustomStringConvertible, CustomReflectable {
    /// The request method.
    public var method: HTTPMethod
    /// The absolute `http://` or `https://` URL, possibly with a query already.
    public var url: String
    /// Query items appended to ``url``, percent-encoded.
    public var query: [(name: String, value: String)]
    /// Header fields sent as given (names and values must not contain CR or LF).
    public var headers: HTTPHeaders
    /// The request body, or `nil` for none.
    public var body: [UInt8]?
    /// Overrides the client's total timeout for this request.
    public var timeout: Duration?
    /// Marks a non-idempotent request (`POST`, `PATCH`) as safe to send again, for example
    /// because it carries an idempotency key or is an upsert. Idempotent methods are
    /// always retry-safe.
    public var isSafeToRetry: Bool

    /// A request with the given parts.
    public init(
        method: HTTPMethod = .get, url: String, query: [(name: String, value: String)] = [],
        headers: HTTPHeaders = HTTPHeaders(), body: [UInt8]? = nil, timeout: Duration? = nil,
        isSafeToRetry: Bool = false
    ) {
        self.method = method
        self.url = url
        self.query = query
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.isSafeToRetry = isSafeToRetry
    }

    /// The URL actually requested: ``url`` plus the encoded ``query``.
    public var fullURL: String { URLText.appendingQuery(query, to: url) }

    /// Whether the retry policy may send this request more than once.
    public var mayRetry: Bool { method.isIdempotent || isSafeToRetry }

    /// Where the request goes, for per-destination limits; `nil` for a malformed URL.
    public var destination: HTTPDestination? { HTTPDestination(url: url) }

    /// `METHOD url` with credentials redacted: safe for logs and error messages.
    public var redactedSummary: String { "\(method) \(URLText.redact(fullURL))" }

    /// The method, redacted URL, redacted headers and body size.
    public var description: String {
        var text = redactedSummary
        if !headers.fields.isEmpty { text += " [\(headers)]" }
        if let body { text += " (\(body.count) bytes)" }
        return text
    }

    /// A mirror showing only the redacted ``description``, so `dump` and debuggers
    /// cannot reveal credentials either.
    public var customMirror: Mirror { Mirror(self, children: ["redacted": description]) }
}

/// A complete HTTP response: status, header fields and the (decoded) body.
public struct HTTPResponse: Sendable, CustomStringConvertible {
    /// The status code, for example 200.
    public var status: Int
    /// The header fields of the final response, in order.
    public var headers: HTTPHeaders
    /// The body after content decoding (gzip and deflate are decoded by the client).
    public var body: [UInt8]

    /// A response with the given parts.
    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The body decoded as UTF-8 (invalid sequences repaired).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// Whether the status is 2xx.
    public var isSuccess: Bool { (200..<300).contains(status) }

    /// The status, redacted headers and body size.
    public var description: String { "\(status) [\(headers)] (\(body.count) bytes)" }
}

/// Anything that can send an ``HTTPRequest``: the real ``CurlHTTPClient``, the
/// ``ResilientHTTPClient`` decorator, or a test double.
///
/// A response with any status (including 4xx and 5xx) is returned, not thrown; only
/// failures to get a response throw, as ``HTTPClientError``.
public protocol HTTPClient: Sendable {
    /// Sends `request` and returns the complete response.
    ///
    /// Cancelling the calling task cancels the request in flight and throws
    /// ``HTTPClientError`` with code ``HTTPClientError/Code/cancelled``.
    func send(_ request: HTTPRequest) async throws(HTTPClientError) -> HTTPResponse
}
