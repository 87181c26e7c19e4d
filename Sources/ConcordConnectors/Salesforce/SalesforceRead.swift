extension SalesforceConnector {
    /// Reads records by id with `queryAll ... WHERE Id IN (...)`, 200 ids per query;
    /// deleted records come back with ``CRMRecord/isDeleted`` set, unknown ids are left out.
    public func fetch(object: String, ids: [String], fields: [String]) async throws(ConnectorError) -> [CRMRecord] {
        try checkIdentifiers([object] + fields)
        var out: [CRMRecord] = []
        for chunk in chunked(ids, size: 200) {
            let list = chunk.map(SalesforceWire.literal).joined(separator: ",")
            let soql = "SELECT \(SalesforceWire.selectList(fields).joined(separator: ", ")) FROM \(object) WHERE Id IN (\(list))"
            out += try await queryAllPages(soql, all: true, kind: .fetch).compactMap(SalesforceWire.record)
        }
        observe(out, fields: fields)
        return out
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
