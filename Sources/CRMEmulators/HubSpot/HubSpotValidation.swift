extension HubSpotEmulator {
    /// Validates a `properties` map HubSpot-style and returns the values to store (strings; null clears).
    func validate(_ input: JSONValue?, type: String, creating: Bool) throws -> [String: JSONValue] {
        let fields = schema(type)
        guard let properties = input?.objectValue ?? (input == nil ? [:] : nil) else {
            throw HubSpotError.validation("Invalid input JSON on line 1: properties must be an object")
        }
        var values: [String: JSONValue] = [:]
        for (name, raw) in properties {
            guard let field = fields.first(where: { $0.name == name }) else {
                throw HubSpotError.invalidProperty(name, code: "PROPERTY_DOESNT_EXIST", message: "Property \"\(name)\" does not exist")
            }
            if field.readOnly {
                throw HubSpotError.invalidProperty(name, code: "READ_ONLY_VALUE", message: "\(name) is a read only property; its value cannot be set.")
            }
            guard let text = raw.textForm, !text.isEmpty else { values[name] = .null; continue }
            values[name] = .string(try check(text, field: field))
        }
        if creating {
            for field in fields where field.required && values[field.name] == nil {
                throw HubSpotError.invalidProperty(field.name, code: "REQUIRED_PROPERTY", message: "\(field.name) is required")
            }
            if type == "deals", values["pipeline"] == nil { values["pipeline"] = "default" }
        }
        return values
    }

    private func check(_ text: String, field: FieldSchema) throws -> String {
        switch field.kind {
        case .int, .double, .currency:
            guard Double(text) != nil else {
                throw HubSpotError.invalidProperty(field.name, code: "INVALID_DECIMAL", message: "\(text) was not a valid number.")
            }
        case .bool:
            guard text == "true" || text == "false" else {
                throw HubSpotError.invalidProperty(field.name, code: "INVALID_BOOLEAN", message: "\(text) was not a valid boolean.")
            }
        case .date, .dateTime:
            guard let ms = Timestamps.parse(text) else {
                throw HubSpotError.invalidProperty(field.name, code: "INVALID_DATE", message: "\(text) was not a valid date.")
            }
            if field.kind == .date, ms % 86_400_000 != 0 {
                throw HubSpotError.invalidProperty(field.name, code: "INVALID_DATE", message: "\(text) is not a valid date value. Date values must be at midnight UTC.")
            }
            return field.kind == .date ? Timestamps.dateOnly(ms) : Timestamps.isoMillis(ms)
        case .email:
            let parts = text.split(separator: "@")
            guard parts.count == 2, parts[1].contains("."), !text.contains(" ") else {
                throw HubSpotError.invalidProperty(field.name, code: "INVALID_EMAIL", message: "Email address \(text) is invalid")
            }
        case .picklist, .multiPicklist:
            let chosen = field.kind == .multiPicklist ? text.split(separator: ";").map(String.init) : [text]
            for value in chosen where !field.options.contains(where: { $0.value == value }) {
                throw HubSpotError.invalidProperty(field.name, code: "INVALID_OPTION", message: "\(value) was not one of the allowed options: [\(field.options.map { $0.value }.joined(separator: ", "))]")
            }
        default:
            if text.count > 65_536 {
                throw HubSpotError.invalidProperty(field.name, code: "INVALID_LENGTH", message: "Property value is too long (max 65536 characters).")
            }
        }
        return text
    }

    /// Finds a live record by id or by a unique property (`idProperty`).
    func find(_ type: String, id: String, idProperty: String?, in tx: StoreTransaction) -> StoredRecord? {
        guard let idProperty, idProperty != "hs_object_id" else { return tx.get(type, id) }
        return tx.lookup(type, field: idProperty, equals: .string(id), folding: .caseInsensitive).first { $0.fields[idProperty]?.stringValue?.lowercased() == id.lowercased() }
    }

    /// 409 when a unique property value (contact email) is taken by another record.
    func checkUnique(_ values: [String: JSONValue], type: String, except id: String?, in tx: StoreTransaction) throws {
        for field in schema(type) where field.unique {
            guard let value = values[field.name]?.stringValue?.lowercased() else { continue }
            if let other = tx.lookup(type, field: field.name, equals: .string(value), folding: .caseInsensitive)
                .first(where: { $0.id != id && $0.fields[field.name]?.stringValue?.lowercased() == value }) {
                let what = type == "contacts" ? "Contact" : "Object"
                throw HubSpotError(status: 409, category: "CONFLICT", message: "\(what) already exists. Existing ID: \(other.id)")
            }
        }
    }
}
