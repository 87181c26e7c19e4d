/// Why a webhook request was refused: the HTTP status, a label for the counter, and a
/// reason for the log that names neither the secret nor the body.
public struct WebhookRejection: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of refusal.
    public enum Kind: String, Sendable, Hashable {
        /// No signature or key where one is required (401).
        case unauthenticated
        /// A signature or key that does not match (401).
        case badSignature = "bad_signature"
        /// A signature older than the freshness window, or from the future (401).
        case stale
        /// The same signed request again (409).
        case replayed
        /// A body that cannot be read as this CRM's format (400).
        case malformed
        /// A body above the configured limit (413).
        case tooLarge = "too_large"
        /// A content type this route does not take (415).
        case unsupportedMediaType = "unsupported_media_type"
        /// A method other than POST (405).
        case methodNotAllowed = "method_not_allowed"
        /// Outbound messages from another Salesforce organization (403).
        case wrongOrganization = "wrong_organization"
        /// No webhooks are configured for this CRM (404).
        case notConfigured = "not_configured"
        /// The service is stopping (503): the CRM retries later.
        case stopping
        /// The inbox could not be written (503): the CRM retries later.
        case storeUnavailable = "store_unavailable"
    }

    /// The kind.
    public var kind: Kind
    /// What was wrong, for the log and the response (never the secret or the body).
    public var reason: String

    /// Creates a rejection.
    public init(_ kind: Kind, _ reason: String) {
        self.kind = kind
        self.reason = reason
    }

    /// The HTTP status to answer with.
    public var status: Int {
        switch kind {
        case .unauthenticated, .badSignature, .stale: return 401
        case .replayed: return 409
        case .malformed: return 400
        case .tooLarge: return 413
        case .unsupportedMediaType: return 415
        case .methodNotAllowed: return 405
        case .wrongOrganization: return 403
        case .notConfigured: return 404
        case .stopping, .storeUnavailable: return 503
        }
    }

    /// `<kind>: <reason>`.
    public var description: String { "\(kind.rawValue): \(reason)" }
}
