extension DataverseEmulator {
    /// Validates a request body Dataverse-style; returns values keyed by logical name
    /// (option sets as integers, lookups as `{id, type}`).
    func validate(_ body: JSONValue, entity: DataverseEntity, creating: Bool, tx: StoreTransaction) throws -> [String: JSONValue] {
        guard let input = body.objectValue else { throw DataverseError.badRequest("The request body is not a JSON object.") }
        var values: [String: JSONValue] = [:]
        for (key, value) in input {
            if key.hasSuffix("@odata.bind") {
                let navigation = String(key.dropLast("@odata.bind".count))
                guard let lookup = entity.lookups.first(where: { $0.navigation[navigation] != nil }), let target = lookup.navigation[navigation] else {
                    throw DataverseError.badRequest("An undeclared property '\(navigation)' which only has property annotations in the payload but no property value was found in the payload. In OData, only declared navigation properties and declared named streams can be represented as properties without values.")
                }
                if value.isNull { values[lookup.name] = .null; continue }
                guard let reference = value.stringValue, let (set, id) = Self.parseReference(reference),
                    let targetEntity = DataverseSchema.entity(set: set), targetEntity.logicalName == target
                else {
                    throw DataverseError.badRequest("Invalid @odata.bind value '\(value.textForm ?? "")' for \(navigation).", code: "0x80048d19")
                }
                guard tx.get(target, id) != nil else { throw DataverseError.notFound(target, id) }
                values[lookup.name] = ["id": .string(id), "type": .string(target)]
                if entity.logicalName == "annotation", lookup.name == "objectid" { values["objecttypecode"] = .string(target) }
                continue
            }
            if key.contains("@") { continue }
            guard let field = entity.fields.field(key), field.kind != .reference else {
                throw DataverseError.badRequest("The property '\(key)' does not exist on type 'Microsoft.Dynamics.CRM.\(entity.logicalName)'. Make sure to only use property names that are defined by the type.")
            }
            if field.readOnly { continue }
            values[key] = try check(value, field: field, entity: entity)
        }
        if creating {
            // Column defaults: records start active, activities at normal priority.
            for (name, value) in DataverseSchema.createDefaults where values[name] == nil && entity.fields.field(name) != nil { values[name] = value }
            for field in entity.fields.fields where field.required && (values[field.name] ?? .null).isNull {
                throw DataverseError(status: 400, code: "0x80040200", message: "Attribute '\(field.name)' cannot be NULL.")
            }
        } else {
            for field in entity.fields.fields where field.required && values[field.name] == .null {
                throw DataverseError(status: 400, code: "0x80040200", message: "Attribute '\(field.name)' cannot be NULL.")
            }
        }
        return values
    }

    private func check(_ value: JSONValue, field: FieldSchema, entity: DataverseEntity) throws -> JSONValue {
        if value.isNull { return .null }
        func typeError(_ edm: String) -> DataverseError {
            DataverseError.badRequest("Cannot convert the literal '\(value.textForm ?? "")' to the expected type '\(edm)'.", code: "0x0")
        }
        switch field.kind {
        case .string, .textArea, .email, .phone, .url, .id:
            guard let text = value.stringValue else { throw typeError("Edm.String") }
            if let max = field.maxLength, text.count > max {
                throw DataverseError(status: 400, code: "0x80044331", message: "A validation error occurred. The length of the '\(field.name)' attribute of the '\(entity.logicalName)' entity exceeded the maximum allowed length of '\(max)'.")
            }
            return .string(text)
        case .picklist, .multiPicklist:
            guard let code = value.intValue, value.stringValue == nil else { throw typeError("Edm.Int32") }
            guard field.options.contains(where: { Int64($0.code) == code }) else {
                throw DataverseError(status: 400, code: "0x8004431a", message: "A validation error occurred. The value \(code) of '\(field.name)' on record of type '\(entity.logicalName)' is outside the valid range. Accepted Values: \(field.options.map { String($0.code) }.joined(separator: ","))")
            }
            return .int(code)
        case .int:
            guard let n = value.intValue, value.stringValue == nil else { throw typeError("Edm.Int32") }
            return .int(n)
        case .double, .currency:
            guard let n = value.doubleValue, value.stringValue == nil else { throw typeError("Edm.Decimal") }
            return .double(n)
        case .bool:
            guard let b = value.boolValue else { throw typeError("Edm.Boolean") }
            return .bool(b)
        case .date:
            guard let text = value.stringValue, text.count == 10, let ms = Timestamps.parse(text) else { throw typeError("Edm.Date") }
            return .string(Timestamps.dateOnly(ms))
        case .dateTime:
            guard let text = value.stringValue, let ms = Timestamps.parse(text) else { throw typeError("Edm.DateTimeOffset") }
            return .string(Timestamps.isoSeconds(ms))
        case .reference:
            throw typeError("Edm.Guid")
        }
    }

    /// `/accounts(guid)`, `accounts(guid)` or an absolute URL -> ("accounts", guid).
    static func parseReference(_ text: String) -> (String, String)? {
        let last = text.split(separator: "/").last.map(String.init) ?? text
        let (set, key) = splitKey(last)
        guard let key, key.count == 36 else { return nil }
        return (set, key.lowercased())
    }

    /// Finds the id addressed by a key segment: a GUID or alternate key pairs `a='x',b=2`.
    func resolve(_ key: String, entity: DataverseEntity, tx: StoreTransaction) throws -> (id: String?, keyValues: [String: JSONValue]) {
        if key.count == 36, !key.contains("=") { return (key.lowercased(), [:]) }
        var pairs: [String: JSONValue] = [:]
        for part in key.split(separator: ",") {
            let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2, entity.alternateKeys.contains(kv[0]) else {
                throw DataverseError.badRequest("The key '\(key)' is not a valid alternate key of \(entity.logicalName).", code: "0x80060888")
            }
            let raw = kv[1]
            pairs[kv[0]] = raw.hasPrefix("'") ? .string(String(raw.dropFirst().dropLast()).replacingOccurrences(of: "''", with: "'")) : (Int64(raw).map { .int($0) } ?? .string(raw))
        }
        let candidates = pairs.min { $0.key < $1.key }.map { tx.lookup(entity.logicalName, field: $0.key, equals: $0.value) } ?? []
        let match = candidates.first { record in pairs.allSatisfy { record.fields[$0.key]?.textForm == $0.value.textForm } }
        return (match?.id, pairs)
    }
}
