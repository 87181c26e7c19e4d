/// A failure talking to a CRM, reduced to the few codes the engine acts on, with what the
/// CRM itself said.
public struct ConnectorError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What the engine does about it.
    public enum Code: String, Hashable, Sendable {
        /// Throttled: wait until ``ConnectorError/retryAfterMillis`` and try again.
        case rateLimited
        /// The daily (or org) quota is used up: park work until it resets. Never success.
        case quotaExhausted
        /// Credentials were refused even after a refresh.
        case authentication
        /// The record does not exist (deleted or merged away).
        case notFound
        /// The record changed since it was read (412, a version conflict).
        case conflict
        /// The CRM refused the values (required field, bad picklist, too long, ...).
        case validation
        /// Worth retrying later: timeouts, 5xx, dropped connections, an open breaker.
        case transient
        /// Not worth retrying: a bug, a missing permission, an unsupported request.
        case permanent
    }

    /// The code.
    public var code: Code
    /// The replica name.
    public var crm: String
    /// The HTTP status, if there was a response.
    public var status: Int?
    /// The CRM's own error code (`REQUIRED_FIELD_MISSING`, `VALIDATION_ERROR`, `0x80040237`).
    public var crmCode: String?
    /// The CRM's message, or what went wrong.
    public var message: String
    /// The CRM fields the error is about, for validation errors.
    public var fields: [String]
    /// When to retry, for rate limits (milliseconds from now).
    public var retryAfterMillis: UInt64?
    /// For a create refused as a duplicate on a unique value: the id of the record the CRM
    /// already holds with it (HubSpot's "Contact already exists. Existing ID: 512").
    public var existingID: String?

    /// Creates an error.
    public init(_ code: Code, crm: String, status: Int? = nil, crmCode: String? = nil, message: String,
                fields: [String] = [], retryAfterMillis: UInt64? = nil) {
        self.code = code
        self.crm = crm
        self.status = status
        self.crmCode = crmCode
        self.message = message
        self.fields = fields
        self.retryAfterMillis = retryAfterMillis
    }

    /// Whether the same request may succeed later without a change by a person.
    public var isRetryable: Bool { [.rateLimited, .quotaExhausted, .transient, .conflict].contains(code) }

    /// `hubspot: validation (400 VALIDATION_ERROR) on email: Property values were not valid`.
    public var description: String {
        var s = "\(crm): \(code.rawValue)"
        let detail = [status.map(String.init), crmCode].compactMap { $0 }.joined(separator: " ")
        if !detail.isEmpty { s += " (\(detail))" }
        if !fields.isEmpty { s += " on " + fields.joined(separator: ", ") }
        s += ": " + message
        if let r = retryAfterMillis { s += " (retry after \(r) ms)" }
        return s
    }
}
