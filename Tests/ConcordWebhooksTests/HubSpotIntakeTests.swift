import ConcordStore
@testable import ConcordWebhooks
import Testing

@Suite("Webhooks: HubSpot v3 signatures and event batches")
struct HubSpotIntakeTests {
    let intake = HubSpotIntake(crm: "hubspot", secret: "client-secret", objects: WebhookObjects(mapped: ["contacts", "companies"]))
    let url = "https://concord.example.com/webhooks/hubspot"
    let now: UInt64 = 1_800_000_000_000

    func request(_ body: String, timestamp: UInt64? = nil, secret: String = "client-secret", contentType: String = "application/json",
                 method: String = "POST", signature: String? = nil) -> WebhookRequest {
        let ts = String(timestamp ?? now)
        let sig = signature ?? HubSpotIntake.signature(secret: secret, method: method, uri: url, body: Array(body.utf8), timestamp: ts)
        return WebhookRequest(method: method, uri: "/webhooks/hubspot", fullURL: url,
                              headers: ["Content-Type": contentType, "X-HubSpot-Signature-v3": sig, "X-HubSpot-Request-Timestamp": ts],
                              body: Array(body.utf8))
    }

    let batch = """
        [{"eventId": 11, "subscriptionType": "contact.propertyChange", "objectId": 501, "occurredAt": 1799999999000,
          "propertyName": "phone", "propertyValue": "+1"},
         {"eventId": 12, "subscriptionType": "company.creation", "objectId": 601, "occurredAt": 1799999999001},
         {"eventId": 13, "subscriptionType": "contact.deletion", "objectId": 502, "occurredAt": 1799999999002},
         {"eventId": 14, "subscriptionType": "ticket.creation", "objectId": 701, "occurredAt": 1799999999003},
         {"eventId": 15, "subscriptionType": "object.propertyChange", "objectTypeId": "0-1", "objectId": 503}]
        """

    @Test("a signed batch becomes inbox events: changes read by id, deletes by the pull path, other objects ignored")
    func acceptsASignedBatch() throws {
        let a = try intake.accept(request(batch), now: now)
        #expect(a.events.map(\.crmID) == ["501", "601", "502", "503"])
        #expect(a.events.map(\.crmObject) == ["contacts", "companies", "contacts", "contacts"])
        #expect(a.events.map(\.kind) == [.change, .change, .delete, .change])
        #expect(a.events.map(\.eventID) == ["11", "12", "13", "15"])
        #expect(a.events[0].occurredAt == 1_799_999_999_000)
        #expect(a.ignored == 1)
        #expect(a.replayKey != nil)
        #expect(a.response.status == 200)
    }

    @Test("the signature is base64 HMAC-SHA256 of method + URI + body + timestamp")
    func signatureFormula() {
        // Computed independently (Python's hmac): base64(HMAC-SHA256(b"secret",
        // b"POSThttps://example.com/hook[]1700000000000")).
        let sig = HubSpotIntake.signature(secret: "secret", method: "POST", uri: "https://example.com/hook", body: Array("[]".utf8),
                                          timestamp: "1700000000000")
        #expect(sig == "0/4DF+YUcmbqY3ggukl+oIJILQ/DMu3iavl4482uHT4=")
    }

    @Test("wrong secret, missing signature, tampered body, stale or future timestamp: 401, no events")
    func refusesBadSignatures() {
        func kind(_ r: WebhookRequest) -> WebhookRejection.Kind? {
            do { _ = try intake.accept(r, now: now); return nil } catch { return error.kind }
        }
        #expect(kind(request(batch, secret: "other")) == .badSignature)
        var missing = request(batch)
        missing.headers["x-hubspot-signature-v3"] = nil
        #expect(kind(missing) == .unauthenticated)
        var tampered = request(batch)
        tampered.body[3] = UInt8(ascii: "9")
        #expect(kind(tampered) == .badSignature)
        #expect(kind(request(batch, timestamp: now - 300_001)) == .stale)
        #expect(kind(request(batch, timestamp: now + 300_001)) == .stale)
        #expect(kind(request(batch, timestamp: now - 299_000)) == nil)
        var noTime = request(batch)
        noTime.headers["x-hubspot-request-timestamp"] = nil
        #expect(kind(noTime) == .unauthenticated)
        #expect(WebhookRejection(.badSignature, "").status == 401)
    }

    @Test("bad bodies: not JSON, not an array, more than 100 events, an event without an id: 400")
    func refusesMalformedBodies() {
        for body in ["{not json", "{\"eventId\": 1}", "[{\"subscriptionType\": \"contact.creation\", \"objectId\": 1}]",
                     "[" + (0...100).map { "{\"eventId\": \($0), \"subscriptionType\": \"contact.creation\", \"objectId\": 1}" }.joined(separator: ",") + "]"] {
            #expect(throws: WebhookRejection.self) { try intake.accept(request(body), now: now) }
            do { _ = try intake.accept(request(body), now: now) } catch { #expect(error.kind == .malformed && error.status == 400) }
        }
    }

    @Test("wrong content type 415, wrong method 405")
    func refusesWrongShapes() {
        do { _ = try intake.accept(request(batch, contentType: "text/plain"), now: now); Issue.record("accepted") } catch {
            #expect(error.status == 415)
        }
        do { _ = try intake.accept(request(batch, method: "GET"), now: now); Issue.record("accepted") } catch { #expect(error.status == 405) }
    }

    @Test("the rejection reason names neither the secret nor the body")
    func reasonsLeakNothing() {
        do { _ = try intake.accept(request(batch, secret: "other"), now: now) } catch {
            #expect(!error.description.contains("client-secret"))
            #expect(!error.description.contains("propertyValue"))
        }
    }

    @Test("events of Concord's own writes (its app's sourceId) are answered and not worked; another integration's are")
    func ownChangesIgnored() throws {
        let own = HubSpotIntake(crm: "hubspot", secret: "client-secret", objects: WebhookObjects(mapped: ["contacts"]), ownSourceID: "4242")
        let body = """
            [{"eventId": 1, "subscriptionType": "contact.propertyChange", "objectId": 5, "changeSource": "INTEGRATION", "sourceId": "4242"},
             {"eventId": 2, "subscriptionType": "contact.propertyChange", "objectId": 6, "changeSource": "INTEGRATION", "sourceId": "999"},
             {"eventId": 3, "subscriptionType": "contact.propertyChange", "objectId": 7, "changeSource": "CRM_UI", "sourceId": "userId:1"}]
            """
        let a = try own.accept(request(body), now: now)
        #expect(a.events.map(\.crmID) == ["6", "7"])
        #expect(a.ignored == 1)
    }
}
