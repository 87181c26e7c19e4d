extension SalesforceEmulator {
    /// All fields of a record as the REST API shows them, keyed by canonical API name.
    static func fullFields(_ record: StoredRecord) -> [String: JSONValue] {
        var fields = record.fields
        fields["Id"] = .string(record.id)
        fields["IsDeleted"] = .bool(record.isDeleted)
        fields["CreatedDate"] = .string(Timestamps.salesforce(record.createdAt))
        fields["LastModifiedDate"] = .string(Timestamps.salesforce(record.modifiedAt))
        fields["SystemModstamp"] = .string(Timestamps.salesforce(record.modifiedAt))
        fields["CreatedById"] = .string(fields["OwnerId"]?.stringValue ?? defaultUser)
        fields["LastModifiedById"] = fields["CreatedById"]
        if fields["OwnerId"] == nil { fields["OwnerId"] = .string(defaultUser) }
        switch record.type {
        case "Contact":
            let name = [record.fields["FirstName"]?.stringValue, record.fields["LastName"]?.stringValue].compactMap { $0 }
            fields["Name"] = .string(name.joined(separator: " "))
        case "Opportunity":
            let stage = record.fields["StageName"]?.stringValue ?? ""
            fields["IsClosed"] = .bool(stage.hasPrefix("Closed"))
            fields["IsWon"] = .bool(stage == "Closed Won")
        case "Task":
            fields["IsClosed"] = .bool(record.fields["Status"]?.stringValue == "Completed")
        default: break
        }
        return fields
    }

    static let defaultUser = "0055g0000000001AAA"

    /// Resolves requested field names against the schema; throws INVALID_FIELD for unknown ones.
    static func resolveFields(_ names: [String], object: ObjectSchema) throws -> [String] {
        try names.map { name in
            guard let field = object.fieldIgnoringCase(name) else {
                throw SalesforceError(status: 400, code: "INVALID_FIELD", message: "No such column '\(name)' on entity '\(object.name)'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name.")
            }
            return field.name
        }
    }

    /// Record JSON with `attributes` and the given (canonical) fields; all fields when nil.
    static func render(_ record: StoredRecord, base: String, fields: [String]?) -> JSONValue {
        RequestWrites.serve(record)
        let all = fullFields(record)
        var out: [String: JSONValue] = [:]
        if let fields {
            for name in fields { out[name] = all[name] ?? .null }
        } else if let schema = SalesforceSchema.objects[record.type] {
            for field in schema.fields { out[field.name] = all[field.name] ?? .null }
        }
        out["attributes"] = ["type": .string(record.type), "url": .string("\(base)/sobjects/\(record.type)/\(record.id)")]
        return .object(out)
    }
}
