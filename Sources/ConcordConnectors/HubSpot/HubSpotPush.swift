import ConcordMapping

extension HubSpotConnector {
    /// Writes `items` with HubSpot's batch endpoints (100 inputs per call): `batch/create`,
    /// `batch/upsert` (creates with an upsert key, by `idProperty`), `batch/update` and
    /// `batch/archive`, then the items' associations (v4 `batch/associate/default`).
    ///
    /// Every input carries `objectWriteTraceId` = its key, so a 207 answer is matched back
    /// per item; an item HubSpot reports nothing about is a transient failure, never success.
    /// A 400 that rejects a whole batch is attributed by the ids HubSpot names, and otherwise
    /// narrowed by splitting the batch. HubSpot has no conditional writes, so `ifMatch` is
    /// ignored; instead each update reports the value it replaced (``attachPreceding(object:inputs:results:)``).
    public func push(object: String, items: [PushItem]) async throws(ConnectorError) -> [PushResult] {
        let inputs = items.map(HubSpotPushInput.init)
        var results: [Int64: PushResult] = [:]
        var systemic: ConnectorError?
        for endpoint in HubSpotPushInput.Endpoint.allCases {
            for chunk in Self.chunks(inputs.filter { $0.endpoint == endpoint }, of: pushBatchSize) {
                if let systemic {
                    for input in chunk { results[input.key] = PushResult(key: input.key, outcome: .failure(systemic)) }
                    continue
                }
                do {
                    for result in try await send(object: object, endpoint: endpoint, chunk, depth: 0) { results[result.key] = result }
                } catch {
                    guard Self.stopsBatch(error) else { throw error }
                    if results.isEmpty { throw error }
                    systemic = error
                    for input in chunk { results[input.key] = PushResult(key: input.key, outcome: .failure(error)) }
                }
            }
        }
        await attachPreceding(object: object, inputs: inputs, results: &results)
        await writeAssociations(object: object, inputs: inputs, results: &results)
        return items.compactMap { results[$0.key] }
    }

    /// Failures that say HubSpot cannot take writes now (rather than this batch is wrong).
    static func stopsBatch(_ error: ConnectorError) -> Bool {
        [.rateLimited, .quotaExhausted, .transient, .authentication].contains(error.code)
    }

    /// Sends one batch; a 400 that rejects it whole is narrowed to the inputs at fault.
    private func send(object: String, endpoint: HubSpotPushInput.Endpoint, _ chunk: [HubSpotPushInput],
                      depth: Int) async throws(ConnectorError) -> [PushResult] {
        guard !chunk.isEmpty else { return [] }
        let body: ExactJSON = .object(["inputs": .array(chunk.map(\.json))])
        // A create must not be sent twice blindly; upserts, updates and archives may.
        let safe = endpoint != .create
        let answer: (status: Int, json: ExactJSON?, serverMillis: Int64?)
        do {
            answer = try await call("push", .post, objectPath(object, "/batch/" + endpoint.rawValue), body: body, readOnly: safe)
        } catch {
            guard !Self.stopsBatch(error), [.validation, .notFound, .conflict].contains(error.code) else { throw error }
            return try await narrow(object: object, endpoint: endpoint, chunk, error: error, depth: depth)
        }
        if endpoint == .archive, answer.json == nil {
            return chunk.map { PushResult(key: $0.key, outcome: .success($0.id ?? "")) }
        }
        let batch: HubSpotBatchResponse
        do { batch = try HubSpotBatchResponse(json: answer.json ?? .null) } catch {
            throw HubSpotErrors.malformed("\(error)", crm: name, status: answer.status)
        }
        return match(chunk, batch: batch, status: answer.status)
    }

    /// Per-input outcomes of a 200/201/207 batch answer.
    private func match(_ chunk: [HubSpotPushInput], batch: HubSpotBatchResponse, status: Int) -> [PushResult] {
        let records = batch.results.compactMap { try? HubSpotObject(json: $0) }
        var used = Set<Int>()
        var results: [PushResult] = []
        let positional = batch.errors.isEmpty && records.count == chunk.count && records.allSatisfy { $0.objectWriteTraceID == nil }
        for (position, input) in chunk.enumerated() {
            let found = positional ? position : records.indices.first { !used.contains($0) && input.matches(records[$0]) }
            if let found {
                used.insert(found)
                let record = records[found]
                results.append(PushResult(key: input.key, outcome: .success(record.id), matchedExisting: record.isNew == false))
            } else if let error = batch.errors.first(where: input.isNamed(by:)) {
                let code = Int(error.status ?? "") ?? Self.status(forCategory: error.category)
                results.append(PushResult(key: input.key, outcome: .failure(
                    HubSpotErrors.error(status: code, body: error, retryAfterMillis: nil, crm: name))))
            } else if input.endpoint == .archive, batch.errors.isEmpty {
                results.append(PushResult(key: input.key, outcome: .success(input.id ?? "")))
            } else {
                results.append(PushResult(key: input.key, outcome: .failure(ConnectorError(
                    .transient, crm: name, status: status,
                    message: "HubSpot's batch answer reported no outcome for this input (objectWriteTraceId \(input.traceID))"))))
            }
        }
        return results
    }

