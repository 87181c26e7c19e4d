import ConcordMapping

/// A webhook secret the configuration names but the environment does not hold.
public struct WebhookSetupError: Error, Sendable, CustomStringConvertible {
    /// What is missing, naming the CRM and the variable (never a value).
    public var description: String
}

/// Builds the intakes `service.webhooks` configures, one per CRM name.
public enum WebhookIntakes {
    /// The intakes, with secrets read from `environment` where the file names a variable.
    public static func make(config: ConcordConfig, environment: [String: String]) throws(WebhookSetupError) -> [String: any WebhookIntake] {
        var out: [String: any WebhookIntake] = [:]
        for (crm, auth) in config.service.webhooks {
            func value(_ source: CredentialSource, _ what: String) throws(WebhookSetupError) -> String {
                switch source {
                case .literal(let v): return v
                case .environment(let name):
                    guard let v = environment[name], !v.isEmpty else {
                        throw WebhookSetupError(description: "service.webhooks.\(crm).\(what) names environment variable \(name), which is not set")
                    }
                    return v
                }
            }
            let objects = WebhookObjects(config: config, crm: crm)
            switch auth {
            case .hubspotSignature(let secret):
                out[crm] = HubSpotIntake(crm: crm, secret: try value(secret, "secret"), objects: objects, ownSourceID: config.service.ownChanges[crm])
            case .salesforce(let secret, let org):
                var s: String?
                if let secret { s = try value(secret, "secret") }
                out[crm] = SalesforceIntake(crm: crm, secret: s, organizationID: org, objects: objects,
                                            ownClient: config.service.ownChanges[crm] ?? "concord")
            case .dataverseWebhookKey(let key):
                out[crm] = DataverseIntake(crm: crm, auth: .webhookKey(try value(key, "value")), objects: objects, ownUserID: config.service.ownChanges[crm])
            case .dataverseHeader(let name, let v):
                out[crm] = DataverseIntake(crm: crm, auth: .header(name: name, value: try value(v, "value")), objects: objects, ownUserID: config.service.ownChanges[crm])
            case .dataverseQueryString(let name, let v):
                out[crm] = DataverseIntake(crm: crm, auth: .queryString(name: name, value: try value(v, "value")), objects: objects, ownUserID: config.service.ownChanges[crm])
            }
        }
        return out
    }
}
