import ConcordHTTP

/// Per-field times from Salesforce field history.
///
/// Salesforce stamps a record with one time (`SystemModstamp`), so a field edited before a
/// later change of the same record (another field, or its delete) would carry the later
/// time. Field history tracking keeps one row per tracked field change, with the change's
/// time: `AccountHistory.AccountId`, `ContactHistory.ContactId`,
/// `OpportunityFieldHistory.OpportunityId`, `LeadHistory.LeadId`, `CaseHistory.CaseId`, and
/// `X__History.ParentId` for a custom object `X__c`. Read with `queryAll`, so a deleted
/// record's history is there too. A field without a row (not tracked, or not changed since the
/// record was created) gets no time here: the record's time stands for it, as before.
extension SalesforceConnector {
    /// Salesforce keeps field history for tracked fields of most objects.
    public nonisolated var hasFieldTimes: Bool { true }

    /// When each field's current value was set: the newest history row of that field (of a
    /// compound field, `BillingAddress`, for each of its parts), 200 records per query. An
    /// object without field history (Task, Event, or tracking not enabled) gives nothing.
    public func fieldTimes(object: String, ids: [String], fields: [String]) async throws(ConnectorError) -> [String: [String: UInt64]] {
        guard let (history, parent) = Self.historyObject(of: object), !withoutHistory.contains(history), !ids.isEmpty else { return [:] }
        try checkIdentifiers([object] + fields)
        let names = Set(fields + fields.compactMap { Self.compound(of: $0, in: object) })
        var out: [String: [String: UInt64]] = [:]
        for chunk in chunked(ids, size: 200) {
            let list = chunk.map(SalesforceWire.literal).joined(separator: ",")
            let fieldList = names.sorted().map(SalesforceWire.literal).joined(separator: ",")
            let soql = "SELECT \(parent), Field, CreatedDate FROM \(history) WHERE \(parent) IN (\(list)) AND Field IN (\(fieldList))"
                + " ORDER BY CreatedDate DESC"
            let rows: [ExactJSON]
            do { rows = try await queryAllPages(soql, all: true, kind: .history) } catch {
                if error.crmCode == "INVALID_TYPE" || error.crmCode == "INVALID_FIELD" {
                    // Field history is not enabled for this object in the org.
                    withoutHistory.insert(history)
                    return [:]
                }
                throw error
            }
            out.merge(Self.times(rows, parent: parent, object: object, names: names)) { a, _ in a }
        }
        return out.mapValues { $0.filter { fields.contains($0.key) } }.filter { !$0.value.isEmpty }
    }

    /// Per record and field, the time of the newest history row naming it (rows newest first;
    /// a compound field's row times each of its parts); rows that cannot be read are skipped.
    static func times(_ rows: [ExactJSON], parent: String, object: String, names: Set<String>) -> [String: [String: UInt64]] {
        var out: [String: [String: UInt64]] = [:]
        for row in rows {
            guard let id = row[parent]?.stringValue, let field = row["Field"]?.stringValue,
                  let at = row["CreatedDate"]?.stringValue.flatMap(WireTime.parse) else { continue }
            for name in parts(of: field, in: object) where names.contains(name) && out[id]?[name] == nil {
                out[id, default: [:]][name] = at  // newest first: the first row of a field is its current value's
            }
        }
        return out
    }

    /// The history object of `object` and the field naming the record, if it has one.
    static func historyObject(of object: String) -> (String, String)? {
        switch object {
        case "Account", "Contact", "Lead", "Case": return ("\(object)History", "\(object)Id")
        case "Opportunity": return ("OpportunityFieldHistory", "OpportunityId")
        default:
            guard object.hasSuffix("__c") else { return nil }
            return (String(object.dropLast(3)) + "__History", "ParentId")
        }
    }

    /// Compound fields history may name instead of their parts, by part prefix.
    static let compounds = ["Billing": "BillingAddress", "Shipping": "ShippingAddress", "Mailing": "MailingAddress",
                            "Other": "OtherAddress"]
    static let addressParts = ["Street", "City", "State", "PostalCode", "Country", "StateCode", "CountryCode"]

    /// A person's name parts, which history may name as one compound `Name`.
    static let nameParts = ["FirstName", "LastName", "MiddleName", "Salutation", "Suffix"]

    /// The compound field `field` is part of (`BillingCity` → `BillingAddress`), if any.
    static func compound(of field: String, in object: String) -> String? {
        if ["Contact", "Lead"].contains(object), nameParts.contains(field) { return "Name" }
        for (prefix, compound) in compounds where field.hasPrefix(prefix) && addressParts.contains(String(field.dropFirst(prefix.count))) {
            return compound
        }
        return nil
    }

    /// The fields a history row's `Field` stands for: a compound field's parts, or itself.
    static func parts(of field: String, in object: String) -> [String] {
        if field == "Name", ["Contact", "Lead"].contains(object) { return nameParts }
        guard let prefix = compounds.first(where: { $0.value == field })?.key else { return [field] }
        return addressParts.map { prefix + $0 }
    }
}
