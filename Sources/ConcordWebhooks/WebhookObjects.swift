import ConcordMapping

/// Which objects of one CRM Concord syncs, by the names its webhooks use.
///
/// Webhooks name objects their own way: HubSpot by the singular (`contact`) or an object
/// type id (`0-1`), Dataverse by the logical name (`contact`) where the Web API uses the
/// entity set (`contacts`), Salesforce by the API name (`Contact`). Each is resolved to the
/// object name the connector reads (the mapping's `object`); events about other objects are
/// answered and ignored.
public struct WebhookObjects: Sendable {
    /// The connector object names mapped for this CRM.
    public let mapped: Set<String>

    /// The objects of `crm` in `config`.
    public init(config: ConcordConfig, crm: String) {
        let objects = Set(config.objects.map(\.name))
        mapped = Set(config.mappings.filter { $0.crm == crm && objects.contains($0.object) }.map(\.crmObject))
    }

    /// Creates the set directly (tests).
    public init(mapped: Set<String>) { self.mapped = mapped }

    /// The connector name of a HubSpot webhook object (`contact`, `company`, `deal`, or a
    /// type id such as `0-1`), if synced.
    func hubspot(_ name: String) -> String? {
        let byID = ["0-1": "contacts", "0-2": "companies", "0-3": "deals", "0-5": "tickets", "0-27": "tasks", "0-48": "calls",
                    "0-47": "meetings", "0-49": "emails", "0-46": "notes"]
        let plural = byID[name] ?? (name == "company" ? "companies" : name.hasSuffix("s") ? name : name + "s")
        return mapped.contains(plural) ? plural : nil
    }

    /// The connector name (entity set) of a Dataverse logical name, if synced.
    func dataverse(_ logical: String) -> String? {
        let name = logical.lowercased()
        let plural: String
        if name.hasSuffix("y"), let before = name.dropLast().last, !"aeiou".contains(before) {
            plural = name.dropLast() + "ies"
        } else if name.hasSuffix("s") || name.hasSuffix("x") || name.hasSuffix("ch") || name.hasSuffix("sh") {
            plural = name + "es"
        } else {
            plural = name + "s"
        }
        return mapped.contains(plural) ? plural : nil
    }

    /// The connector name of a Salesforce object, if synced.
    func salesforce(_ name: String) -> String? { mapped.contains(name) ? name : nil }
}
