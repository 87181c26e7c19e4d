/// Salesforce-style input validation of an sObject body.
enum SalesforceValidation {
    /// Checks `body` for `object` and returns the values keyed by canonical field name.
    /// - Parameters:
    ///   - existing: the record being updated (nil on create).
    ///   - lookup: tells whether a referenced id exists.
    static func validate(_ body: JSONValue, object: ObjectSchema, existing: StoredRecord?,
                         lookup: (String) -> Bool) throws -> [String: JSONValue] {
        guard let input = body.objectValue else {
            throw SalesforceError.badRequest("Json Deserialization failed on token 'null' and has left off in the middle of parsing a row.")
        }
        var values: [String: JSONValue] = [:]
        for (key, value) in input where key != "attributes" {
            guard let field = object.fieldIgnoringCase(key) else {
                throw SalesforceError(status: 400, code: "INVALID_FIELD", message: "No such column '\(key)' on sobject of type \(object.name)", fields: [key])
            }
            if (field.readOnly && (field.name != "Id" || existing == nil)) || (field.createOnly && existing != nil) {
                throw SalesforceError(status: 400, code: "INVALID_FIELD_FOR_INSERT_UPDATE", message: "Unable to create/update fields: \(field.name). Please check the security settings of this field and verify that it is read/write for your profile or permission set.", fields: [field.name])
            }
            if field.name == "Id" { continue }
            values[field.name] = try check(value, field: field, lookup: lookup)
        }
        if existing == nil {
            // Picklists with a default value are filled on create when omitted (Task Status and Priority).
            for (name, value) in SalesforceSchema.createDefaults[object.name] ?? [:] where values[name] == nil { values[name] = value }
        }
        let missing = object.fields.filter { field in
            guard field.required else { return false }
            let value = values[field.name] ?? (existing == nil ? nil : existing?.fields[field.name])
            return value == nil || value == .null || value == ""
        }.map(\.name)
        if !missing.isEmpty {
            throw SalesforceError(status: 400, code: "REQUIRED_FIELD_MISSING", message: "Required fields are missing: [\(missing.joined(separator: ", "))]", fields: missing)
        }
        return values
    }

    private static func check(_ value: JSONValue, field: FieldSchema, lookup: (String) -> Bool) throws -> JSONValue {
        if value.isNull { return .null }
        func typeError() -> SalesforceError {
            SalesforceError(status: 400, code: "JSON_PARSER_ERROR", message: "Cannot deserialize instance of \(field.kind.rawValue) from \(value.serialized()) for field \(field.name)", fields: [field.name])
        }
        switch field.kind {
        case .string, .textArea, .email, .phone, .url, .picklist, .multiPicklist:
            guard let text = value.stringValue ?? value.textForm, !(value.objectValue != nil || value.arrayValue != nil) else { throw typeError() }
            if let max = field.maxLength, text.count > max {
                throw SalesforceError(status: 400, code: "STRING_TOO_LONG", message: "\(field.label): data value too large: \(text.prefix(40)) (max length=\(max))", fields: [field.name])
            }
            if field.kind == .email, !text.isEmpty, !(text.contains("@") && text.split(separator: "@").count == 2 && !text.contains(" ")) {
                throw SalesforceError(status: 400, code: "INVALID_EMAIL_ADDRESS", message: "\(field.label): invalid email address: \(text)", fields: [field.name])
            }
            if field.kind == .picklist, field.restricted, !field.options.contains(where: { $0.value == text }) {
                throw SalesforceError(status: 400, code: "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", message: "\(field.label): bad value for restricted picklist field: \(text)", fields: [field.name])
            }
            return .string(text)
        case .int:
            guard let n = value.intValue else { throw typeError() }
            return .int(n)
        case .double, .currency:
            guard let n = value.doubleValue else { throw typeError() }
            return .double(n)
        case .bool:
            guard let b = value.boolValue else { throw typeError() }
            return .bool(b)
        case .date:
            guard let text = value.stringValue, text.count == 10, let ms = Timestamps.parse(text) else { throw typeError() }
            return .string(Timestamps.dateOnly(ms))
        case .dateTime:
            guard let text = value.stringValue, let ms = Timestamps.parse(text) else { throw typeError() }
            return .string(Timestamps.salesforce(ms))
        case .reference, .id:
            guard let text = value.stringValue, let id = SalesforceIDs.normalise(text) else {
                throw SalesforceError(status: 400, code: "MALFORMED_ID", message: "\(field.label): id value of incorrect type: \(value.textForm ?? "")", fields: [field.name])
            }
            if field.name != "OwnerId", !lookup(id) {
                throw SalesforceError(status: 400, code: "INVALID_CROSS_REFERENCE_KEY", message: "invalid cross reference id", fields: [field.name])
            }
            return .string(id)
        }
    }
}
