import ConcordHTTP

extension SalesforceConnector {
    /// Runs `soql` on `/query` or `/queryAll`, asking for pages of `batchSize` rows.
    func runQuery(_ soql: String, all: Bool, batchSize: Int, kind: APICallKind) async throws(ConnectorError) -> SalesforceQueryPage {
        let response = try await send(kind) { session in
            var request = HTTPRequest(url: apiBase(session) + (all ? "/queryAll" : "/query"))
            request.query = [("q", soql)]
            request.headers.add(name: "Sforce-Query-Options", value: "batchSize=\(min(2000, max(200, batchSize)))")
            return request
        }
        guard response.isSuccess else { throw SalesforceErrors.responseError(response, crm: name) }
        return try SalesforceQueryPage(response.exactJSON, crm: name, status: response.status)
    }

    /// Reads the page at `nextRecordsUrl` (a path on the instance).
    func queryMore(_ path: String, batchSize: Int, kind: APICallKind) async throws(ConnectorError) -> SalesforceQueryPage {
        let response = try await send(kind) { session in
            var request = HTTPRequest(url: session.instanceURL + path)
            request.headers.add(name: "Sforce-Query-Options", value: "batchSize=\(min(2000, max(200, batchSize)))")
            return request
        }
        guard response.isSuccess else { throw SalesforceErrors.responseError(response, crm: name) }
        return try SalesforceQueryPage(response.exactJSON, crm: name, status: response.status)
    }

    /// Every row of `soql`, following `nextRecordsUrl` (at most `maxPages` pages).
    func queryAllPages(_ soql: String, all: Bool, kind: APICallKind, maxPages: Int = 10_000) async throws(ConnectorError) -> [ExactJSON] {
        var page = try await runQuery(soql, all: all, batchSize: 2000, kind: kind)
        var rows = page.records
        var pages = 1
        while !page.done, let next = page.nextRecordsURL, pages < maxPages {
            page = try await queryMore(next, batchSize: 2000, kind: kind)
            rows += page.records
            pages += 1
        }
        return rows
    }

    /// Refuses object and field names that are not plain identifiers.
    func checkIdentifiers(_ names: [String]) throws(ConnectorError) {
        for name in names where !SalesforceWire.isIdentifier(name) {
            throw ConnectorError(.permanent, crm: self.name, message: "'\(name)' is not a valid Salesforce object or field name")
        }
    }
}
