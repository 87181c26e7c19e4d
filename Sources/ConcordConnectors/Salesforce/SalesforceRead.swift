extension SalesforceConnector {
    /// Reads records by id with `queryAll ... WHERE Id IN (...)`, 200 ids per query;
    /// deleted records come back with ``CRMRecord/isDeleted`` set, unknown ids are left out.
    public func fetch(object: String, ids: [String], fields: [String]) async throws(ConnectorError) -> [CRMRecord] {
        try await lookup(object: object, ids: ids, fields: fields).records
    }

    /// As ``fetch(object:ids:fields:)`` (deleted rows included, `queryAll`); every id not
    /// returned by a query one of whose rows could not be read is unknown.
    public func lookup(object: String, ids: [String], fields: [String]) async throws(ConnectorError) -> LookupResult {
        try checkIdentifiers([object] + fields)
        var out: [CRMRecord] = []
        var unknown = Set<String>()
        for chunk in chunked(ids, size: 200) {
            let list = chunk.map(SalesforceWire.literal).joined(separator: ",")
            let soql = "SELECT \(SalesforceWire.selectList(fields).joined(separator: ", ")) FROM \(object) WHERE Id IN (\(list))"
            let rows = try await queryAllPages(soql, all: true, kind: .fetch)
            let records = rows.compactMap(SalesforceWire.record)
            if records.count < rows.count {
                let returned = Set(records.map(\.id))
                unknown.formUnion(chunk.filter { !returned.contains($0) })
            }
            out += records
        }
        observe(out, fields: fields)
        return LookupResult(records: out, unknown: unknown)
    }

    /// Finds live records whose `field` equals one of `values` (compared as text), 100
    /// values per query.
    public func find(object: String, field: String, values: [String], fields: [String]) async throws(ConnectorError) -> [CRMRecord] {
        try checkIdentifiers([object, field] + fields)
        var out: [CRMRecord] = []
        for chunk in chunked(values, size: 100) {
            let list = chunk.map(SalesforceWire.literal).joined(separator: ",")
            let soql = "SELECT \(SalesforceWire.selectList(fields + [field]).joined(separator: ", ")) FROM \(object) WHERE \(field) IN (\(list))"
            out += try await queryAllPages(soql, all: false, kind: .find).compactMap(SalesforceWire.record)
        }
        return out
    }
}
