import ConcordHTTP

/// Maps Dataverse error answers (`{"error":{"code","message"}}`) to ``ConnectorError``.
enum DynamicsErrors {
    /// The connector error for a status, headers and body (whole responses and `$batch` parts).
    static func error(status: Int, headers: HTTPHeaders, body: [UInt8], crm: String) -> ConnectorError {
        let json = body.isEmpty ? nil : try? ExactJSON.parse(body)
        let code = json?["error"]?["code"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        let message = json?["error"]?["message"]?.stringValue ?? "HTTP \(status) with \(body.count) bytes"
        let retry = headers["Retry-After"].flatMap { RateLimitSignals.parseRetryAfter($0) }.map(ConnectorError.millis)
        let kind: ConnectorError.Code
        switch status {
        case 429: kind = .rateLimited
        case 401: kind = .authentication
        case 404: kind = .notFound
        case 409, 412: kind = .conflict
        case 400, 413: kind = .validation
        case 403: kind = .permanent
        case 500...: kind = .transient
        default: kind = .permanent
        }
        return ConnectorError(kind, crm: crm, status: status, crmCode: code, message: message,
                              fields: kind == .validation ? fields(in: message) : [],
                              retryAfterMillis: kind == .rateLimited ? (retry ?? 5000) : nil)
    }

    /// Whether an error says the delta token can no longer be used.
    static func isExpiredDeltaToken(_ error: ConnectorError) -> Bool {
        guard error.status == 400 || error.status == 410 else { return false }
        return error.message.lowercased().contains("expired") || error.crmCode == "0x80044352"
    }

    /// Attribute names quoted in a Dataverse validation message (`Attribute 'lastname' ...`,
    /// `The property 'x' does not exist`, `... of 'emailaddress1' ...`).
    static func fields(in message: String) -> [String] {
        for marker in ["Attribute '", "The property '", "The length of the '", " of '"] {
            guard let start = message.range(of: marker) else { continue }
            let rest = message[start.upperBound...]
            guard let end = rest.firstIndex(of: "'") else { continue }
            let name = String(rest[..<end])
            if !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) { return [name] }
        }
        return []
    }
}
