@testable import ConcordConnectors
import ConcordHTTP
import ConcordMapping

/// Salesforce response bodies, as the connector reads them: query pages and their rows
/// (records and field history rows), error answers (whole-response and per-record), the
/// OAuth token answer, and the cursor.
enum SalesforceTarget {
    static let statuses = [200, 201, 204, 207, 300, 400, 401, 403, 404, 409, 412, 429, 500, 503]
    static let config = CRMConfig(name: "salesforce", kind: .salesforce, baseURL: "https://example.my.salesforce.com",
                                  tokenURL: "https://login.salesforce.com/services/oauth2/token", credentials: [:],
                                  rateLimit: RateLimit(requests: 100, intervalSeconds: 1, dailyBudget: nil, concurrency: 1))
    static let options = SalesforceOptions()

    static func run(_ bytes: [UInt8]) {
        var input = InputReader(bytes)
        let status = input.pick(statuses)
        let retryAfter = input.pick([nil, "0", "1.5", "120", "00:00:30", "Wed, 21 Oct 2015 07:28:00 GMT", "-1", "1e400"])
        var headers = HTTPHeaders()
        if let retryAfter { headers.add(name: "Retry-After", value: retryAfter) }
        let response = HTTPResponse(status: status, headers: headers, body: input.rest)
        let json = response.exactJSON

        if let page = try? SalesforceQueryPage(json, crm: "salesforce", status: status) {
            // Field history rows (ContactHistory, AccountHistory).
            _ = SalesforceConnector.times(page.records, parent: "ContactId", object: "Contact", names: ["Title", "FirstName", "MailingCity"])
            _ = SalesforceConnector.times(page.records, parent: "AccountId", object: "Account", names: ["BillingCity", "Name"])
            for row in page.records {
                if let record = SalesforceWire.record(row) { _ = SalesforceConnector.digest(record) }
                _ = SalesforceErrors.recordError(row, crm: "salesforce")
            }
        }
        for item in json?.arrayValue ?? [] {
            _ = SalesforceErrors.recordError(item["errors"]?.arrayValue?.first ?? item, crm: "salesforce")
        }
        _ = SalesforceErrors.responseError(response, crm: "salesforce")
        _ = try? SalesforceAuth.session(from: response, config: config, options: options, nowMillis: 1_700_000_000_000)
        _ = try? SalesforceCursor.decode(response.bodyText, object: "Contact", crm: "salesforce")
    }
}
