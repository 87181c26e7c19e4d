import ConcordMapping

extension HubSpotConnector {
    /// HubSpot-defined association type ids that mark the primary link.
    static func primaryTypeIDs(from: String, to: String) -> Set<String> {
        switch (from, to) {
        case ("contacts", "companies"): return ["1"]
        case ("deals", "companies"): return ["5"]
        case ("companies", "deals"): return ["6"]
        case ("companies", "contacts"): return ["2"]
        default: return []
        }
    }

    /// For each id, the first associated id of type `to` (the primary one if marked, else the
    /// lowest).
    func firstAssociations(from: String, to: String, ids: [String], kind: String) async throws(ConnectorError) -> [String: String] {
        try await associations(from: from, to: to, ids: ids, kind: kind).compactMapValues(\.first)
    }

    /// For each id, its associated ids of type `to`, primary first, then by id; read with v4
    /// batch read (1,000 ids per call). Ids without associations are absent (HubSpot reports
    /// them as per-input errors, which are not failures here).
    func associations(from: String, to: String, ids: [String], kind: String) async throws(ConnectorError) -> [String: [String]] {
        var all: [String: [String]] = [:]
        let primary = Self.primaryTypeIDs(from: from, to: to)
        for chunk in Self.chunks(ids, of: 1000) {
            let body: ExactJSON = .object(["inputs": .array(chunk.map { .object(["id": .string($0)]) })])
            let (status, json, _) = try await call(kind, .post, "/crm/v4/associations/\(from)/\(to)/batch/read", body: body, readOnly: true)
            let batch: HubSpotBatchResponse
            do { batch = try HubSpotBatchResponse(json: json ?? .null) } catch {
                throw HubSpotErrors.malformed("\(error)", crm: name, status: status)
            }
            for result in batch.results {
                guard let fromID = result["from"]?["id"]?.textValue else { continue }
                let links = (result["to"]?.arrayValue ?? []).compactMap { link -> (id: String, primary: Bool)? in
                    guard let id = link["toObjectId"]?.textValue else { return nil }
                    let types = link["associationTypes"]?.arrayValue ?? []
                    let isPrimary = types.contains {
                        ($0["label"]?.stringValue?.lowercased() == "primary") || ($0["typeId"]?.textValue.map(primary.contains) ?? false)
                    }
                    return (id, isPrimary)
                }
                let ordered = links.sorted { a, b in a.primary != b.primary ? a.primary : Self.idLess(a.id, b.id) }
                var seen = Set<String>()
                all[fromID, default: []] += ordered.map(\.id).filter { seen.insert($0).inserted }
            }
        }
        return all
    }

    /// Removes associations `from/fromID -> to/toIDs` with v4 `batch/archive` (100 per call).
    /// Returns, per source id, the error that hit it.
    func archiveAssociations(from: String, to: String, links: [(from: String, to: [String])]) async throws(ConnectorError) -> [String: ConnectorError] {
        var failures: [String: ConnectorError] = [:]
        for chunk in Self.chunks(links.filter { !$0.to.isEmpty }, of: 100) {
            let inputs = chunk.map { link -> ExactJSON in
                .object(["from": .object(["id": .string(link.from)]), "to": .array(link.to.map { .object(["id": .string($0)]) })])
            }
            do {
                _ = try await call("push", .post, "/crm/v4/associations/\(from)/\(to)/batch/archive",
                                   body: .object(["inputs": .array(inputs)]), readOnly: true)
            } catch {
                for link in chunk { failures[link.from] = error }
            }
        }
        return failures
    }

    /// Numeric-string order (shorter is smaller), then text order.
    static func idLess(_ a: String, _ b: String) -> Bool { a.count != b.count ? a.count < b.count : a < b }

    /// Creates default associations `from/fromID -> to/toID` with v4
    /// `batch/associate/default` (100 per call). Returns, per source id, the error that hit it.
    func createAssociations(from: String, to: String, pairs: [(from: String, to: String)]) async throws(ConnectorError) -> [String: ConnectorError] {
        var failures: [String: ConnectorError] = [:]
        for chunk in Self.chunks(pairs, of: 100) {
            let inputs = chunk.map { pair -> ExactJSON in
                .object(["from": .object(["id": .string(pair.from)]), "to": .object(["id": .string(pair.to)])])
            }
            do {
                let (_, json, _) = try await call("push", .post, "/crm/v4/associations/\(from)/\(to)/batch/associate/default",
                                               body: .object(["inputs": .array(inputs)]), readOnly: true)
                let errors = json.flatMap { try? HubSpotBatchResponse(json: $0) }?.errors ?? []
                for error in errors {
                    let mapped = HubSpotErrors.error(status: Int(error.status ?? "") ?? 400, body: error, retryAfterMillis: nil, crm: name)
                    let named = (error.context["ids"] ?? []) + (error.context["fromObjectId"] ?? [])
                    let hit = chunk.filter { named.contains($0.from) || named.contains($0.to) }
                    for pair in hit.isEmpty ? chunk : hit { failures[pair.from] = mapped }
                }
            } catch {
                for pair in chunk { failures[pair.from] = error }
            }
        }
        return failures
    }
}
