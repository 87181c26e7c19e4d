extension HubSpotEmulator {
    /// `/crm/v3/properties/{type}[/{name}]`: list, read, create, update and archive custom properties.
    func propertiesRoute(_ request: EmulatorRequest, rest: [String]) throws -> EmulatorResponse {
        guard let first = rest.first else { throw HubSpotError.notFound() }
        let type = try objectType(first)
        let key = "hubspot.properties.\(type)"
        switch (request.method, rest.count) {
        case ("GET", 1):
            return .json(200, ["results": .array(schema(type).map { propertyJSON($0, type: type) })])
        case ("GET", 2):
            guard let field = schema(type).first(where: { $0.name == rest[1] }) else { throw HubSpotError.notFound(rest[1]) }
            return .json(200, propertyJSON(field, type: type))
        case ("POST", 1):
            let body = try json(request)
            for required in ["name", "label", "type", "fieldType", "groupName"] where body[required]?.stringValue == nil {
                throw HubSpotError.validation("Invalid input JSON: missing required field \(required)", context: ["field": [required]])
            }
            let name = body["name"]?.stringValue ?? ""
            guard name == name.lowercased(), name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw HubSpotError.validation("Property name \(name) is invalid: use lowercase letters, digits and underscores")
            }
            guard ["string", "number", "date", "datetime", "enumeration", "bool"].contains(body["type"]?.stringValue ?? "") else {
                throw HubSpotError.validation("Invalid property type \(body["type"]?.stringValue ?? "")")
            }
            guard !schema(type).contains(where: { $0.name == name }) else {
                throw HubSpotError(status: 409, category: "OBJECT_ALREADY_EXISTS", message: "A property named '\(name)' already exists.")
            }
            control.store.transaction { tx in
                var list = tx.extras[key]?.arrayValue ?? []
                list.append(body)
                tx.extras[key] = .array(list)
                customDefinitions.withLock { $0[type] = list }
            }
            guard let field = Self.fieldSchema(from: body) else { throw HubSpotError.validation("bad property") }
            return .json(201, propertyJSON(field, type: type))
        case ("PATCH", 2):
            let body = try json(request)
            let updated = try control.store.transaction { tx -> JSONValue in
                var list = tx.extras[key]?.arrayValue ?? []
                guard let index = list.firstIndex(where: { $0["name"]?.stringValue == rest[1] }), case .object(var definition) = list[index] else {
                    throw HubSpotError.notFound(rest[1])
                }
                for (k, v) in body.objectValue ?? [:] where k != "name" { definition[k] = v }
                list[index] = .object(definition)
                tx.extras[key] = .array(list)
                customDefinitions.withLock { $0[type] = list }
                return .object(definition)
            }
            guard let field = Self.fieldSchema(from: updated) else { throw HubSpotError.notFound(rest[1]) }
            return .json(200, propertyJSON(field, type: type))
        case ("DELETE", 2):
            try control.store.transaction { tx in
                let list = tx.extras[key]?.arrayValue ?? []
                guard list.contains(where: { $0["name"]?.stringValue == rest[1] }) else {
                    if rest[1] == HubSpotSchema.concordID.name {
                        // Limitation: the installed Concord property is part of the emulator's fixed schema.
                        throw HubSpotError.validation("\(rest[1]) is installed for Concord in this emulator and cannot be archived")
                    }
                    throw HubSpotError.validation("\(rest[1]) is a HubSpot-defined property and cannot be archived")
                }
                let kept = list.filter { $0["name"]?.stringValue != rest[1] }
                tx.extras[key] = .array(kept)
                customDefinitions.withLock { $0[type] = kept }
            }
            return .empty(204)
        default:
            throw HubSpotError.notFound()
        }
    }

    /// `GET /crm/v3/pipelines/deals`: the default sales pipeline.
    func pipelines(_ request: EmulatorRequest, rest: [String]) -> EmulatorResponse {
        let stages = HubSpotSchema.dealStages.enumerated().map { index, stage -> JSONValue in
            let closed = stage.value.hasPrefix("closed")
            let probability = stage.value == "closedwon" ? "1.0" : closed ? "0.0" : String(Double(index + 2) / 10)
            return ["id": .string(stage.value), "label": .string(stage.label), "displayOrder": .int(Int64(index)),
                    "metadata": ["isClosed": .string(closed ? "true" : "false"), "probability": .string(probability)],
                    "archived": false, "createdAt": "2024-01-01T00:00:00.000Z", "updatedAt": "2024-01-01T00:00:00.000Z"]
        }
        let pipeline: JSONValue = ["id": "default", "label": "Sales Pipeline", "displayOrder": 0, "archived": false, "stages": .array(stages),
                                   "createdAt": "2024-01-01T00:00:00.000Z", "updatedAt": "2024-01-01T00:00:00.000Z"]
        guard rest.count >= 2 else { return .json(200, ["results": rest.first == "deals" ? [pipeline] : []]) }
        guard rest[0] == "deals", rest[1] == "default" else { return HubSpotError.notFound(rest[1]).response }
        switch rest.count {
        case 2: return .json(200, pipeline)
        case 3 where rest[2] == "stages": return .json(200, ["results": .array(stages)])
        case 4 where rest[2] == "stages":
            guard let stage = stages.first(where: { $0["id"]?.stringValue == rest[3] }) else { return HubSpotError.notFound(rest[3]).response }
            return .json(200, stage)
        default: return HubSpotError.notFound().response
        }
    }
}
