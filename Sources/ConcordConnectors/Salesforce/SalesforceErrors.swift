import ConcordHTTP

/// Maps Salesforce's error answers (`[{message, errorCode, fields}]`, and per-record
/// `{statusCode, message, fields}` in sObject Collections results) to ``ConnectorError``.
enum SalesforceErrors {
    /// Codes that mean the values were refused.
    static let validationCodes: Set<String> = [
        "REQUIRED_FIELD_MISSING", "FIELD_CUSTOM_VALIDATION_EXCEPTION", "INVALID_FIELD", "STRING_TOO_LONG",
        "INVALID_EMAIL_ADDRESS", "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "DUPLICATE_VALUE", "MALFORMED_ID",
        "FIELD_INTEGRITY_EXCEPTION", "INVALID_CROSS_REFERENCE_KEY", "JSON_PARSER_ERROR", "INVALID_TYPE_ON_FIELD_IN_RECORD",
        "NUMBER_OUTSIDE_VALID_RANGE", "INVALID_FIELD_FOR_INSERT_UPDATE", "INVALID_TYPE", "MISSING_ARGUMENT",
        "DUPLICATES_DETECTED", "INVALID_ID_FIELD", "FIELD_FILTER_VALIDATION_EXCEPTION", "BAD_REQUEST",
    ]
    /// Codes worth retrying as they are.
    static let transientCodes: Set<String> = [
        "UNABLE_TO_LOCK_ROW", "UNKNOWN_EXCEPTION", "SERVER_UNAVAILABLE", "ALL_OR_NONE_OPERATION_ROLLED_BACK",
        "QUERY_TIMEOUT", "REQUEST_RUNNING_TOO_LONG",
    ]
    /// Codes for a record that is not there.
    static let notFoundCodes: Set<String> = ["NOT_FOUND", "ENTITY_IS_DELETED", "INVALID_CROSS_REFERENCE_KEY_NOT_FOUND"]

    /// The connector error for a per-record failure, keeping Salesforce's code, message and fields.
    static func recordError(_ error: ExactJSON?, crm: String) -> ConnectorError {
        let code = error?["statusCode"]?.stringValue ?? error?["errorCode"]?.stringValue ?? "UNKNOWN_EXCEPTION"
        let message = error?["message"]?.stringValue ?? "the record failed without a message"
        let fields = error?["fields"]?.arrayValue?.compactMap(\.stringValue) ?? []
        return ConnectorError(classify(code: code, status: nil, message: message, fields: fields), crm: crm,
                              crmCode: code, message: message, fields: fields,
                              retryAfterMillis: code == "REQUEST_LIMIT_EXCEEDED" ? 60_000 : nil)
    }

    /// The connector error for a whole response that is not a success.
    static func responseError(_ response: HTTPResponse, crm: String) -> ConnectorError {
        let json = response.exactJSON
        let first = json?.arrayValue?.first ?? json
        let code = first?["errorCode"]?.stringValue ?? first?["error"]?.stringValue
        let message = first?["message"]?.stringValue ?? first?["error_description"]?.stringValue
            ?? "HTTP \(response.status) with \(response.body.count) bytes"
        let fields = first?["fields"]?.arrayValue?.compactMap(\.stringValue) ?? []
        var retry: UInt64? = response.headers["Retry-After"].flatMap { RateLimitSignals.parseRetryAfter($0) }
            .map(ConnectorError.millis)
        let kind = classify(code: code, status: response.status, message: message, fields: fields)
        if kind == .rateLimited, retry == nil { retry = 1000 }
        return ConnectorError(kind, crm: crm, status: response.status, crmCode: code, message: message, fields: fields,
                              retryAfterMillis: retry)
    }

    /// The code for Salesforce's `code` (or, without one, the HTTP status).
    static func classify(code: String?, status: Int?, message: String, fields: [String]) -> ConnectorError.Code {
        if let code {
            if code == "REQUEST_LIMIT_EXCEEDED" { return message.contains("TotalRequests") ? .quotaExhausted : .rateLimited }
            if code == "INVALID_SESSION_ID" || code == "invalid_grant" || code == "invalid_client" || code == "invalid_client_id" {
                return .authentication
            }
            if notFoundCodes.contains(code) { return .notFound }
            if transientCodes.contains(code) { return .transient }
            if code == "MULTIPLE_CHOICES" || code == "PRECONDITION_FAILED" { return .conflict }
            if ["MALFORMED_QUERY", "INVALID_QUERY_LOCATOR", "INSUFFICIENT_ACCESS", "INSUFFICIENT_ACCESS_OR_READONLY",
                "API_DISABLED_FOR_ORG", "METHOD_NOT_ALLOWED", "EXCEEDED_ID_LIMIT"].contains(code) {
                return .permanent
            }
            if validationCodes.contains(code) { return .validation }
        }
        switch status {
        case 300, 409, 412: return .conflict
        case 401: return .authentication
        case 404: return .notFound
        case 429: return .rateLimited
        case .some(let s) where s >= 500: return .transient
        case 400: return .validation
        case nil: return fields.isEmpty ? .permanent : .validation
        default: return .permanent
        }
    }
}
