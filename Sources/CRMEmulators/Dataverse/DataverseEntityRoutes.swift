extension DataverseEmulator {
    /// `GET|PATCH|DELETE /{set}({key})` with ETags, upsert and alternate keys.
    func single(_ request: EmulatorRequest, entity: DataverseEntity, key: String) throws -> EmulatorResponse {
        let ifMatch = request.header("if-match")
        let ifNoneMatch = request.header("if-none-match")
        switch request.method {
        case "GET":
            let record = try control.store.view { tx -> StoredRecord? in
                return try resolve(key, entity: entity, tx: tx).id.flatMap { tx.get(entity.logicalName, $0) }
            }
            guard let record else { throw DataverseError.notFound(entity.logicalName, key) }
            let annotations = Self.annotations(request)
            if let ifNoneMatch, ifNoneMatch == Self.etag(record), annotations.isEmpty {
                return .empty(304, headers: [("ETag", Self.etag(record))])
            }
            let select = try Self.selection(request, entity: entity)
            var row = Self.render(record, entity: entity, select: select, annotations: annotations)
            row["@odata.context"] = .string(Self.context(request, entity: entity, select: select, suffix: "/$entity"))
            return .json(200, .object(row), headers: [("OData-Version", "4.0"), ("ETag", Self.etag(record))])
        case "PATCH":
            let body: JSONValue
            do { body = try request.jsonBody() } catch { throw DataverseError.badRequest("Invalid JSON.", code: "0x0") }
            let (record, created) = try control.store.transaction { tx -> (StoredRecord, Bool) in
                let (id, keyValues) = try resolve(key, entity: entity, tx: tx)
                let existing = id.flatMap { tx.get(entity.logicalName, $0) }
                if let ifMatch {
                    guard let existing else { throw DataverseError.notFound(entity.logicalName, id ?? key) }
                    if ifMatch != "*", ifMatch != Self.etag(existing) { throw DataverseError.versionMismatch }
                }
                if ifNoneMatch == "*", existing != nil { throw DataverseError.alreadyExists }
                if let existing {
                    let values = try validate(body, entity: entity, creating: false, tx: tx)
                    try checkKeys(values, entity: entity, except: existing.id, tx: tx)
                    return (try tx.update(entity.logicalName, id: existing.id, changes: values), false)
                }
                var values = try validate(body, entity: entity, creating: true, tx: tx)
                values.merge(keyValues) { new, _ in new }
                try checkKeys(values, entity: entity, except: nil, tx: tx)
                return (tx.create(entity.logicalName, id: id ?? newGUID(), fields: values), true)
            }
            return try written(request, entity: entity, record: record, created: created)
        case "DELETE":
            try control.store.transaction { tx in
                guard let id = try resolve(key, entity: entity, tx: tx).id, let existing = tx.get(entity.logicalName, id) else {
                    throw DataverseError.notFound(entity.logicalName, key)
                }
                if let ifMatch, ifMatch != "*", ifMatch != Self.etag(existing) { throw DataverseError.versionMismatch }
                try tx.delete(entity.logicalName, id: id)
            }
            return .empty(204, headers: [("OData-Version", "4.0")])
        default:
            throw DataverseError(status: 405, code: "0x80060888", message: "The requested resource does not support http method '\(request.method)'.")
        }
    }
}
