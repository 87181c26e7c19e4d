import ConcordMapping
import CRMEmulators
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Subscribes `concord serve` to each CRM's webhooks: an emulator on 127.0.0.1 through its
/// admin route; a real CRM cannot be subscribed from here (each has its own setup, done
/// once by an admin), so what to register is printed (docs/webhooks.md has the steps).
enum WebhookRegistration {
    static func register(config: ConcordConfig, base: String, cluster: EmulatorCluster?) async {
        let environment = ProcessInfo.processInfo.environment
        func value(_ source: CredentialSource?) -> String? {
            switch source {
            case .literal(let v): return v
            case .environment(let name): return environment[name]
            case nil: return nil
            }
        }
        for crm in config.crms {
            guard let auth = config.service.webhooks[crm.name] else {
                ServeOutput.line("  \(crm.name): no webhooks configured (service.webhooks.\(crm.name)); the polling pass syncs it")
                continue
            }
            let url = "\(base)/webhooks/\(crm.name)"
            var target: [String: String] = ["url": url]
            switch auth {
            case .hubspotSignature(let secret): target["secret"] = value(secret)
            case .salesforce(let secret, _): target["secret"] = value(secret); target["format"] = secret == nil ? "outbound" : "cdc"
            case .dataverseWebhookKey(let key): target["secret"] = value(key)
            case .dataverseHeader, .dataverseQueryString: break
            }
            if isLoopback(crm.baseURL), await post(crm.baseURL + "/__admin/webhooks", target) {
                ServeOutput.line("  \(crm.name): subscribed the emulator at \(crm.baseURL) to \(url)")
                continue
            }
            ServeOutput.line("  \(crm.name): register \(url) in \(crm.kind.rawValue) — " + instructions(crm.kind))
        }
    }

    static func instructions(_ kind: CRMKind) -> String {
        switch kind {
        case .hubspot:
            return "in the public app's Webhooks settings: target URL above; subscriptions contact/company/deal creation, "
                + "deletion, merge, restore and propertyChange for each mapped property; the app's client secret is service.webhooks secret"
        case .salesforce:
            return "an Apex trigger (or Flow) on the Change Data Capture events of the mapped objects that POSTs each event "
                + "signed with X-Concord-Signature, or an outbound message (workflow/Flow) to the URL above with the org id in "
                + "service.webhooks organization_id"
        case .dynamics:
            return "with the Plug-in Registration Tool: a service endpoint of contract Webhook at the URL above (authentication "
                + "WebhookKey, HttpHeader or HttpQueryString as configured), and asynchronous steps on Create, Update, Delete "
                + "and Merge of each mapped table"
        }
    }

    static func isLoopback(_ url: String) -> Bool {
        url.hasPrefix("http://127.") || url.hasPrefix("http://localhost") || url.hasPrefix("http://[::1]")
    }

    static func post(_ url: String, _ body: [String: String]) async -> Bool {
        guard let u = URL(string: url), let data = try? JSONSerialization.data(withJSONObject: body) else { return false }
        var request = URLRequest(url: u)
        request.httpMethod = "POST"
        request.httpBody = data
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.timeoutInterval = 10
        guard let (_, response) = try? await URLSession.shared.data(for: request) else { return false }
        return (200..<300).contains((response as? HTTPURLResponse)?.statusCode ?? 0)
    }
}
