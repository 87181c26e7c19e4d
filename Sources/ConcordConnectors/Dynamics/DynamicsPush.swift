import ConcordHTTP
import ConcordMapping
import Foundation

extension DynamicsConnector {
    /// Writes through `$batch` (up to 1,000 requests per call, `odata.continue-on-error`),
    /// each record in its own change set: creates with an upsert key as alternate-key upserts
    /// (`PATCH /contacts(new_externalid='...')`, `return=representation` tells created from
    /// matched), other creates as `POST`, updates as `PATCH` with `If-Match` (the item's ETag,
    /// or `*` so a deleted row is not re-created), deletes as `DELETE`. A 412 is a conflict,
    /// a 404 on delete counts as done. Lookups given as `_x_value` (with the target table in
    /// `_x_value@Microsoft.Dynamics.CRM.lookuplogicalname`) are written as `x@odata.bind`.
    ///
    /// Throws only when the first `$batch` fails as a whole.
    public func push(object: String, items: [PushItem]) async throws(ConnectorError) -> [PushResult] {
        try check([object])
        var results: [PushResult] = []
        let chunks = chunked(items, size: pushBatchSize)
        for (index, chunk) in chunks.enumerated() {
            do throws(ConnectorError) {
                results += try await batch(object: object, items: chunk)
            } catch {
                if index == 0 { throw error }
                for rest in chunks[index...] { results += rest.map { PushResult(key: $0.key, outcome: .failure(error)) } }
                break
            }
        }
        return results
    }

    private func batch(object: String, items: [PushItem]) async throws(ConnectorError) -> [PushResult] {
        let key = options.primaryKey(object)
        var prepared: [(item: PushItem, part: DynamicsBatchPart)] = []
        var results: [PushResult] = []
        for item in items {
            do throws(ConnectorError) {
                prepared.append((item, try part(item, object: object, key: key)))
            } catch {
                results.append(PushResult(key: item.key, outcome: .failure(error)))
            }
        }
        guard !prepared.isEmpty else { return results }
        let boundary = UUID().uuidString.lowercased()
        let apiPath = "/api/data/" + options.apiVersion
        var request = HTTPRequest(method: .post, url: apiBase + "/$batch",
                                  body: DynamicsBatch.body(prepared.map(\.part), apiPath: apiPath, boundary: boundary))
        request.isSafeToRetry = !prepared.contains { if case .create(_, nil) = $0.item.operation { true } else { false } }
        request.headers.add(name: "Content-Type", value: "multipart/mixed; boundary=batch_\(boundary)")
        request.headers.add(name: "Prefer", value: "odata.continue-on-error")
        let response = try await send(.push, request)
        guard response.isSuccess else {
            throw DynamicsErrors.error(status: response.status, headers: response.headers, body: response.body, crm: name)
        }
        let answers = DynamicsBatch.answers(response.body, contentType: response.headers["Content-Type"])
        var byID: [String: DynamicsBatchAnswer] = [:]
        for (i, answer) in answers.enumerated() { byID[answer.contentID ?? String(i + 1)] = answer }
        for (i, entry) in prepared.enumerated() {
            guard let answer = byID[String(i + 1)] else {
                results.append(PushResult(key: entry.item.key, outcome: .failure(ConnectorError(
                    .transient, crm: name, message: "the $batch response has no answer for this request; it may not have run"))))
                continue
            }
            results.append(result(entry.item, answer, key: key))
        }
        return results
    }

    private func result(_ item: PushItem, _ answer: DynamicsBatchAnswer, key: String) -> PushResult {
        let entityID = answer.headers["OData-EntityId"].flatMap(DynamicsWire.guid(inURL:))
        let bodyID = (try? ExactJSON.parse(answer.body))?[key]?.stringValue?.lowercased()
        switch item.operation {
        case .delete(let id) where (200..<300).contains(answer.status) || answer.status == 404:
            return PushResult(key: item.key, outcome: .success(id.lowercased()))
        case .update(let id, _, _) where (200..<300).contains(answer.status):
            return PushResult(key: item.key, outcome: .success(id.lowercased()))
        case .create(_, let upsertKey) where (200..<300).contains(answer.status):
            guard let id = entityID ?? bodyID else {
                return PushResult(key: item.key, outcome: .failure(ConnectorError.malformed("a create answer without the new id", crm: name)))
            }
            return PushResult(key: item.key, outcome: .success(id), matchedExisting: upsertKey != nil && answer.status == 200)
        default:
            var error = DynamicsErrors.error(status: answer.status, headers: answer.headers, body: answer.body, crm: name)
            if error.code == .notFound, case .update(let id, _, _) = item.operation, !error.message.lowercased().contains(id.lowercased()) {
                // "account With Id = ... Does Not Exist" about a lookup's target: the row itself
                // is there; what it points to is not. Not a deleted record.
                error.code = .validation
                error.message = "a record this write refers to does not exist: " + error.message
            }
            return PushResult(key: item.key, outcome: .failure(error))
        }
    }

    private func part(_ item: PushItem, object: String, key: String) throws(ConnectorError) -> DynamicsBatchPart {
        switch item.operation {
        case .create(let fields, let upsertKey?):
            try check([upsertKey.field])
            var body = try writeBody(fields)
            body.removeValue(forKey: upsertKey.field)
            return DynamicsBatchPart(method: .patch, path: "\(object)(\(upsertKey.field)=\(DynamicsWire.literal(upsertKey.value)))?$select=\(key)",
                                     headers: [("Prefer", "return=representation")], body: .object(body))
        case .create(let fields, nil):
            return DynamicsBatchPart(method: .post, path: object, headers: [], body: .object(try writeBody(fields)))
        case .update(let id, let fields, let ifMatch):
            return DynamicsBatchPart(method: .patch, path: "\(object)(\(try guid(id)))", headers: [("If-Match", ifMatch ?? "*")],
                                     body: .object(try writeBody(fields)))
        case .delete(let id):
            return DynamicsBatchPart(method: .delete, path: "\(object)(\(try guid(id)))", headers: [], body: nil)
        }
    }

    private func guid(_ id: String) throws(ConnectorError) -> String {
        guard DynamicsWire.isGUID(id) else { throw ConnectorError(.permanent, crm: name, message: "'\(id)' is not a Dataverse row id") }
        return id.lowercased()
    }

    /// Wire fields as a Web API body: annotations dropped, `_x_value` lookups as `@odata.bind`.
    private func writeBody(_ fields: [String: WireValue]) throws(ConnectorError) -> [String: ExactJSON] {
        var body: [String: ExactJSON] = [:]
        for (field, value) in fields {
            if field.hasSuffix("@odata.bind") {
                body[field] = ExactJSON(value)
                continue
            }
            if field.contains("@") { continue }
            if field.hasPrefix("_"), field.hasSuffix("_value") {
                let lookup = String(field.dropFirst().dropLast("_value".count))
                let target = fields[field + DynamicsWire.lookupLogicalName]?.text
                let navigation = target.map { options.navigation(lookup, target: $0) } ?? lookup
                switch value {
                case .null: body[navigation + "@odata.bind"] = .null
                case .string(let id) where target != nil && DynamicsWire.isGUID(id):
                    body[navigation + "@odata.bind"] = .string("/\(options.entitySet(target ?? ""))(\(id.lowercased()))")
                default:
                    throw ConnectorError(.validation, crm: name, message: "lookup \(field) needs a GUID and its table in \(field)\(DynamicsWire.lookupLogicalName)",
                                         fields: [field])
                }
                continue
            }
            try check([field])
            body[field] = ExactJSON(value)
        }
        return body
    }
}
