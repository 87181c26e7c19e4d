/// Tunables of the Dataverse connector that are not part of the CRM configuration.
public struct DynamicsOptions: Sendable, Hashable {
    /// The Web API version path segment (`v9.2`).
    public var apiVersion: String
    /// The OAuth scope; `nil` means `{baseURL}/.default`.
    public var scope: String?
    /// How long before `expires_in` runs out a token is replaced.
    public var refreshMarginMillis: UInt64
    /// How far back the `modifiedon` fallback re-reads after a delta token expired.
    public var overlapMillis: UInt64
    /// The id column per entity set, for sets whose key is not the singular name + `id`
    /// (`tasks` -> `activityid` and the other activities are built in).
    public var primaryKeys: [String: String]
    /// Navigation properties used to bind a lookup, keyed `lookup/targetLogicalName`
    /// (`parentcustomerid/account` -> `parentcustomerid_account` is built in); a lookup not
    /// listed binds through a property of its own name.
    public var navigationProperties: [String: String]
    /// Entity sets per logical name where not the logical name + `s`.
    public var entitySets: [String: String]
    /// A `MSCRMCallerID` (systemuser id) to make writes as, so Concord's writes carry a
    /// dedicated calling user; `nil` writes as the application user itself.
    public var callerID: String?
    /// The most a throttled request waits for `Retry-After` in all before it is reported.
    public var maxThrottleWaitMillis: UInt64

    /// Defaults suitable for production.
    public init(apiVersion: String = "v9.2", scope: String? = nil, refreshMarginMillis: UInt64 = 5 * 60_000,
                overlapMillis: UInt64 = 120_000, primaryKeys: [String: String] = [:], navigationProperties: [String: String] = [:],
                entitySets: [String: String] = [:], callerID: String? = nil, maxThrottleWaitMillis: UInt64 = 120_000) {
        self.apiVersion = apiVersion
        self.scope = scope
        self.refreshMarginMillis = refreshMarginMillis
        self.overlapMillis = overlapMillis
        self.primaryKeys = primaryKeys
        self.navigationProperties = navigationProperties
        self.entitySets = entitySets
        self.callerID = callerID
        self.maxThrottleWaitMillis = maxThrottleWaitMillis
    }

    /// The id column of `entitySet`.
    func primaryKey(_ entitySet: String) -> String {
        if let key = primaryKeys[entitySet] { return key }
        if ["tasks", "phonecalls", "emails", "appointments", "activitypointers", "letters", "faxes"].contains(entitySet) {
            return "activityid"
        }
        if entitySet == "opportunities" { return "opportunityid" }
        return (entitySet.hasSuffix("s") ? String(entitySet.dropLast()) : entitySet) + "id"
    }

    /// The entity set of a logical name.
    func entitySet(_ logicalName: String) -> String {
        if let set = entitySets[logicalName] { return set }
        if logicalName == "opportunity" { return "opportunities" }
        return logicalName + "s"
    }

    /// The navigation property binding `lookup` to a `target` row.
    func navigation(_ lookup: String, target: String) -> String {
        if let name = navigationProperties[lookup + "/" + target] { return name }
        if ["parentcustomerid", "customerid"].contains(lookup) { return lookup + "_" + target }
        return lookup
    }
}
