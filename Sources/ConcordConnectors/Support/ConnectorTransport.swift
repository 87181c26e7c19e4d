import ConcordHTTP

/// What an API call was for, as counted in ``APICallCounts``.
enum APICallKind: String, Sendable {
    case auth, pull, fetch, find, push, history
}

extension ConnectorError {
    /// A transport failure (no usable response) as a connector error.
    static func transport(_ error: HTTPClientError, crm: String) -> ConnectorError {
        let retryAfter = error.retryAfter.map(Self.millis)
        switch error.code {
        case .rateLimited:
            return ConnectorError(.rateLimited, crm: crm, message: error.description, retryAfterMillis: retryAfter ?? 1000)
        case .quotaExhausted:
            return ConnectorError(.quotaExhausted, crm: crm, message: error.description, retryAfterMillis: retryAfter)
        case .invalidURL, .invalidRequest, .tooLarge, .tls, .badContentEncoding:
            return ConnectorError(.permanent, crm: crm, message: error.description)
        default:
            return ConnectorError(.transient, crm: crm, message: error.description, retryAfterMillis: retryAfter)
        }
    }

    /// A body that could not be read as the CRM's documented shape.
    static func malformed(_ what: String, crm: String, status: Int? = nil) -> ConnectorError {
        ConnectorError(.transient, crm: crm, status: status, message: "unexpected response: \(what)")
    }

    /// Whole milliseconds of a duration (never negative).
    static func millis(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        let ms = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return UInt64(max(0, ms))
    }
}

extension UInt64 {
    /// `self` plus `seconds` in milliseconds, or `UInt64.max` when that does not fit: a token
    /// lifetime (`expires_in`) is whatever number the CRM sent.
    func addingSeconds(_ seconds: UInt64) -> UInt64 {
        let (millis, tooMany) = seconds.multipliedReportingOverflow(by: 1000)
        let (sum, tooLate) = addingReportingOverflow(millis)
        return tooMany || tooLate ? .max : sum
    }
}

extension HTTPResponse {
    /// The body as JSON with exact numbers, or `nil` when it is empty or not JSON.
    var exactJSON: ExactJSON? {
        guard !body.isEmpty else { return nil }
        return try? ExactJSON.parse(body)
    }
}

/// Splits `items` into consecutive chunks of at most `size`.
func chunked<T>(_ items: [T], size: Int) -> [[T]] {
    let size = max(1, size)
    return stride(from: 0, to: items.count, by: size).map { Array(items[$0..<min(items.count, $0 + size)]) }
}
