import ConcordHTTP

extension DynamicsConnector {
    /// Reads rows by id, 50 ids per `$filter=key eq ... or ...` query (following nextLink);
    /// ids that do not exist (or were deleted) are left out.
    public func fetch(object: String, ids: [String], fields: [String]) async throws(ConnectorError) -> [CRMRecord] {
        try check([object] + fields)
        let key = options.primaryKey(object)
        let valid = ids.filter(DynamicsWire.isGUID)
        return try await query(object: object, field: key, literals: valid, fields: fields, kind: .fetch)
    }

    /// Finds rows whose `field` equals one of `values`, 50 values per query.
    public func find(object: String, field: String, values: [String], fields: [String]) async throws(ConnectorError) -> [CRMRecord] {
        try check([object, field] + fields)
        return try await query(object: object, field: field, literals: values.map(DynamicsWire.literal),
                               fields: fields + [field], kind: .find)
    }

    private func query(object: String, field: String, literals: [String], fields: [String], kind: APICallKind) async throws(ConnectorError) -> [CRMRecord] {
        let key = options.primaryKey(object)
        var out: [CRMRecord] = []
        for chunk in chunked(literals, size: 50) {
            let filter = chunk.map { "\(field) eq \($0)" }.joined(separator: " or ")
            var url: String? = URLText.appendingQuery([("$select", DynamicsWire.select(fields, primaryKey: key, object: object)), ("$filter", filter)],
                                                      to: apiBase + "/" + object)
            var pages = 0
            while let next = url, pages < 1000 {
                let json = try await get(next, pageSize: pullPageSize, tracking: false, kind: kind)
                out += try rows(json, key: key)
                url = json["@odata.nextLink"]?.stringValue
                pages += 1
            }
        }
        return out
    }
}
