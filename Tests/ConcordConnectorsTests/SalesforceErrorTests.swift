@testable import ConcordConnectors
import ConcordHTTP
import Testing

@Suite struct SalesforceErrorTests {
    func error(_ status: Int, _ body: String, headers: HTTPHeaders = HTTPHeaders()) -> ConnectorError {
        SalesforceErrors.responseError(HTTPResponse(status: status, headers: headers, body: Array(body.utf8)), crm: "sf")
    }

    @Test func responsesMapToTheEngineCodesKeepingSalesforcesOwn() {
        let quota = error(403, #"[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]"#)
        #expect(quota.code == .quotaExhausted && quota.crmCode == "REQUEST_LIMIT_EXCEEDED" && quota.status == 403)
        let concurrent = error(403, #"[{"message":"ConcurrentRequests (Concurrent API Requests) Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]"#)
        #expect(concurrent.code == .rateLimited && concurrent.retryAfterMillis != nil)
        #expect(error(401, #"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#).code == .authentication)
        #expect(error(404, #"[{"message":"gone","errorCode":"NOT_FOUND"}]"#).code == .notFound)
        let invalid = error(400, #"[{"message":"bad","errorCode":"INVALID_FIELD","fields":["Foo__c"]}]"#)
        #expect(invalid.code == .validation && invalid.fields == ["Foo__c"] && invalid.message == "bad")
        #expect(error(400, #"[{"message":"x","errorCode":"MALFORMED_QUERY"}]"#).code == .permanent)
        #expect(error(300, #"["/services/data/v59.0/sobjects/Contact/003"]"#).code == .conflict)
        #expect(error(503, "<html>down</html>").code == .transient)
        #expect(error(500, "").code == .transient)
        #expect(error(403, #"[{"message":"no","errorCode":"INSUFFICIENT_ACCESS"}]"#).code == .permanent)
    }

    @Test func recordErrorsUseStatusCode() {
        let json = try? ExactJSON.parse(Array(#"{"statusCode":"REQUIRED_FIELD_MISSING","message":"Required fields are missing: [LastName]","fields":["LastName"]}"#.utf8))
        let e = SalesforceErrors.recordError(json, crm: "sf")
        #expect(e.code == .validation && e.crmCode == "REQUIRED_FIELD_MISSING" && e.fields == ["LastName"])
        #expect(SalesforceErrors.recordError(nil, crm: "sf").code == .transient)
        let lock = try? ExactJSON.parse(Array(#"{"statusCode":"UNABLE_TO_LOCK_ROW","message":"locked","fields":[]}"#.utf8))
        #expect(SalesforceErrors.recordError(lock, crm: "sf").isRetryable)
    }

    @Test func soqlLiteralsAreEscaped() {
        #expect(SalesforceWire.literal("o'b\\r") == #"'o\'b\\r'"#)
    }
}

@Suite struct SalesforceQueryShapeTests {
    @Test func keysetOverlapAndStrictFormsOfThePullQuery() {
        let sf = SalesforceConnector(config: salesforceConfig("http://127.0.0.1:1"), http: CurlHTTPClient(), environment: [:])
        let request = PullRequest(object: "Task", fields: ["Subject", "Id"], cursor: nil, discriminator: ["TaskSubtype": "Call"])
        var cursor = SalesforceCursor(object: "Task")
        cursor.ts = 1_705_314_600_000
        cursor.id = "00T5g000000001AAA"
        #expect(sf.soql(request, from: cursor) == "SELECT Id, SystemModstamp, LastModifiedDate, IsDeleted, Subject FROM Task WHERE (SystemModstamp > 2024-01-15T10:30:00Z"
            + " OR (SystemModstamp = 2024-01-15T10:30:00Z AND Id > '00T5g000000001AAA')) AND TaskSubtype = 'Call' ORDER BY SystemModstamp, Id")
        cursor.id = ""
        #expect(sf.soql(request, from: cursor).contains("WHERE SystemModstamp >= 2024-01-15T10:30:00Z AND"))
        cursor.strict = true
        #expect(sf.soql(request, from: cursor).contains("WHERE SystemModstamp > 2024-01-15T10:30:00Z AND"))
    }
}
