import ConcordMapping
import Foundation

/// The secrets of one CRM configuration, read from literals or environment variables on
/// demand. Values are never logged: errors name the credential and its source, not its value.
struct ConnectorCredentials: Sendable {
    let crm: String
    let sources: [String: CredentialSource]
    let environment: [String: String]

    init(crm: String, sources: [String: CredentialSource], environment: [String: String]) {
        self.crm = crm
        self.sources = sources
        self.environment = environment
    }

    /// Whether the configuration names `name` at all.
    func has(_ name: String) -> Bool { sources[name] != nil }

    /// The value of `name`, or `nil` when the configuration does not name it.
    func optional(_ name: String) throws(ConnectorError) -> String? {
        guard let source = sources[name] else { return nil }
        switch source {
        case .literal(let value): return value
        case .environment(let variable):
            guard let value = environment[variable], !value.isEmpty else {
                throw ConnectorError(.authentication, crm: crm,
                    message: "credential \(name) names environment variable \(variable), which is not set")
            }
            return value
        }
    }

    /// The value of `name`; a configuration without it is an authentication error.
    func required(_ name: String) throws(ConnectorError) -> String {
        guard let value = try optional(name) else {
            throw ConnectorError(.authentication, crm: crm, message: "credential \(name) is not configured")
        }
        return value
    }
}
