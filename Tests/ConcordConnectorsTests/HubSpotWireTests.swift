@testable import ConcordConnectors
import ConcordHTTP
import ConcordMapping
import Testing

/// DTO decoding, time parsing, cursors and error mapping, on bodies taken from HubSpot's
/// specs and the API digest (the JSON reader itself: ``ExactJSONTests``).
@Suite struct HubSpotWireTests {
    @Test func propertyValuesKeepTheirExactText() throws {
        let json = try ExactJSON.parse(#"{"c":12345678901234567890,"d":0.10,"e":[1,2.50],"n":null,"b":true}"#)
        #expect(HubSpotObject.wire(json["c"] ?? .null) == .number("12345678901234567890"))
        #expect(HubSpotObject.wire(json["d"] ?? .null) == .number("0.10"))
        #expect(HubSpotObject.wire(json["e"] ?? .null) == .string("[1,2.50]"))
        #expect(HubSpotObject.wire(json["n"] ?? .bool(true)) == .null)
        #expect(HubSpotObject.wire(json["b"] ?? .null) == .bool(true))
    }

    @Test func recordFromTheDigestDecodes() throws {
        let body = """
        {"id":"512","properties":{"email":"a@x.com","firstname":"Ann","hs_object_id":"512","createdate":"2024-01-01T10:00:00.000Z",
         "lastmodifieddate":"2024-01-02T09:00:00.000Z","phone":null},
         "propertiesWithHistory":{"lifecyclestage":[{"value":"lead","timestamp":"2024-01-02T09:00:00.000Z",
           "sourceType":"CRM_UI","sourceId":"userId:123","updatedByUserId":123}]},
         "associations":{"companies":{"results":[{"id":"900","type":"contact_to_company"}]}},
         "createdAt":"2024-01-01T10:00:00.000Z","updatedAt":"2024-01-02T09:00:00.000Z","archived":false}
        """
        let record = try HubSpotObject(json: try ExactJSON.parse(body))
        #expect(record.id == "512")
        #expect(record.properties["email"] == .string("a@x.com"))
        #expect(record.properties["phone"] == .null)
        #expect(record.updatedAt == 1_704_186_000_000)
        #expect(record.history["lifecyclestage"]?.first?.timestamp == 1_704_186_000_000)
        #expect(record.history["lifecyclestage"]?.first?.sourceID == "userId:123")
        #expect(record.associations["companies"] == ["900"])
        #expect(!record.archived)
    }

    @Test func batchAnswerWithErrorsDecodes() throws {
        let body = """
        {"status":"COMPLETE","results":[{"id":"7","properties":{},"createdAt":"2024-01-01T00:00:00Z","updatedAt":"2024-01-01T00:00:00Z",
         "archived":false,"objectWriteTraceId":"41"}],"requestedAt":"2024-01-01T00:00:00Z","startedAt":"2024-01-01T00:00:00Z",
         "completedAt":"2024-01-01T00:00:01Z","numErrors":1,"errors":[{"status":"error","category":"VALIDATION_ERROR",
         "message":"Property values were not valid","context":{"ids":["8"],"objectWriteTraceId":["42"]},
         "errors":[{"message":"bad option","code":"INVALID_OPTION","in":"lifecyclestage"}],"links":{}}],"links":{}}
        """
        let batch = try HubSpotBatchResponse(json: try ExactJSON.parse(body))
        #expect(batch.results.count == 1)
        let error = try #require(batch.errors.first)
        #expect(error.context["ids"] == ["8"])
        #expect(error.fields == ["lifecyclestage"])
        let create = HubSpotPushInput(PushItem(key: 42, operation: .create(fields: ["email": .string("x@y.z")], upsertKey: nil)))
        #expect(create.isNamed(by: error))
        let update = HubSpotPushInput(PushItem(key: 1, operation: .update(id: "8", fields: [:], ifMatch: nil)))
        #expect(update.isNamed(by: error))
        let other = HubSpotPushInput(PushItem(key: 2, operation: .update(id: "9", fields: [:], ifMatch: nil)))
        #expect(!other.isNamed(by: error))
    }

    @Test func pushInputsEncodeAsTheSpecSays() {
        let upsert = HubSpotPushInput(PushItem(key: 5, operation: .create(
            fields: ["amount": .number("1000.50"), "hs_is_closed": .bool(false), "phone": .null, "associations.companies": .string("900")],
            upsertKey: .init(field: "concord_id", value: "abc"))))
        #expect(upsert.endpoint == .upsert)
        #expect(upsert.json.text == #"{"id":"abc","idProperty":"concord_id","objectWriteTraceId":"5","properties":{"amount":"1000.50","concord_id":"abc","hs_is_closed":"false","phone":""}}"#)
        #expect(upsert.associations == ["companies": "900"])
        let archive = HubSpotPushInput(PushItem(key: 6, operation: .delete(id: "77")))
        #expect(archive.json.text == #"{"id":"77"}"#)
    }

    @Test func cursorsRoundTrip() {
        var cursor = HubSpotCursor(phase: .deletes, modifiedAfter: 1_704_186_000_000, archivedAfter: 5)
        cursor.tieTimestamp = 9
        cursor.tieAfterID = "30000000001"
        cursor.archivedPage = "NTI1Cg%3D%3D"
        cursor.archivedUntil = 77
        #expect(HubSpotCursor(cursor.encoded) == cursor)
        #expect(HubSpotCursor("not a cursor") == nil)
    }

    static func response(_ status: Int, _ body: String, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        HTTPResponse(status: status, headers: headers, body: Array(body.utf8))
    }

    @Test func errorsMapToConnectorCodes() {
        let daily = HubSpotErrors.error(from: Self.response(429, """
            {"status":"error","message":"You have reached your daily limit.","errorType":"RATE_LIMIT","category":"RATE_LIMITS","policyName":"DAILY","correlationId":"c"}
            """), crm: "hubspot")
        #expect(daily.code == .quotaExhausted)
        let rolling = HubSpotErrors.error(from: Self.response(429, """
            {"status":"error","message":"You have reached your ten_secondly_rolling limit.","category":"RATE_LIMITS","policyName":"TEN_SECONDLY_ROLLING"}
            """, headers: ["Retry-After": "2"]), crm: "hubspot")
        #expect(rolling.code == .rateLimited)
        #expect(rolling.retryAfterMillis == 2000)
        #expect(rolling.crmCode == "RATE_LIMITS")
        let invalid = HubSpotErrors.error(from: Self.response(400, """
            {"status":"error","message":"Property values were not valid","correlationId":"c","category":"VALIDATION_ERROR",
             "context":{"propertyName":["dealstage"]},"errors":[{"message":"bad","code":"INVALID_OPTION","in":"dealstage"}],"links":{}}
            """), crm: "hubspot")
        #expect(invalid.code == .validation)
        #expect(invalid.fields == ["dealstage"])
        #expect(invalid.message == "Property values were not valid")
        let expired = HubSpotErrors.error(from: Self.response(401, """
            {"status":"error","message":"The OAuth token used to make this call expired 75 second(s) ago.","correlationId":"c","category":"EXPIRED_AUTHENTICATION"}
            """), crm: "hubspot")
        #expect(expired.code == .authentication)
        #expect(expired.crmCode == "EXPIRED_AUTHENTICATION")
        #expect(HubSpotErrors.error(from: Self.response(404, #"{"category":"OBJECT_NOT_FOUND","message":"nope"}"#), crm: "h").code == .notFound)
        #expect(HubSpotErrors.error(from: Self.response(409, #"{"category":"CONFLICT","message":"Contact already exists. Existing ID: 1"}"#), crm: "h").code == .validation)
        #expect(HubSpotErrors.error(from: Self.response(403, #"{"category":"MISSING_SCOPES","message":"scopes"}"#), crm: "h").code == .permanent)
        #expect(HubSpotErrors.error(from: Self.response(502, "<html>bad gateway</html>"), crm: "h").code == .transient)
    }
}