    /// HubSpot's per-input errors carry a category but not always a status.
    static func status(forCategory category: String?) -> Int {
        switch category {
        case "OBJECT_NOT_FOUND": return 404
        case "CONFLICT": return 409
        case "RATE_LIMITS": return 429
        case "INTERNAL_ERROR": return 500
        default: return 400
        }
    }

    /// A whole-batch rejection: fail the inputs HubSpot names and resend the rest; when it
    /// names none, split the batch in two (at most 7 levels, so at most ~2x the calls).
    private func narrow(object: String, endpoint: HubSpotPushInput.Endpoint, _ chunk: [HubSpotPushInput],
                        error: ConnectorError, depth: Int) async throws(ConnectorError) -> [PushResult] {
        if chunk.count == 1 || depth >= 7 {
            return chunk.map { PushResult(key: $0.key, outcome: .failure(error)) }
        }
        let named = chunk.filter { input in
            guard let crmCode = error.crmCode, !crmCode.isEmpty else { return false }
            return input.id.map { id in error.message.contains(id) } ?? false
        }
        if !named.isEmpty, named.count < chunk.count {
            let rest = chunk.filter { input in !named.contains { $0.key == input.key } }
            return named.map { PushResult(key: $0.key, outcome: .failure(error)) }
                + (try await send(object: object, endpoint: endpoint, rest, depth: depth + 1))
        }
        let half = chunk.count / 2
        return (try await send(object: object, endpoint: endpoint, Array(chunk.prefix(half)), depth: depth + 1))
            + (try await send(object: object, endpoint: endpoint, Array(chunk.dropFirst(half)), depth: depth + 1))
    }

    /// Writes the association pseudo-fields of the items that succeeded, replacing what the
    /// record had: a value makes that record the only association of its type, a blank
    /// removes them all. Creates need no read; updates and upserts read the current
    /// associations first (one v4 batch read per type). An association that fails stays the
    /// record's success, with the association field reported unwritten: the record's other
    /// fields are written (Concord must know that, or it reads its own write back as an edit
    /// made there at the time of the write), the association is written again later.
    private func writeAssociations(object: String, inputs: [HubSpotPushInput],
                                   results: inout [Int64: PushResult]) async {
        var byTarget: [String: [(key: Int64, from: String, to: String?, existing: Bool)]] = [:]
        for input in inputs where !input.associations.isEmpty && input.endpoint != .archive {
            guard case .success(let id)? = results[input.key]?.outcome else { continue }
            for (target, to) in input.associations {
                byTarget[target, default: []].append((input.key, id, to, input.endpoint != .create))
            }
        }
        for (target, links) in byTarget.sorted(by: { $0.key < $1.key }) {
            var failures: [String: ConnectorError] = [:]
            do {
                let existingIDs = links.filter(\.existing).map(\.from)
                let current = existingIDs.isEmpty ? [:] : try await associations(from: object, to: target, ids: existingIDs, kind: "push")
                let stale = links.map { link in (from: link.from, to: (current[link.from] ?? []).filter { $0 != link.to }) }
                failures = try await archiveAssociations(from: object, to: target, links: stale)
                let wanted = links.compactMap { link -> (from: String, to: String)? in
                    guard let to = link.to, !(current[link.from] ?? []).contains(to) else { return nil }
                    return (link.from, to)
                }
                failures.merge(try await createAssociations(from: object, to: target, pairs: wanted)) { first, _ in first }
            } catch {
                // A call that failed whole (throttled, offline): none of this type's links is known written.
                for link in links { failures[link.from] = error }
            }
            for link in links {
                guard var failure = failures[link.from] else { continue }
                failure.message = "the record \(link.from) was written but its association to \(target) \(link.to ?? "(none)") failed: "
                    + failure.message
                results[link.key]?.unwritten[HubSpotAssociationField.field(for: target)] = failure
            }
        }
    }
}
