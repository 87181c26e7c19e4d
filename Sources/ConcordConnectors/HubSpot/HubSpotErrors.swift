import ConcordHTTP

/// Maps HubSpot's answers and transport failures to ``ConnectorError``, keeping HubSpot's
/// category (`VALIDATION_ERROR`, `RATE_LIMITS`, ...) as the CRM code and its message.
enum HubSpotErrors {
    /// The error for a non-2xx `response`.
    static func error(from response: HTTPResponse, crm: String) -> ConnectorError {
        let body = (try? ExactJSON.parse(response.body)).map(HubSpotErrorBody.init(json:))
        let retryAfter = response.headers["Retry-After"].flatMap { RateLimitSignals.parseRetryAfter($0) }.map(millis)
        return error(status: response.status, body: body, retryAfterMillis: retryAfter, crm: crm)
    }

    /// The error for HTTP `status` with HubSpot's error `body` (if it sent one).
    static func error(status: Int, body: HubSpotErrorBody?, retryAfterMillis: UInt64?, crm: String) -> ConnectorError {
        let category = body?.category ?? body?.errorType
        let message = body?.message ?? "HTTP \(status) without an error body"
        let fields = body?.fields ?? []
        func make(_ code: ConnectorError.Code, retry: UInt64? = nil) -> ConnectorError {
            ConnectorError(code, crm: crm, status: status, crmCode: category, message: message, fields: fields, retryAfterMillis: retry)
        }
        if status == 429 || category == "RATE_LIMITS" || category == "RATE_LIMIT" {
            if isDaily(body) { return make(.quotaExhausted, retry: retryAfterMillis) }
            return make(.rateLimited, retry: retryAfterMillis ?? 1000)
        }
        switch (status, category) {
        case (401, _), (_, "INVALID_AUTHENTICATION"), (_, "EXPIRED_AUTHENTICATION"): return make(.authentication)
        case (404, _), (_, "OBJECT_NOT_FOUND"): return make(.notFound)
        case (409, _), (_, "CONFLICT"):
            // HubSpot's 409 is a duplicate on a unique property (e.g. contact email), which
            // no retry fixes: the values must change, or the existing record be linked.
            var error = make(.validation)
            error.existingID = existingID(in: message)
            return error
        case (400, _), (422, _), (_, "VALIDATION_ERROR"): return make(.validation)
        case (403, _): return make(.permanent)
        case (408, _), (500..., _): return make(.transient, retry: retryAfterMillis)
        default: return make(.permanent)
        }
    }

    /// The id in HubSpot's "... already exists. Existing ID: 512" message.
    static func existingID(in message: String) -> String? {
        guard let range = message.range(of: "Existing ID: ") else { return nil }
        let digits = message[range.upperBound...].prefix { $0.isNumber }
        return digits.isEmpty ? nil : String(digits)
    }

    /// HubSpot's daily-limit 429 (`policyName: DAILY`, or the documented message).
    static func isDaily(_ body: HubSpotErrorBody?) -> Bool {
        guard let body else { return false }
        return body.policyName == "DAILY" || body.message.lowercased().contains("daily limit")
    }

    /// The error for a request that got no usable response.
    static func error(from failure: HTTPClientError, crm: String) -> ConnectorError {
        let retry = failure.retryAfter.map(millis)
        switch failure.code {
        case .rateLimited:
            return ConnectorError(.rateLimited, crm: crm, crmCode: "RATE_LIMITS", message: failure.message, retryAfterMillis: retry ?? 1000)
        case .quotaExhausted:
            return ConnectorError(.quotaExhausted, crm: crm, crmCode: "RATE_LIMITS", message: failure.message, retryAfterMillis: retry)
        case .invalidURL, .invalidRequest:
            return ConnectorError(.permanent, crm: crm, message: failure.description)
        default:
            return ConnectorError(.transient, crm: crm, message: failure.description, retryAfterMillis: retry)
        }
    }

    /// The error for a body that could not be read.
    static func malformed(_ what: String, crm: String, status: Int?) -> ConnectorError {
        ConnectorError(.transient, crm: crm, status: status, message: "unreadable HubSpot response: \(what)")
    }

    static func millis(_ d: Duration) -> UInt64 {
        let (s, atto) = d.components
        return UInt64(max(0, s)) * 1000 + UInt64(max(0, atto) / 1_000_000_000_000_000)
    }
}
