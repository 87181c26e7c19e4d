extension HubSpotEmulator {
    /// All property values of a record, system ones included, as strings.
    func allProperties(_ record: StoredRecord) -> [String: JSONValue] {
        var values = record.fields
        values["hs_object_id"] = .string(record.id)
        values["createdate"] = .string(Timestamps.isoMillis(record.createdAt))
        values[HubSpotSchema.modifiedProperty(record.type)] = .string(Timestamps.isoMillis(record.modifiedAt))
        if !record.mergedIds.isEmpty { values["hs_merged_object_ids"] = .string(record.mergedIds.joined(separator: ";")) }
        return values
    }

    /// SimplePublicObject JSON. Unknown names are silently ignored, as HubSpot does. Blank properties
    /// are left out: live HubSpot sends `null` for them, but its OpenAPI schema only allows strings.
    func render(_ record: StoredRecord, properties requested: [String], history: [String] = [], associations: [String] = []) -> JSONValue {
        RequestWrites.serve(record)
        let known = Set(schema(record.type).map(\.name))
        let values = allProperties(record)
        let names = requested.isEmpty ? HubSpotSchema.defaultProperties(record.type) : requested
        var properties: [String: JSONValue] = [:]
        for name in names where known.contains(name) { if let value = values[name] { properties[name] = value } }
        for name in HubSpotSchema.defaultProperties(record.type) where ["hs_object_id", "createdate", HubSpotSchema.modifiedProperty(record.type)].contains(name) {
            if let value = values[name] { properties[name] = value }
        }
        var body: [String: JSONValue] = [
            "id": .string(record.id), "properties": .object(properties),
            "createdAt": .string(Timestamps.isoMillis(record.createdAt)), "updatedAt": .string(Timestamps.isoMillis(record.modifiedAt)),
            "archived": .bool(record.isDeleted),
        ]
        if let deleted = record.deletedAt { body["archivedAt"] = .string(Timestamps.isoMillis(deleted)) }
        let historyNames = history.filter { known.contains($0) }
        if !historyNames.isEmpty {
            var result: [String: JSONValue] = [:]
            for name in historyNames {
                result[name] = .array((record.history[name] ?? []).map { entry in
                    [
                        "value": .string(entry.value.textForm ?? ""), "timestamp": .string(Timestamps.isoMillis(entry.timestamp)),
                        "sourceType": .string(entry.source == "SEED" ? "IMPORT" : entry.source), "sourceId": .string(entry.source == "API" ? "emulator-app" : "userId:1"),
                    ]
                })
            }
            body["propertiesWithHistory"] = .object(result)
        }
        if !associations.isEmpty {
            var result: [String: JSONValue] = [:]
            for target in associations {
                guard let toType = HubSpotSchema.objectType(target) else { continue }
                let links = associationLinks(fromType: record.type, fromID: record.id, toType: toType)
                if links.isEmpty { continue }
                let singular = String(toType.dropLast(toType == "companies" ? 3 : 1)) + (toType == "companies" ? "y" : "")
                let fromSingular = String(record.type.dropLast(record.type == "companies" ? 3 : 1)) + (record.type == "companies" ? "y" : "")
                result[toType] = ["results": .array(links.map { ["id": .string($0.id), "type": .string("\(fromSingular)_to_\(singular)")] })]
            }
            if !result.isEmpty { body["associations"] = .object(result) }
        }
        return .object(body)
    }

    /// Numeric order of HubSpot ids.
    static func idOrder(_ a: String, _ b: String) -> Bool { (Int64(a) ?? 0, a) < (Int64(b) ?? 0, b) }
}
