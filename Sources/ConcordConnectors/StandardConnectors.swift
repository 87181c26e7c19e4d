import ConcordHTTP
import ConcordMapping
import Foundation

/// Builds the standard connector of every configured CRM over Concord's HTTP stack: libcurl
/// wrapped in a resilient client per CRM, paced by its configured rate limit and daily budget.
public enum StandardConnectors {
    /// One connector per configured CRM.
    ///
    /// - Throws: ``ConnectorError`` (`permanent`) when the configuration names no CRM.
    /// - Parameter vault: where rotated credentials are kept across restarts (the store).
    public static func make(config: ConcordConfig, breaker: CircuitBreakerPolicy = CircuitBreakerPolicy(),
                            vault: (any CredentialVault)? = nil) throws(ConnectorError) -> [any CRMConnector] {
        guard !config.crms.isEmpty else {
            throw ConnectorError(.permanent, crm: "configuration",
                                 message: "no CRMs configured: add a `crms:` section (see docs/concord.example.yaml)")
        }
        let curl = CurlHTTPClient()
        var out: [any CRMConnector] = []
        for crm in config.crms {
            let limit = crm.rateLimit
            let http = ResilientHTTPClient(
                wrapping: curl, clock: ContinuousClock(),
                limits: { _ in
                    RateLimit(requestsPerSecond: Double(limit.requests) / Double(max(1, limit.intervalSeconds)),
                              burst: max(1, limit.requests), dailyBudget: limit.dailyBudget)
                },
                breaker: breaker, wallClock: .system)
            switch crm.kind {
            case .salesforce: out.append(SalesforceConnector(config: crm, http: http))
            case .hubspot:
                var options = HubSpotOptions()
                options.vault = vault
                out.append(try HubSpotConnector(config: crm, http: http, options: options))
            case .dynamics: out.append(DynamicsConnector(config: crm, http: http))
            }
        }
        return out
    }
}
