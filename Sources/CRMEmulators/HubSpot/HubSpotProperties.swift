extension HubSpotEmulator {
    /// Built-in plus custom properties of a type.
    func schema(_ type: String) -> [FieldSchema] {
        HubSpotSchema.properties(type) + customProperties(type)
    }

    func customProperties(_ type: String) -> [FieldSchema] {
        (customDefinitions.withLock { $0[type] } ?? []).compactMap(Self.fieldSchema(from:))
    }

    /// Reloads the custom-property cache from the store (after restoring persisted state).
    public func reloadCustomProperties() {
        let extras = control.store.read { $0.extras }
        customDefinitions.withLock { cache in
            cache = [:]
            for type in HubSpotSchema.objectTypes { cache[type] = extras["hubspot.properties.\(type)"]?.arrayValue ?? [] }
        }
    }

    static func fieldSchema(from json: JSONValue) -> FieldSchema? {
        guard let name = json["name"]?.stringValue else { return nil }
        let kind = HubSpotSchema.kind(type: json["type"]?.stringValue ?? "string", fieldType: json["fieldType"]?.stringValue ?? "text")
        var field = FieldSchema(name, kind, label: json["label"]?.stringValue ?? name, unique: json["hasUniqueValue"]?.boolValue ?? false)
        field.options = (json["options"]?.arrayValue ?? []).compactMap { option in
            option["value"]?.stringValue.map { PicklistOption($0, label: option["label"]?.stringValue ?? $0) }
        }
        field.custom = true
        return field
    }

    /// The Property JSON of the properties API.
    func propertyJSON(_ field: FieldSchema, type: String) -> JSONValue {
        let (wireType, fieldType) = HubSpotSchema.wireType(field.kind)
        return [
            "name": .string(field.name), "label": .string(field.label), "type": .string(wireType), "fieldType": .string(fieldType),
            "description": "", "groupName": .string(type == "contacts" ? "contactinformation" : "\(String(type.dropLast()))information"),
            "options": .array(field.options.enumerated().map { index, option in
                ["label": .string(option.label), "value": .string(option.value), "displayOrder": .int(Int64(index)), "hidden": false]
            }),
            "displayOrder": -1, "calculated": false, "externalOptions": false, "hasUniqueValue": .bool(field.unique),
            "hidden": false, "formField": !field.readOnly ? true : false, "archived": false,
            "modificationMetadata": ["archivable": .bool(field.custom), "readOnlyDefinition": .bool(!field.custom), "readOnlyValue": .bool(field.readOnly)],
            "createdAt": "2024-01-01T00:00:00.000Z", "updatedAt": "2024-01-01T00:00:00.000Z",
        ]
    }
}
