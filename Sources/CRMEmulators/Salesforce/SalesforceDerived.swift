extension SalesforceEmulator {
    /// Sets the read-only `AccountId` of a Task or Event the way Salesforce does: the account the
    /// activity is related to (`WhatId` an Account, or that Opportunity's account), else the
    /// account of the contact in `WhoId`.
    static func deriveAccount(_ values: inout [String: JSONValue], object: ObjectSchema, existing: StoredRecord?, tx: StoreTransaction) {
        guard object.name == "Task" || object.name == "Event" else { return }
        guard values["WhatId"] != nil || values["WhoId"] != nil || existing == nil else { return }
        func current(_ name: String) -> String? {
            if let value = values[name] { return value.stringValue }
            return existing?.fields[name]?.stringValue
        }
        var account: String?
        if let what = current("WhatId") {
            switch SalesforceIDs.objectName(forID: what) {
            case "Account": account = what
            case "Opportunity": account = tx.get("Opportunity", what)?.fields["AccountId"]?.stringValue
            default: break
            }
        }
        if account == nil, let who = current("WhoId"), SalesforceIDs.objectName(forID: who) == "Contact" {
            account = tx.get("Contact", who)?.fields["AccountId"]?.stringValue
        }
        values["AccountId"] = account.map { .string($0) } ?? .null
    }
}
