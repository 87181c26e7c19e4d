extension SalesforceEmulator {
    /// `/sobjects[/...]`: describe, rows, external-id upsert, getUpdated/getDeleted.
    func sobjects(_ request: EmulatorRequest, base: String, rest: [String]) throws -> EmulatorResponse {
        guard let typeName = rest.first else {
            guard request.method == "GET" else { throw SalesforceError(status: 405, code: "METHOD_NOT_ALLOWED", message: "HTTP Method '\(request.method)' not allowed. Allowed are GET") }
            return describeGlobal(base: base)
        }
        let object = try Self.schema(typeName)
        let store = control.store
        switch (request.method, rest.count) {
        case ("GET", 1):
            return .json(200, ["objectDescribe": SalesforceDescribe.summary(object, base: base), "recentItems": []])
        case ("POST", 1):
            let body = try parseBody(request)
            let record = try store.transaction { tx in try create(object, body: body, tx: &tx) }
            return .json(201, ["id": .string(record.id), "success": true, "errors": []])
        case ("GET", 2) where rest[1] == "describe":
            return .json(200, SalesforceDescribe.describe(object, base: base))
        case ("GET", 2) where rest[1] == "updated" || rest[1] == "deleted":
            return try replication(request, object: object, deleted: rest[1] == "deleted")
        case ("GET", 2):
            guard let id = SalesforceIDs.normalise(rest[1]), let record = store.get(object.name, id) else {
                throw SalesforceError.notFound()
            }
            if let notModified = try SalesforceConditional.checkRead(request, record) { return notModified }
            let fields = try request.queryValue("fields").map { try Self.resolveFields($0.split(separator: ",").map(String.init), object: object) }
            let etag: [(String, String)] = record.type == "Account" ? [("ETag", SalesforceConditional.etag(record))] : []
            return .json(200, Self.render(record, base: base, fields: fields), headers: etag)
        case ("PATCH", 2):
            let body = try parseBody(request)
            let updated = try store.transaction { tx -> StoredRecord in
                if let id = SalesforceIDs.normalise(rest[1]), let current = tx.get(object.name, id) {
                    try SalesforceConditional.checkWrite(request, current)
                }
                return try update(object, id: rest[1], body: body, tx: &tx)
            }
            return .empty(204, headers: updated.type == "Account" ? [("ETag", SalesforceConditional.etag(updated))] : [])
        case ("DELETE", 2):
            try store.transaction { tx in try delete(object, id: rest[1], tx: &tx) }
            return .empty(204)
        case ("GET", 3):
            let field = try Self.resolveFields([rest[1]], object: object)[0]
            let matches = field == "Id" ? store.get(object.name, rest[2]).map { [$0] } ?? [] : store.lookup(object.name, field: field, equals: .string(rest[2]))
            guard let record = matches.first else { throw SalesforceError.notFound() }
            if matches.count > 1 {
                return .json(300, .array(matches.map { .string("\(base)/sobjects/\(object.name)/\($0.id)") }))
            }
            return .json(200, Self.render(record, base: base, fields: nil))
        case ("PATCH", 3), ("POST", 3) where rest[1].lowercased() == "id":
            let body = try parseBody(request)
            let updateOnly = request.queryBool("updateOnly")
            let (record, created) = try store.transaction { tx -> (StoredRecord, Bool) in
                if updateOnly, tx.lookup(object.name, field: rest[1], equals: .string(rest[2])).isEmpty {
                    throw SalesforceError.notFound()
                }
                return try upsert(object, field: rest[1], value: rest[2], body: body, base: base, tx: &tx)
            }
            if created { return .json(201, ["id": .string(record.id), "success": true, "errors": [], "created": true]) }
            let version = Double(base.split(separator: "v").last.map(String.init) ?? "") ?? 59
            if version < 46 { return .empty(204) }
            return .json(200, ["id": .string(record.id), "success": true, "errors": [], "created": false])
        default:
            throw SalesforceError(status: 405, code: "METHOD_NOT_ALLOWED", message: "HTTP Method '\(request.method)' not allowed.")
        }
    }

    func parseBody(_ request: EmulatorRequest) throws -> JSONValue {
        do { return try request.jsonBody() } catch {
            throw SalesforceError.badRequest("Unexpected character: was expecting a JSON value at [line:1, column:1]")
        }
    }

    private func describeGlobal(base: String) -> EmulatorResponse {
        let objects = SalesforceSchema.objects.values.sorted { $0.name < $1.name }
        return .json(200, ["encoding": "UTF-8", "maxBatchSize": 200, "sobjects": .array(objects.map { SalesforceDescribe.summary($0, base: base) })])
    }

    /// getUpdated / getDeleted over `[start, end]`, with the 30/15-day windows and the purge.
    private func replication(_ request: EmulatorRequest, object: ObjectSchema, deleted: Bool) throws -> EmulatorResponse {
        guard let startText = request.queryValue("start"), let endText = request.queryValue("end"),
            let start = Timestamps.parse(startText), let end = Timestamps.parse(endText)
        else {
            throw SalesforceError(status: 400, code: "INVALID_REPLICATION_DATE", message: "start and end must be valid dateTime values")
        }
        let store = control.store
        let now = store.clock.now()
        guard start < end else { throw SalesforceError(status: 400, code: "INVALID_REPLICATION_DATE", message: "start date must chronologically precede end date") }
        let window = deleted ? deleteRetentionMs : 30 * 86_400_000
        guard start >= now - window else {
            throw SalesforceError(status: 400, code: "INVALID_REPLICATION_DATE", message: "startDate cannot be more than \(window / 86_400_000) days ago")
        }
        store.transaction { tx in tx.purgeEvents(before: now - deleteRetentionMs) }
        let latest = min(end, now + 1)
        if !deleted {
            let ids = store.all(object.name).filter { $0.modifiedAt >= start && $0.modifiedAt < latest }.map(\.id)
            return .json(200, ["ids": .array(ids.map { .string($0) }), "latestDateCovered": .string(Timestamps.salesforce(latest))])
        }
        let (events, purgedBefore) = store.read { s in (s.events, s.purgedBefore) }
        let deletions = events.filter { $0.type == object.name && $0.kind == .deleted && $0.at >= start && $0.at < latest }
        let earliest = max(purgedBefore, events.first?.at ?? purgedBefore)
        return .json(200, [
            "deletedRecords": .array(deletions.map { ["id": .string($0.id), "deletedDate": .string(Timestamps.salesforce($0.at))] }),
            "earliestDateAvailable": .string(Timestamps.salesforce(earliest)),
            "latestDateCovered": .string(Timestamps.salesforce(latest)),
        ])
    }
}
