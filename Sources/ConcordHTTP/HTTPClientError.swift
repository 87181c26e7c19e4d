/// Why an HTTP request produced no usable response.
///
/// Carries the request's method and URL with credentials removed, the underlying
/// libcurl message when there is one, and for throttling the delay the server asked for.
public struct HTTPClientError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this was. Retry and circuit-breaking decisions switch on this.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// A short stable name, for example `"timeout"`.
        public let name: String
        private init(_ name: String) { self.name = name }

        /// The connect or total timeout elapsed.
        public static let timeout = Code("timeout")
        /// No connection could be made (refused, unreachable, DNS failure, proxy failure).
        public static let connectionFailed = Code("connectionFailed")
        /// The connection dropped before a complete response arrived.
        public static let connectionLost = Code("connectionLost")
        /// The body ended before the length the server announced.
        public static let truncatedBody = Code("truncatedBody")
        /// TLS handshake or certificate verification failed.
        public static let tls = Code("tls")
        /// The calling task was cancelled.
        public static let cancelled = Code("cancelled")
        /// The response body exceeded the configured size limit.
        public static let tooLarge = Code("tooLarge")
        /// The URL is malformed or uses a scheme other than http/https.
        public static let invalidURL = Code("invalidURL")
        /// The request itself is invalid (for example a header containing a line break).
        public static let invalidRequest = Code("invalidRequest")
        /// The response used a content encoding that could not be decoded.
        public static let badContentEncoding = Code("badContentEncoding")
        /// The destination is still throttling after every permitted retry.
        public static let rateLimited = Code("rateLimited")
        /// The destination's daily request quota is used up; retrying today is futile.
        public static let quotaExhausted = Code("quotaExhausted")
        /// The destination's circuit breaker is open after repeated failures.
        public static let circuitOpen = Code("circuitOpen")
        /// Any other transport failure.
        public static let transport = Code("transport")

        public var description: String { name }
    }

    /// What kind of failure this was.
    public var code: Code
    /// The request's method.
    public var method: HTTPMethod
    /// The request's URL with credentials redacted (see ``URLText/redact(_:)``).
    public var url: String
    /// A human-readable explanation, including libcurl's message when there is one.
    public var message: String
    /// libcurl's `CURLcode`, when the failure came from libcurl.
    public var curlCode: Int?
    /// For ``Code/rateLimited`` and ``Code/circuitOpen``: how long to wait before trying again.
    public var retryAfter: Duration?

    /// An error for `request`; its URL is redacted here.
    public init(
        _ code: Code, request: HTTPRequest, message: String, curlCode: Int? = nil,
        retryAfter: Duration? = nil
    ) {
        self.code = code
        self.method = request.method
        self.url = URLText.redact(request.fullURL)
        self.message = message
        self.curlCode = curlCode
        self.retryAfter = retryAfter
    }

    public var description: String {
        var text = "\(code) for \(method) \(url): \(message)"
        if let curlCode { text += " (curl code \(curlCode))" }
        if let retryAfter { text += " (retry after \(retryAfter))" }
        return text
    }
}
