/// Which CRM product a configured CRM is; decides wire formats and shipped defaults.
public enum CRMKind: String, Hashable, Sendable, CaseIterable {
    /// Salesforce REST API.
    case salesforce
    /// HubSpot CRM v3.
    case hubspot
    /// Microsoft Dynamics 365 / Dataverse Web API.
    case dynamics
}

/// Where a secret comes from: written in the file (discouraged) or an environment variable.
public enum CredentialSource: Hashable, Sendable, CustomStringConvertible {
    /// The secret itself.
    case literal(String)
    /// The name of the environment variable that holds it.
    case environment(String)

    /// `env:NAME` or `<literal>` (the secret is never printed).
    public var description: String {
        switch self {
        case .literal: return "<literal>"
        case .environment(let name): return "env:" + name
        }
    }
}

/// Request budget for one CRM, from its published limits.
public struct RateLimit: Hashable, Sendable {
    /// Requests allowed per ``intervalSeconds``.
    public var requests: Int
    /// The length of the rate window in seconds.
    public var intervalSeconds: Int
    /// The most requests Concord may spend per day (`nil`: no cap of its own).
    public var dailyBudget: Int?
    /// The most requests in flight at once.
    public var concurrency: Int

    /// Creates a rate limit.
    public init(requests: Int, intervalSeconds: Int, dailyBudget: Int?, concurrency: Int) {
        self.requests = requests
        self.intervalSeconds = intervalSeconds
        self.dailyBudget = dailyBudget
        self.concurrency = concurrency
    }

    /// Defaults per CRM. HubSpot (100 per 10 s, 250,000 a day on Free/Starter) and Dataverse
    /// (6,000 per 5 minutes, 52 concurrent) are their published limits. Salesforce publishes
    /// only a daily allocation (set by edition) and 25 concurrent long requests; the 25/s pace
    /// and 15,000 daily budget are Concord's conservative choice, to be set per org.
    public static func defaults(for kind: CRMKind) -> RateLimit {
        switch kind {
        case .salesforce: return RateLimit(requests: 25, intervalSeconds: 1, dailyBudget: 15_000, concurrency: 10)
        case .hubspot: return RateLimit(requests: 100, intervalSeconds: 10, dailyBudget: 250_000, concurrency: 10)
        case .dynamics: return RateLimit(requests: 6_000, intervalSeconds: 300, dailyBudget: nil, concurrency: 52)
        }
    }
}

/// One CRM in use: how to reach it and how hard it may be used.
public struct CRMConfig: Hashable, Sendable {
    /// The name used everywhere else in the file (`salesforce`, `sf-eu`, ...).
    public var name: String
    /// The product.
    public var kind: CRMKind
    /// The API base URL (instance URL, `https://api.hubapi.com`, `https://org.crm.dynamics.com`).
    public var baseURL: String
    /// The OAuth token endpoint, when the auth flow needs one.
    public var tokenURL: String?
    /// Named credentials (`client_id`, `client_secret`, `token`, ...).
    public var credentials: [String: CredentialSource]
    /// The request budget.
    public var rateLimit: RateLimit

    /// The credential names the file may use.
    public static let credentialNames = ["client_id", "client_secret", "username", "private_key", "private_key_file",
                                         "token", "refresh_token", "tenant_id", "app_id"]

    /// Creates a CRM configuration.
    public init(name: String, kind: CRMKind, baseURL: String, tokenURL: String?,
                credentials: [String: CredentialSource], rateLimit: RateLimit) {
        self.name = name
        self.kind = kind
        self.baseURL = baseURL
        self.tokenURL = tokenURL
        self.credentials = credentials
        self.rateLimit = rateLimit
    }
}
