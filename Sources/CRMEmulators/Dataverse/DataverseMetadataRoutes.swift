extension DataverseEmulator {
    static func entityDefinition(_ entity: DataverseEntity) -> [String: JSONValue] {
        [
            "LogicalName": .string(entity.logicalName), "EntitySetName": .string(entity.entitySet), "SchemaName": .string(entity.schemaName),
            "PrimaryIdAttribute": .string(entity.primaryID), "PrimaryNameAttribute": .string(entity.primaryName),
            "MetadataId": .string("00000000-0000-0000-0000-\(String(repeating: "0", count: 12 - min(12, entity.logicalName.count)))\(entity.logicalName.prefix(12).utf8.map { String($0 % 10) }.joined())"),
            "CanCreateAttributes": ["Value": .bool(!entity.alternateKeys.isEmpty)], "ChangeTrackingEnabled": true, "IsOptimisticConcurrencyEnabled": true, "IsActivity": .bool(entity.primaryID == "activityid"),
            "ObjectTypeCode": .int(Int64(DataverseSchema.entities.firstIndex { $0.logicalName == entity.logicalName } ?? 0) + 1),
        ]
    }

    /// `EntityKeyMetadata` of the alternate keys: one single-column key per alternate key column.
    static func keys(_ entity: DataverseEntity) -> [JSONValue] {
        entity.alternateKeys.map { column in
            [
                "LogicalName": .string("\(column)_key"), "SchemaName": .string("\(column)_key"),
                "EntityLogicalName": .string(entity.logicalName), "KeyAttributes": [.string(column)],
                "EntityKeyIndexStatus": "Active", "IsCustomizable": ["Value": true],
                "DisplayName": ["UserLocalizedLabel": ["Label": .string((entity.fields.field(column)?.label ?? column) + " Key")]],
            ]
        }
    }

    static func attributeType(_ kind: FieldKind) -> String {
        switch kind {
        case .id: "Uniqueidentifier"
        case .string, .email, .phone, .url: "String"
        case .textArea: "Memo"
        case .int: "Integer"
        case .double: "Decimal"
        case .currency: "Money"
        case .bool: "Boolean"
        case .date, .dateTime: "DateTime"
        case .picklist, .multiPicklist: "Picklist"
        case .reference: "Lookup"
        }
    }

    static func attribute(_ field: FieldSchema) -> [String: JSONValue] {
        var result: [String: JSONValue] = [
            "LogicalName": .string(field.name), "SchemaName": .string(field.name), "AttributeType": .string(attributeType(field.kind)),
            "DisplayName": ["UserLocalizedLabel": ["Label": .string(field.label)]],
            "RequiredLevel": ["Value": .string(field.required ? "ApplicationRequired" : "None")],
            "IsValidForCreate": .bool(!field.readOnly), "IsValidForUpdate": .bool(!field.readOnly), "IsCustomAttribute": .bool(field.name.hasPrefix("new_")),
        ]
        if let max = field.maxLength { result["MaxLength"] = .int(Int64(max)) }
        if !field.referenceTo.isEmpty { result["Targets"] = .array(field.referenceTo.map { .string($0) }) }
        if field.kind == .picklist {
            result["OptionSet"] = ["Options": .array(field.options.map { ["Value": .int(Int64($0.code)), "Label": ["UserLocalizedLabel": ["Label": .string($0.label)]]] })]
        }
        return result
    }

    /// `EntityDefinitions[...]`, `EntityDefinitions(LogicalName='x')[/Attributes[/Microsoft.Dynamics.CRM.PicklistAttributeMetadata]]`.
    func metadata(_ request: EmulatorRequest, key: String?, rest: [String]) throws -> EmulatorResponse {
        let context = "\(Self.origin(request))\(Self.apiRoot)/$metadata#EntityDefinitions"
        guard let key else {
            var rows = DataverseSchema.entities.map(Self.entityDefinition)
            if let filter = request.queryValue("$filter") {
                let expression = try ODataFilterParser.parse(filter)
                rows = rows.filter { ODataFilterEvaluator.matches(expression, $0) }
            }
            return .json(200, ["@odata.context": .string(context), "value": .array(rows.map { .object($0) })])
        }
        let name = key.replacingOccurrences(of: "LogicalName=", with: "").replacingOccurrences(of: "'", with: "")
        guard let entity = DataverseSchema.entity(logicalName: name) else {
            throw DataverseError(status: 404, code: "0x80040217", message: "Could not find entity with name '\(name)'.")
        }
        guard let first = rest.first else {
            var row = Self.entityDefinition(entity)
            row["@odata.context"] = .string(context + "/$entity")
            if request.queryValue("$expand")?.split(separator: ",").contains("Keys") == true { row["Keys"] = .array(Self.keys(entity)) }
            return .json(200, .object(row))
        }
        let (segment, attributeKey) = Self.splitKey(first)
        if segment == "Keys", attributeKey == nil {
            return .json(200, ["@odata.context": .string(context + "('\(entity.logicalName)')/Keys"), "value": .array(Self.keys(entity))])
        }
        guard segment == "Attributes" else { throw DataverseError(status: 404, code: "0x80060888", message: "Resource not found for the segment '\(segment)'.") }
        var fields = entity.fields.fields
        if let attributeKey {
            let attributeName = attributeKey.replacingOccurrences(of: "LogicalName=", with: "").replacingOccurrences(of: "'", with: "")
            guard let field = entity.fields.field(attributeName) else { throw DataverseError(status: 404, code: "0x80040217", message: "Could not find attribute '\(attributeName)'.") }
            return .json(200, .object(Self.attribute(field)))
        }
        if rest.count > 1, rest[1].hasSuffix("PicklistAttributeMetadata") { fields = fields.filter { $0.kind == .picklist } }
        return .json(200, ["@odata.context": .string(context + "('\(entity.logicalName)')/Attributes"), "value": .array(fields.map { .object(Self.attribute($0)) })])
    }
}
