extension HubSpotEmulator {
    /// `/crm/v3/objects/{type}[/...]`.
    func objects(_ request: EmulatorRequest, rest: [String]) throws -> EmulatorResponse {
        guard let first = rest.first else { throw HubSpotError.notFound() }
        let type = try objectType(first)
        switch (request.method, rest.count) {
        case ("GET", 1): return try list(request, type: type)
        case ("POST", 1):
            let body = try json(request)
            let record = try control.store.transaction { tx in try create(body, type: type, tx: &tx) }
            return .json(201, render(record, properties: Array((body["properties"]?.objectValue ?? [:]).keys)))
        case ("POST", 2) where rest[1] == "search": return try search(request, type: type)
        case ("POST", 2) where rest[1] == "merge": return try merge(request, type: type)
        case ("POST", 3) where rest[1] == "batch": return try batch(request, type: type, operation: rest[2])
        case ("GET", 2):
            let archived = request.queryBool("archived")
            let idProperty = request.queryValue("idProperty")
            let record = control.store.view { tx -> StoredRecord? in
                if archived { return tx.get(type, rest[1], includeDeleted: true).flatMap { $0.isDeleted ? $0 : nil } }
                return find(type, id: rest[1], idProperty: idProperty, in: tx)
            }
            guard let record else { throw HubSpotError.notFound(rest[1]) }
            return .json(200, render(record, properties: request.queryList("properties"),
                                     history: request.queryList("propertiesWithHistory"), associations: request.queryList("associations")))
        case ("PATCH", 2):
            let body = try json(request)
            let record = try control.store.transaction { tx -> StoredRecord in
                guard let existing = find(type, id: rest[1], idProperty: request.queryValue("idProperty"), in: tx) else {
                    throw HubSpotError.notFound(rest[1])
                }
                let values = try validate(body["properties"], type: type, creating: false)
                try checkUnique(values, type: type, except: existing.id, in: tx)
                return try tx.update(type, id: existing.id, changes: values)
            }
            return .json(200, render(record, properties: Array((body["properties"]?.objectValue ?? [:]).keys)))
        case ("DELETE", 2):
            try control.store.transaction { tx in
                if tx.get(type, rest[1]) != nil { try tx.delete(type, id: rest[1]) }
            }
            return .empty(204)
        default:
            throw HubSpotError.notFound()
        }
    }

    func json(_ request: EmulatorRequest) throws -> JSONValue {
        do { return try request.jsonBody() } catch {
            throw HubSpotError.validation("Invalid input JSON on line 1, column 1: Cannot build request body, the JSON is malformed.")
        }
    }

    /// Validates and creates one record with its associations.
    func create(_ body: JSONValue, type: String, tx: inout StoreTransaction) throws -> StoredRecord {
        let values = try validate(body["properties"], type: type, creating: true)
        try checkUnique(values, type: type, except: nil, in: tx)
        let record = tx.create(type, id: newID(&tx), fields: values)
        for association in body["associations"]?.arrayValue ?? [] {
            guard let toID = association["to"]?["id"]?.textForm else { throw HubSpotError.validation("association is missing to.id") }
            let typeIDs = (association["types"]?.arrayValue ?? []).compactMap { $0["associationTypeId"]?.intValue }.map { Int($0) }
            guard let toType = HubSpotSchema.objectTypes.first(where: { to in typeIDs.contains { HubSpotAssociationTypes.isValid(from: type, to: to, typeID: $0) } }) else {
                throw HubSpotError.validation("invalid association type ids \(typeIDs)")
            }
            try associate(fromType: type, fromID: record.id, toType: toType, toID: toID, typeIDs: typeIDs, tx: &tx)
        }
        return record
    }

    private func list(_ request: EmulatorRequest, type: String) throws -> EmulatorResponse {
        let limit = Int(request.queryValue("limit") ?? "10") ?? 10
        guard (1...100).contains(limit) else { throw HubSpotError.validation("limit must be between 1 and 100", context: ["limit": [String(limit)]]) }
        let archived = request.queryBool("archived")
        let after = Int64(request.queryValue("after") ?? "") ?? 0
        let records = control.store.all(type, includeDeleted: archived)
            .filter { $0.isDeleted == archived && (Int64($0.id) ?? 0) >= after }
            .sorted { Self.idOrder($0.id, $1.id) }
        let properties = request.queryList("properties")
        let history = request.queryList("propertiesWithHistory")
        let pageSize = history.isEmpty ? limit : min(limit, 50)  // propertiesWithHistory lowers the page size
        let page = records.prefix(pageSize)
        let associations = request.queryList("associations")
        var body: [String: JSONValue] = ["results": .array(page.map { render($0, properties: properties, history: history, associations: associations) })]
        if records.count > pageSize, let next = records.dropFirst(pageSize).first {
            body["paging"] = ["next": ["after": .string(next.id), "link": .string("?after=\(next.id)")]]
        }
        return .json(200, .object(body))
    }

    private func merge(_ request: EmulatorRequest, type: String) throws -> EmulatorResponse {
        let body = try json(request)
        guard let primary = body["primaryObjectId"]?.textForm, let other = body["objectIdToMerge"]?.textForm else {
            throw HubSpotError.validation("primaryObjectId and objectIdToMerge are required")
        }
        guard primary != other else { throw HubSpotError.validation("Cannot merge an object with itself") }
        let record = try control.store.transaction { tx -> StoredRecord in
            guard tx.get(type, primary) != nil else { throw HubSpotError.notFound(primary) }
            guard tx.get(type, other) != nil else { throw HubSpotError.notFound(other) }
            moveAssociations(type: type, from: other, to: primary, tx: &tx)
            return try tx.merge(type, primaryID: primary, mergedID: other)
        }
        return .json(200, render(record, properties: []))
    }
}
