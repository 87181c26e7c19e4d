import ConcordHTTP
import ConcordMapping

/// One sObject Collections call's worth of push items.
private struct SalesforceWriteChunk {
    enum Kind { case create, upsert(field: String), delete }
    var kind: Kind
    var items: [PushItem]
}

extension SalesforceConnector {
    /// Writes creates and deletes through sObject Collections, 200 records per call,
    /// `allOrNone=false`: creates with an upsert key go to `PATCH /composite/sobjects/{object}/{field}`
    /// (a retried create finds its record instead of duplicating it), other creates to `POST`,
    /// deletes to `DELETE /composite/sobjects?ids=`. Updates are conditional, 25 per Composite
    /// call (``conditionalUpdates(_:object:)``): Collections have no per-record condition, and
    /// an unconditional update sent again after a lost answer can overwrite a newer edit.
    /// Each record's outcome keeps Salesforce's code, message and fields. Deleting a record
    /// that is already deleted (`ENTITY_IS_DELETED`) counts as done.
    ///
    /// Throws only when the first call fails as a whole; a later call failing as a whole
    /// fails its items and the rest of the batch, which are reported, not thrown.
    public func push(object: String, items: [PushItem]) async throws(ConnectorError) -> [PushResult] {
        try checkIdentifiers([object])
        var chunks: [SalesforceWriteChunk] = []
        var creates: [PushItem] = [], updates: [PushItem] = [], deletes: [PushItem] = []
        var upserts: [String: [PushItem]] = [:]
        var upsertOrder: [String] = []
        for item in items {
            switch item.operation {
            case .create(_, let key?):
                if upserts[key.field] == nil { upsertOrder.append(key.field) }
                upserts[key.field, default: []].append(item)
            case .create: creates.append(item)
            case .update: updates.append(item)
            case .delete: deletes.append(item)
            }
        }
        try checkIdentifiers(upsertOrder)
        for field in upsertOrder {
            chunks += chunked(upserts[field] ?? [], size: pushBatchSize).map { SalesforceWriteChunk(kind: .upsert(field: field), items: $0) }
        }
        chunks += chunked(creates, size: pushBatchSize).map { SalesforceWriteChunk(kind: .create, items: $0) }
        let deleteChunks = chunked(deletes, size: pushBatchSize).map { SalesforceWriteChunk(kind: .delete, items: $0) }

        var results: [PushResult] = []
        for (index, chunk) in chunks.enumerated() {
            do throws(ConnectorError) {
                results += try await write(chunk, object: object)
            } catch {
                if index == 0 { throw error }
                for rest in chunks[index...] {
                    results += rest.items.map { PushResult(key: $0.key, outcome: .failure(error)) }
                }
                results += (updates + deletes).map { PushResult(key: $0.key, outcome: .failure(error)) }
                return results
            }
        }
        if !updates.isEmpty {
            do throws(ConnectorError) {
                results += try await conditionalUpdates(updates, object: object)
            } catch {
                if results.isEmpty && deletes.isEmpty { throw error }
                results += (updates + deletes).map { PushResult(key: $0.key, outcome: .failure(error)) }
                return results
            }
        }
        for (index, chunk) in deleteChunks.enumerated() {
            do throws(ConnectorError) {
                results += try await write(chunk, object: object)
            } catch {
                if index == 0 && results.isEmpty { throw error }
                for rest in deleteChunks[index...] {
                    results += rest.items.map { PushResult(key: $0.key, outcome: .failure(error)) }
                }
                break
            }
        }
        return results
    }

    private func write(_ chunk: SalesforceWriteChunk, object: String) async throws(ConnectorError) -> [PushResult] {
        let response = try await send(.push) { session in
            let base = apiBase(session) + "/composite/sobjects"
            switch chunk.kind {
            case .delete:
                var request = HTTPRequest(method: .delete, url: base)
                request.query = [("ids", chunk.items.compactMap(Self.deleteID).joined(separator: ",")), ("allOrNone", "false")]
                return request
            case .create:
                return Self.jsonRequest(.post, base, records: chunk.items.map { Self.body($0, object: object) }, safe: false)
            case .upsert(let field):
                return Self.jsonRequest(.patch, base + "/\(object)/\(field)", records: chunk.items.map { Self.body($0, object: object) }, safe: true)
            }
        }
        guard response.isSuccess else { throw SalesforceErrors.responseError(response, crm: name) }
        guard let outcomes = response.exactJSON?.arrayValue, outcomes.count == chunk.items.count else {
            throw ConnectorError.malformed("sObject Collections returned a result list that does not match the request", crm: name,
                                           status: response.status)
        }
        return zip(chunk.items, outcomes).map { item, outcome in result(item, outcome, isDelete: Self.deleteID(item) != nil) }
    }

    private func result(_ item: PushItem, _ outcome: ExactJSON, isDelete: Bool) -> PushResult {
        if outcome["success"]?.boolValue == true, let id = outcome["id"]?.stringValue ?? Self.deleteID(item) {
            return PushResult(key: item.key, outcome: .success(id), matchedExisting: outcome["created"]?.boolValue == false)
        }
        let error = SalesforceErrors.recordError(outcome["errors"]?.arrayValue?.first, crm: name)
        if isDelete, error.crmCode == "ENTITY_IS_DELETED", let id = Self.deleteID(item) {
            return PushResult(key: item.key, outcome: .success(id))
        }
        return PushResult(key: item.key, outcome: .failure(error))
    }

    private static func deleteID(_ item: PushItem) -> String? {
        if case .delete(let id) = item.operation { return id }
        return nil
    }

    /// The Collections record for an item: `attributes.type`, its fields, `Id` for updates
    /// and the external-id value for upserts.
    private static func body(_ item: PushItem, object: String) -> ExactJSON {
        var members: [String: ExactJSON] = ["attributes": .object(["type": .string(object)])]
        switch item.operation {
        case .create(let fields, let key):
            for (name, value) in fields { members[name] = ExactJSON(value) }
            if let key { members[key.field] = .string(key.value) }
        case .update(let id, let fields, _):
            for (name, value) in fields { members[name] = ExactJSON(value) }
            members["Id"] = .string(id)
        case .delete(let id):
            members["Id"] = .string(id)
        }
        return .object(members)
    }

    private static func jsonRequest(_ method: HTTPMethod, _ url: String, records: [ExactJSON], safe: Bool) -> HTTPRequest {
        let body = ExactJSON.object(["allOrNone": .bool(false), "records": .array(records)])
        var request = HTTPRequest(method: method, url: url, body: body.serialized, isSafeToRetry: safe)
        request.headers.add(name: "Content-Type", value: "application/json")
        return request
    }
}
