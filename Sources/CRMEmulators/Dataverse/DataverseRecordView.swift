extension DataverseEmulator {
    static func etag(_ record: StoredRecord) -> String { "W/\"\(record.version)\"" }

    /// The `$select` columns of a request; a column the table does not have is a 400, as in Dataverse.
    static func selection(_ request: EmulatorRequest, entity: DataverseEntity) throws -> [String]? {
        guard let raw = request.queryValue("$select") else { return nil }
        let names = raw.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        for name in names {
            let lookup = name.hasPrefix("_") && name.hasSuffix("_value") ? String(name.dropFirst().dropLast("_value".count)) : nil
            let known = lookup.map { l in entity.lookups.contains { $0.name == l } } ?? (entity.fields.field(name).map { $0.kind != .reference } ?? false)
            guard known else {
                throw DataverseError.badRequest("Could not find a property named '\(name)' on type 'Microsoft.Dynamics.CRM.\(entity.logicalName)'.", code: "0x80060888")
            }
        }
        return names
    }

    /// A row as the Web API returns it; `select` limits the columns (etag and id always included).
    static func render(_ record: StoredRecord, entity: DataverseEntity, select: [String]?, annotations: DataverseAnnotations) -> [String: JSONValue] {
        RequestWrites.serve(record)
        var row: [String: JSONValue] = [:]
        for field in entity.fields.fields where field.kind != .reference {
            row[field.name] = record.fields[field.name] ?? .null
        }
        row[entity.primaryID] = .string(record.id)
        row["createdon"] = .string(Timestamps.isoSeconds(record.createdAt))
        row["modifiedon"] = .string(Timestamps.isoSeconds(record.modifiedAt))
        row["versionnumber"] = .int(record.version)
        if row["statecode"] == .null { row["statecode"] = 0 }
        if entity.logicalName == "contact" {
            let parts = [record.fields["firstname"]?.stringValue, record.fields["lastname"]?.stringValue].compactMap { $0 }
            row["fullname"] = .string(parts.joined(separator: " "))
        }
        row["_ownerid_value"] = .string(applicationUser)
        for lookup in entity.lookups {
            let value = record.fields[lookup.name]
            row["_\(lookup.name)_value"] = value?["id"] ?? .null
            guard let type = value?["type"]?.stringValue else { continue }
            if annotations.includes(DataverseAnnotations.lookupLogicalName) {
                row["_\(lookup.name)_value@\(DataverseAnnotations.lookupLogicalName)"] = .string(type)
            }
            if annotations.includes(DataverseAnnotations.associatedNavigationProperty) {
                let navigation = lookup.navigation.first { $0.value == type }?.key ?? lookup.name
                row["_\(lookup.name)_value@\(DataverseAnnotations.associatedNavigationProperty)"] = .string(navigation)
            }
        }
        if let select {
            let keep = Set(select + [entity.primaryID])
            row = row.filter { keep.contains($0.key) || keep.contains(String($0.key.split(separator: "@").first ?? "")) }
        }
        if annotations.includes(DataverseAnnotations.formattedValue) {
            for field in entity.fields.fields where field.kind == .picklist || field.kind == .bool || field.kind == .currency {
                guard let value = row[field.name], !value.isNull else { continue }
                let label: String
                switch field.kind {
                case .picklist: label = field.options.first { Int64($0.code) == value.intValue }?.label ?? ""
                case .bool: label = value.boolValue == true ? "Yes" : "No"
                default: label = "$" + (value.textForm ?? "")
                }
                row["\(field.name)@OData.Community.Display.V1.FormattedValue"] = .string(label)
            }
        }
        row["@odata.etag"] = .string(etag(record))
        return row
    }

    /// The `@odata.context` of a collection or entity.
    static func context(_ request: EmulatorRequest, entity: DataverseEntity, select: [String]?, suffix: String = "") -> String {
        let columns = select.map { "(\($0.joined(separator: ",")))" } ?? ""
        return "\(origin(request))\(apiRoot)/$metadata#\(entity.entitySet)\(columns)\(suffix)"
    }

    static func entityURL(_ request: EmulatorRequest, entity: DataverseEntity, id: String) -> String {
        "\(origin(request))\(apiRoot)/\(entity.entitySet)(\(id))"
    }
}
