/// sObject describe payloads.
enum SalesforceDescribe {
    static func summary(_ object: ObjectSchema, base: String) -> JSONValue {
        [
            "name": .string(object.name), "label": .string(object.label), "labelPlural": .string(object.label + "s"),
            "keyPrefix": .string(SalesforceSchema.prefixes[object.name] ?? ""), "custom": false,
            "createable": true, "updateable": true, "deletable": true, "queryable": true, "replicateable": true,
            "urls": ["sobject": .string("\(base)/sobjects/\(object.name)"), "describe": .string("\(base)/sobjects/\(object.name)/describe"),
                     "rowTemplate": .string("\(base)/sobjects/\(object.name)/{ID}")],
        ]
    }

    static func describe(_ object: ObjectSchema, base: String) -> JSONValue {
        guard case .object(var result) = summary(object, base: base) else { return .null }
        let defaults = SalesforceSchema.createDefaults[object.name] ?? [:]
        result["fields"] = .array(object.fields.map { field($0, defaultValue: defaults[$0.name]) })
        return .object(result)
    }

    private static func typeName(_ kind: FieldKind) -> String {
        switch kind {
        case .id: "id"
        case .string: "string"
        case .textArea: "textarea"
        case .email: "email"
        case .phone: "phone"
        case .url: "url"
        case .int: "int"
        case .double: "double"
        case .currency: "currency"
        case .bool: "boolean"
        case .date: "date"
        case .dateTime: "datetime"
        case .picklist: "picklist"
        case .multiPicklist: "multipicklist"
        case .reference: "reference"
        }
    }

    private static func field(_ field: FieldSchema, defaultValue: JSONValue?) -> JSONValue {
        [
            "name": .string(field.name), "label": .string(field.label), "type": .string(typeName(field.kind)),
            "length": .int(Int64(field.maxLength ?? (field.kind == .id || field.kind == .reference ? 18 : 0))),
            "nillable": .bool(!field.required && field.kind != .bool), "createable": .bool(!field.readOnly),
            "updateable": .bool(!field.readOnly && !field.createOnly), "externalId": .bool(field.unique), "unique": .bool(field.unique),
            "custom": .bool(field.name.hasSuffix("__c")), "restrictedPicklist": .bool(field.kind == .picklist && field.restricted),
            "defaultedOnCreate": .bool(field.readOnly || field.name == "OwnerId" || defaultValue != nil),
            "picklistValues": .array(field.options.map {
                ["value": .string($0.value), "label": .string($0.label), "active": true, "defaultValue": .bool(defaultValue?.stringValue == $0.value)]
            }),
            "referenceTo": .array(field.referenceTo.map { .string($0) }),
        ]
    }
}
