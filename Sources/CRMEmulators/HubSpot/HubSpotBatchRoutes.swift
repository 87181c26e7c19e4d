import Foundation

private struct ItemFailed: Error {}

extension HubSpotEmulator {
    /// `/batch/{read,create,update,upsert,archive}`: at most 100 inputs, 207 on partial failure.
    func batch(_ request: EmulatorRequest, type: String, operation: String) throws -> EmulatorResponse {
        let body = try json(request)
        guard let inputs = body["inputs"]?.arrayValue else { throw HubSpotError.validation("Invalid input JSON: inputs is required") }
        guard inputs.count <= 100 else {
            throw HubSpotError.validation("Batch input limit exceeded: \(inputs.count) inputs, the limit is 100", context: ["inputs": [String(inputs.count)]])
        }
        let started = Timestamps.isoMillis(EmulatorClock.systemMillis())
        let properties = (body["properties"]?.arrayValue ?? []).compactMap(\.stringValue)
        let history = (body["propertiesWithHistory"]?.arrayValue ?? []).compactMap(\.stringValue)
        let idProperty = body["idProperty"]?.stringValue
        // `?archived=true` on a read returns only archived records (with their last values).
        let archived = operation == "read" && request.queryValue("archived") == "true"
        var results: [JSONValue] = []
        var errors: [HubSpotError] = []
        for input in inputs {
            if operation != "read", control.failBatchItem() {
                errors.append(HubSpotError(status: 500, category: "INTERNAL_ERROR", message: "Transient failure, retry the input", context: ["ids": [input["id"]?.textForm ?? ""]]))
                continue
            }
            do {
                let result: JSONValue? = try control.store.transaction { tx -> JSONValue? in
                    try batchItem(input, operation: operation, type: type, idProperty: input["idProperty"]?.stringValue ?? idProperty,
                                  properties: properties, history: history, archived: archived, tx: &tx)
                }
                if let result { results.append(result) }
            } catch let error as HubSpotError {
                var error = error
                if let id = input["id"]?.textForm { error.context["ids"] = [id] }
                if let trace = input["objectWriteTraceId"]?.stringValue { error.context["objectWriteTraceId"] = [trace] }
                errors.append(error)
            }
        }
        if operation == "archive" { return errors.isEmpty ? .empty(204) : .json(207, batchBody(results, errors, started)) }
        let success = operation == "create" ? 201 : 200
        return .json(errors.isEmpty ? success : 207, batchBody(results, errors, started))
    }

    private func batchBody(_ results: [JSONValue], _ errors: [HubSpotError], _ started: String) -> JSONValue {
        var body: [String: JSONValue] = [
            "status": "COMPLETE", "results": .array(results), "requestedAt": .string(started), "startedAt": .string(started),
            "completedAt": .string(Timestamps.isoMillis(EmulatorClock.systemMillis())), "links": [:],
        ]
        if !errors.isEmpty {
            body["numErrors"] = .int(Int64(errors.count))
            body["errors"] = .array(errors.map(\.standardJSON))
        }
        return .object(body)
    }

    private func batchItem(_ input: JSONValue, operation: String, type: String, idProperty: String?, properties: [String],
                           history: [String], archived: Bool = false, tx: inout StoreTransaction) throws -> JSONValue? {
        let id = input["id"]?.textForm
        let written = Array((input["properties"]?.objectValue ?? [:]).keys)
        switch operation {
        case "read":
            if archived {
                guard let id, let record = tx.get(type, id, includeDeleted: true), record.isDeleted else { throw HubSpotError.notFound(id) }
                return render(record, properties: properties, history: history)
            }
            guard let id, let record = find(type, id: id, idProperty: idProperty, in: tx) else { throw HubSpotError.notFound(id) }
            return render(record, properties: properties, history: history)
        case "create":
            var record = render(try create(input, type: type, tx: &tx), properties: written)
            if let trace = input["objectWriteTraceId"], case .object(var o) = record { o["objectWriteTraceId"] = trace; record = .object(o) }
            return record
        case "update":
            guard let id, let existing = find(type, id: id, idProperty: idProperty, in: tx) else { throw HubSpotError.notFound(id) }
            let values = try validate(input["properties"], type: type, creating: false)
            try checkUnique(values, type: type, except: existing.id, in: tx)
            return render(try tx.update(type, id: existing.id, changes: values), properties: written)
        case "upsert":
            guard let id else { throw HubSpotError.validation("id is required for upsert") }
            guard let idProperty, schema(type).contains(where: { $0.name == idProperty && $0.unique }) else {
                throw HubSpotError.validation("idProperty must be a unique-value property", context: ["idProperty": [idProperty ?? ""]])
            }
            if let existing = find(type, id: id, idProperty: idProperty, in: tx) {
                let values = try validate(input["properties"], type: type, creating: false)
                guard case .object(var o) = render(try tx.update(type, id: existing.id, changes: values), properties: written) else { return nil }
                o["new"] = false
                return .object(o)
            }
            var properties = input["properties"]?.objectValue ?? [:]
            properties[idProperty] = .string(id)
            guard case .object(var o) = render(try create(["properties": .object(properties)], type: type, tx: &tx), properties: written) else { return nil }
            o["new"] = true
            return .object(o)
        case "archive":
            guard let id else { return nil }
            if tx.get(type, id) != nil { try tx.delete(type, id: id) }
            return nil
        default:
            throw HubSpotError.notFound()
        }
    }
}
