import Foundation
import ConcordMapping

extension HubSpotConnector {
    /// Reads records by id with batch read (100 per call); ids HubSpot does not know are
    /// left out of the result.
    public func fetch(object: String, ids: [String], fields: [String]) async throws(ConnectorError) -> [CRMRecord] {
        try await lookup(object: object, ids: ids, fields: fields).records
    }

    /// A batch read answers per item: an id HubSpot reports as `OBJECT_NOT_FOUND` is gone;
    /// one named by any other error (or, for an error naming no ids, any id not returned) is
    /// unknown.
    public func lookup(object: String, ids: [String], fields: [String]) async throws(ConnectorError) -> LookupResult {
        var objects: [HubSpotObject] = []
        var unknown = Set<String>()
        for chunk in Self.chunks(ids, of: 100) {
            let (found, errors) = try await batchReadAnswer(object, ids: chunk, properties: Self.properties(fields, object: object),
                                                            history: [], kind: "fetch")
            objects += found
            let returned = Set(found.map(\.id))
            for error in errors where error.category != "OBJECT_NOT_FOUND" {
                let named = error.context["ids"] ?? error.context["id"] ?? []
                unknown.formUnion(named.isEmpty ? chunk.filter { !returned.contains($0) } : named)
            }
        }
        let records = try await complete(objects, object: object, fields: fields, withHistory: false, kind: "fetch")
        return LookupResult(records: records, unknown: unknown)
    }

    /// Finds records whose `field` is one of `values`, with search and an `IN` filter
    /// (`EQ` for one value), 100 values and 200 results per call.
    public func find(object: String, field: String, values: [String], fields: [String]) async throws(ConnectorError) -> [CRMRecord] {
        guard !HubSpotAssociationField.isAssociation(field) else {
            throw ConnectorError(.permanent, crm: name, message: "HubSpot search cannot match on \(field)")
        }
        var objects: [HubSpotObject] = []
        var seen = Set<String>()
        let properties = Self.properties(fields + [field], object: object)
        for chunk in Self.chunks(Array(Set(values)).sorted(), of: 100) {
            let filter = chunk.count == 1 ? Self.filter(field, "EQ", chunk[0]) : Self.filter(field, in: chunk)
            var after: String?
            for _ in 0..<50 {
                var body: [String: ExactJSON] = [
                    "filterGroups": .array([.object(["filters": .array([filter])])]),
                    "properties": .array(properties.map(ExactJSON.string)), "limit": .number("200"),
                ]
                if let after { body["after"] = .string(after) }
                let (status, json, _) = try await call("find", .post, objectPath(object, "/search"), body: .object(body), readOnly: true)
                let page: HubSpotPage
                do { page = try HubSpotPage(json: json ?? .null) } catch {
                    throw HubSpotErrors.malformed("\(error)", crm: name, status: status)
                }
                objects += page.results.filter { seen.insert($0.id).inserted }
                guard let next = page.nextAfter, !page.results.isEmpty else { break }
                after = next
            }
        }
        return try await complete(objects, object: object, fields: fields + [field], withHistory: false, kind: "find")
    }

    /// `POST /crm/v3/objects/{object}/batch/read` (200, or 207 with the unknown ids as errors).
    func batchRead(_ object: String, ids: [String], properties: [String], history: [String],
                   kind: String, archived: Bool = false) async throws(ConnectorError) -> [HubSpotObject] {
        try await batchReadAnswer(object, ids: ids, properties: properties, history: history, kind: kind, archived: archived).objects
    }

    /// A batch read's objects and its per-item errors (HubSpot answers 207 when some failed).
    /// With `archived`, only archived records (HubSpot's `?archived=true`), with their last values.
    func batchReadAnswer(_ object: String, ids: [String], properties: [String], history: [String],
                         kind: String, archived: Bool = false) async throws(ConnectorError) -> (objects: [HubSpotObject], errors: [HubSpotErrorBody]) {
        guard !ids.isEmpty else { return ([], []) }
        let body: ExactJSON = .object([
            "properties": .array(properties.map(ExactJSON.string)),
            "propertiesWithHistory": .array(history.map(ExactJSON.string)),
            "inputs": .array(ids.map { .object(["id": .string($0)]) }),
        ])
        let (status, json, _) = try await call(kind, .post, objectPath(object, "/batch/read"), query: [("archived", archived ? "true" : "false")],
                                            body: body, readOnly: true)
        do {
            let batch = try HubSpotBatchResponse(json: json ?? .null)
            let objects = try batch.results.map { (item: ExactJSON) throws(HubSpotShapeError) -> HubSpotObject in try HubSpotObject(json: item) }
            return (objects, batch.errors)
        } catch {
            throw HubSpotErrors.malformed("\(error)", crm: name, status: status)
        }
    }

    /// Turns search or batch-read objects into records, adding association pseudo-fields and
    /// (when asked) per-property modification times from `propertiesWithHistory`.
    func complete(_ records: [HubSpotObject], request: PullRequest) async throws(ConnectorError) -> [CRMRecord] {
        try await complete(records, object: request.object, fields: request.fields, withHistory: request.withFieldHistory, kind: "pull")
    }

    func complete(_ objects: [HubSpotObject], object: String, fields: [String], withHistory: Bool,
                  kind: String) async throws(ConnectorError) -> [CRMRecord] {
        guard !objects.isEmpty else { return [] }
        let ids = objects.map(\.id)
        var history: [String: [String: UInt64]] = [:]
        let propertyFields = fields.filter { !HubSpotAssociationField.isAssociation($0) }
        if withHistory, !propertyFields.isEmpty {
            // propertiesWithHistory lowers HubSpot's page limits; 50 ids per call stays inside them.
            for chunk in Self.chunks(ids, of: 50) {
                for read in try await batchRead(object, ids: chunk, properties: [], history: propertyFields, kind: kind) {
                    history[read.id] = read.history.compactMapValues { entries in
                        entries.compactMap(\.timestamp).max().map { UInt64(clamping: $0) }
                    }
                }
            }
        }
        var associations: [String: [String: String]] = [:]
        for field in fields {
            guard let target = HubSpotAssociationField.targetType(field) else { continue }
            associations[field] = try await firstAssociations(from: object, to: target, ids: ids, kind: kind)
        }
        let modified = Self.modifiedProperty(object)
        return objects.map { item in
            var fields = item.properties
            for (field, byID) in associations { fields[field] = byID[item.id].map(WireValue.string) ?? .null }
            return CRMRecord(id: item.id, fields: fields, modifiedAt: Self.modifiedAt(item, modified).map { UInt64(clamping: $0) },
                             fieldModifiedAt: history[item.id] ?? [:], isDeleted: item.archived, mergedIDs: Self.mergedIDs(item))
        }
    }

    /// The ids of the records merged into this one (`hs_merged_object_ids`, `;`-separated).
    static func mergedIDs(_ item: HubSpotObject) -> [String] {
        (item.properties["hs_merged_object_ids"]?.text ?? "")
            .split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static func chunks<T>(_ items: [T], of size: Int) -> [[T]] {
        stride(from: 0, to: items.count, by: size).map { Array(items[$0..<min($0 + size, items.count)]) }
    }
}
