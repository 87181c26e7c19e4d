private struct RolledBack: Error {}

extension SalesforceEmulator {
    /// `/composite/sobjects[...]`: create, update, upsert, delete and retrieve up to 200 records.
    func collections(_ request: EmulatorRequest, base: String, rest: [String]) throws -> EmulatorResponse {
        switch (request.method, rest.count) {
        case ("GET", 1):
            let object = try Self.schema(rest[0])
            let ids = request.queryList("ids")
            try checkCount(ids.count)
            let fields = try Self.resolveFields(request.queryList("fields"), object: object)
            return .json(200, .array(ids.map { id in
                SalesforceIDs.normalise(id).flatMap { control.store.get(object.name, $0) }.map { Self.render($0, base: base, fields: fields) } ?? .null
            }))
        case ("DELETE", 0):
            let ids = request.queryList("ids")
            try checkCount(ids.count)
            return .json(200, .array(run(ids, allOrNone: request.queryBool("allOrNone")) { id, tx in
                guard let type = SalesforceIDs.normalise(id).flatMap(SalesforceIDs.objectName(forID:)) else {
                    throw SalesforceError(status: 400, code: "MALFORMED_ID", message: "malformed id \(id)")
                }
                try delete(try Self.schema(type), id: id, tx: &tx)
                return (SalesforceIDs.normalise(id) ?? id, nil)
            }))
        case ("POST", 0), ("PATCH", 0):
            let body = try parseBody(request)
            let records = body["records"]?.arrayValue ?? []
            try checkCount(records.count)
            let creating = request.method == "POST"
            return .json(200, .array(run(records, allOrNone: body["allOrNone"]?.boolValue ?? false) { record, tx in
                guard let type = record["attributes"]?["type"]?.stringValue else {
                    throw SalesforceError(status: 400, code: "INVALID_TYPE", message: "Must send a concrete entity type.")
                }
                let object = try Self.schema(type)
                if creating { return (try create(object, body: record, tx: &tx).id, nil) }
                guard let id = record["Id"]?.stringValue ?? record["id"]?.stringValue else {
                    throw SalesforceError(status: 400, code: "MISSING_ARGUMENT", message: "Id not specified in an update call", fields: ["Id"])
                }
                var fields = record.objectValue ?? [:]
                fields.removeValue(forKey: "Id")
                fields.removeValue(forKey: "id")
                return (try update(object, id: id, body: .object(fields), tx: &tx).id, nil)
            }))
        case ("PATCH", 2):
            let object = try Self.schema(rest[0])
            let body = try parseBody(request)
            let records = body["records"]?.arrayValue ?? []
            try checkCount(records.count)
            let field = rest[1]
            return .json(200, .array(run(records, allOrNone: body["allOrNone"]?.boolValue ?? false) { record, tx in
                guard let key = record.objectValue?.first(where: { $0.key.lowercased() == field.lowercased() })?.value.textForm else {
                    throw SalesforceError(status: 400, code: "MISSING_ARGUMENT", message: "\(field) not specified", fields: [field])
                }
                let (saved, created) = try upsert(object, field: field, value: key, body: record, base: base, tx: &tx)
                return (saved.id, created)
            }))
        default:
            throw SalesforceError(status: 405, code: "METHOD_NOT_ALLOWED", message: "HTTP Method '\(request.method)' not allowed.")
        }
    }

    private func checkCount(_ count: Int) throws {
        if count > 200 {
            throw SalesforceError(status: 400, code: "EXCEEDED_ID_LIMIT", message: "record limit reached. cannot submit more than 200 records into this call")
        }
    }

    /// Runs `op` per item: one transaction per item, or one for all with `allOrNone`.
    private func run<T>(_ items: [T], allOrNone: Bool, _ op: (T, inout StoreTransaction) throws -> (String, Bool?)) -> [JSONValue] {
        func result(_ outcome: Result<(String, Bool?), SalesforceError>) -> JSONValue {
            switch outcome {
            case .success(let (id, created)):
                var item: [String: JSONValue] = ["id": .string(id), "success": true, "errors": []]
                if let created { item["created"] = .bool(created) }
                return .object(item)
            case .failure(let error):
                return ["success": false, "errors": [error.collectionJSON]]
            }
        }
        func attempt(_ item: T, _ tx: inout StoreTransaction) -> Result<(String, Bool?), SalesforceError> {
            if control.failBatchItem() {
                return .failure(SalesforceError(status: 400, code: "UNABLE_TO_LOCK_ROW", message: "unable to obtain exclusive access to this record or 1 records"))
            }
            do { return .success(try op(item, &tx)) } catch let error as SalesforceError {
                return .failure(error)
            } catch {
                return .failure(SalesforceError(status: 500, code: "UNKNOWN_EXCEPTION", message: "\(error)"))
            }
        }
        if !allOrNone {
            return items.map { item in
                var outcome: Result<(String, Bool?), SalesforceError> = .failure(SalesforceError.notFound())
                try? control.store.transaction { tx in
                    outcome = attempt(item, &tx)
                    if case .failure = outcome { throw RolledBack() }
                }
                return result(outcome)
            }
        }
        var outcomes: [Result<(String, Bool?), SalesforceError>] = []
        try? control.store.transaction { tx in
            for item in items { outcomes.append(attempt(item, &tx)) }
            if outcomes.contains(where: { if case .failure = $0 { true } else { false } }) { throw RolledBack() }
        }
        guard outcomes.contains(where: { if case .failure = $0 { true } else { false } }) else { return outcomes.map(result) }
        return outcomes.map { outcome in
            if case .failure = outcome { return result(outcome) }
            return result(.failure(SalesforceError(status: 400, code: "ALL_OR_NONE_OPERATION_ROLLED_BACK", message: "Record rolled back because not all records were valid and the request was using AllOrNone header")))
        }
    }
}
