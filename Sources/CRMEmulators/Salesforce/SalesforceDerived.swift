extension SalesforceEmulator {
    /// Sets the read-only fields Salesforce derives on activities: `AccountId` of a Task or Event,
    /// and `CompletedDateTime` of a Task when it is first closed.
    static func deriveActivity(_ values: inout [String: JSONValue], object: ObjectSchema, existing: StoredRecord?,
                               tx: StoreTransaction, now: Int64) {
        guard object.name == "Task" || object.name == "Event" else { return }
        if values["WhatId"] != nil || values["WhoId"] != nil || existing == nil {
            values["AccountId"] = account(what: values["WhatId"] ?? existing?.fields["WhatId"], who: values["WhoId"] ?? existing?.fields["WhoId"], tx: tx)
        }
        guard object.name == "Task", let status = values["Status"]?.stringValue else { return }
        let wasClosed = existing?.fields["Status"]?.stringValue == "Completed"
        if status == "Completed", !wasClosed {
            values["CompletedDateTime"] = .string(Timestamps.salesforce(now))
        } else if status != "Completed", wasClosed {
            values["CompletedDateTime"] = .null
        }
    }

    /// The account an activity belongs to: `WhatId` when it is an Account, that Opportunity's
    /// account, else the account of the contact in `WhoId`.
    static func account(what: JSONValue?, who: JSONValue?, tx: StoreTransaction) -> JSONValue {
        if let what = what?.stringValue {
            switch SalesforceIDs.objectName(forID: what) {
            case "Account": return .string(what)
            case "Opportunity":
                if let account = tx.get("Opportunity", what)?.fields["AccountId"], !account.isNull { return account }
            default: break
            }
        }
        if let who = who?.stringValue, SalesforceIDs.objectName(forID: who) == "Contact",
           let account = tx.get("Contact", who)?.fields["AccountId"], !account.isNull {
            return account
        }
        return .null
    }
}
