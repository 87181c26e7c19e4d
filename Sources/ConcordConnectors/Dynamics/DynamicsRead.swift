import ConcordHTTP

extension DynamicsConnector {
    /// Reads rows by id, 50 ids per `$filter=key eq ... or ...` query (following nextLink);
    /// ids that do not exist (or were deleted) are left out.
    public func fetch(object: String, ids: [String], fields: [String]) async throws(ConnectorError) -> [CRMRecord] {
        try await lookup(object: object, ids: ids, fields: fields).records
    }

    /// As ``fetch(object:ids:fields:)``; an id that is not a GUID (it cannot be asked for) is
    /// unknown, and so is every id not returned by a query one of whose rows could not be read.
    public func lookup(object: String, ids: [String], fields: [String]) async throws(ConnectorError) -> LookupResult {
        try check([object] + fields)
        let key = options.primaryKey(object)
        let valid = ids.filter(DynamicsWire.isGUID)
        var unknown = Set(ids.filter { !DynamicsWire.isGUID($0) })
        var records: [CRMRecord] = []
        for chunk in chunked(valid, size: 50) {
            let (found, unreadable) = try await queryRows(object: object, field: key, literals: chunk, fields: fields, kind: .fetch)
            records += found
            if unreadable > 0 {
                let returned = Set(found.map(\.id))
                unknown.formUnion(chunk.filter { !returned.contains($0.lowercased()) })  // rows' ids are lowercased
            }
        }
        return LookupResult(records: records, unknown: unknown)
    }

    /// Finds rows whose `field` equals one of `values`, 50 values per query.
    public func find(object: String, field: String, values: [String], fields: [String]) async throws(ConnectorError) -> [CRMRecord] {
        try check([object, field] + fields)
        return try await query(object: object, field: field, literals: values.map(DynamicsWire.literal),
                               fields: fields + [field], kind: .find)
    }

    private func query(object: String, field: String, literals: [String], fields: [String], kind: APICallKind) async throws(ConnectorError) -> [CRMRecord] {
        var out: [CRMRecord] = []
        for chunk in chunked(literals, size: 50) {
            out += try await queryRows(object: object, field: field, literals: chunk, fields: fields, kind: kind).records
        }
        return out
    }

    /// One `$filter=field eq ... or ...` query (at most 50 literals), every page: the rows read,
    /// and how many rows of the answer could not be read as records.
    private func queryRows(object: String, field: String, literals: [String], fields: [String],
                           kind: APICallKind) async throws(ConnectorError) -> (records: [CRMRecord], unreadable: Int) {
        let key = options.primaryKey(object)
        var out: [CRMRecord] = []
        var unreadable = 0
        let filter = literals.map { "\(field) eq \($0)" }.joined(separator: " or ")
        var url: String? = URLText.appendingQuery([("$select", DynamicsWire.select(fields, primaryKey: key, object: object)), ("$filter", filter)],
                                                  to: apiBase + "/" + object)
        var pages = 0
        while let next = url, pages < 1000 {
            let json = try await get(next, pageSize: pullPageSize, tracking: false, kind: kind)
            let page = try rows(json, key: key)
            unreadable += (json["value"]?.arrayValue?.count ?? 0) - page.count
            out += page
            url = json["@odata.nextLink"]?.stringValue
            pages += 1
        }
        return (out, unreadable)
    }
}
