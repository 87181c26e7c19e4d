import ConcordStore
@testable import ConcordWebhooks
import Testing

@Suite("Webhooks: Dataverse RemoteExecutionContext")
struct DataverseIntakeTests {
    let objects = WebhookObjects(mapped: ["contacts", "accounts", "opportunities"])

    func context(_ message: String, entity: String = "contact", id: String = "A1B2C3D4-0000-4000-8000-000000000001") -> [UInt8] {
        Array("""
        {"MessageName": "\(message)", "PrimaryEntityName": "\(entity)", "PrimaryEntityId": "\(id)", "CorrelationId": "c-1",
         "OperationCreatedOn": "/Date(1799999999000)/", "Depth": 1,
         "InputParameters": [{"key": "Target", "value": {"LogicalName": "\(entity)", "Id": "\(id)", "RowVersion": "1234"}}]}
        """.utf8)
    }

    func request(uri: String = "/webhooks/dynamics?code=key-1", headers: [String: String] = [:], body: [UInt8]) -> WebhookRequest {
        WebhookRequest(method: "POST", uri: uri, fullURL: "", headers: headers.merging(["Content-Type": "application/json"]) { a, _ in a }, body: body)
    }

    @Test("a WebhookKey context becomes one event: the logical name resolved to the entity set, the id lowercased")
    func webhookKey() throws {
        let intake = DataverseIntake(crm: "dynamics", auth: .webhookKey("key-1"), objects: objects)
        let a = try intake.accept(request(body: context("Update")), now: 0)
        #expect(a.events.count == 1)
        #expect(a.events[0].crmObject == "contacts")
        #expect(a.events[0].crmID == "a1b2c3d4-0000-4000-8000-000000000001")
        #expect(a.events[0].kind == .change)
        #expect(a.events[0].occurredAt == 1_799_999_999_000)
        #expect(try intake.accept(request(body: context("Delete")), now: 0).events[0].kind == .delete)
        #expect(try intake.accept(request(body: context("Update", entity: "opportunity")), now: 0).events[0].crmObject == "opportunities")
        #expect(try intake.accept(request(body: context("Update", entity: "lead")), now: 0).ignored == 1)
        // The same delivery again has the same event id (the inbox deduplicates it).
        #expect(try intake.accept(request(body: context("Update")), now: 0).events[0].eventID == a.events[0].eventID)
    }

    @Test("HttpHeader and HttpQueryString authentication; a missing or wrong value is refused")
    func headerAndQuery() throws {
        let header = DataverseIntake(crm: "dynamics", auth: .header(name: "x-concord-key", value: "v1"), objects: objects)
        #expect(try header.accept(request(uri: "/w", headers: ["X-Concord-Key": "v1"], body: context("Create")), now: 0).events.count == 1)
        do { _ = try header.accept(request(uri: "/w", headers: ["X-Concord-Key": "v2"], body: context("Create")), now: 0); Issue.record("accepted") } catch {
            #expect(error.kind == .badSignature)
        }
        do { _ = try header.accept(request(uri: "/w", body: context("Create")), now: 0); Issue.record("accepted") } catch {
            #expect(error.kind == .unauthenticated)
        }
        let query = DataverseIntake(crm: "dynamics", auth: .queryString(name: "token", value: "a b&c"), objects: objects)
        #expect(try query.accept(request(uri: "/w?token=a%20b%26c", body: context("Create")), now: 0).events.count == 1)
        do { _ = try query.accept(request(uri: "/w?token=a", body: context("Create")), now: 0); Issue.record("accepted") } catch {
            #expect(error.kind == .badSignature)
        }
    }

    @Test("a body that is not a RemoteExecutionContext is refused with 400")
    func malformed() {
        let intake = DataverseIntake(crm: "dynamics", auth: .webhookKey("key-1"), objects: objects)
        for body in ["", "[]", "{\"MessageName\": \"Update\"}", "{\"MessageName\": 1, \"PrimaryEntityName\": \"contact\", \"PrimaryEntityId\": \"x\"}"] {
            do { _ = try intake.accept(request(body: Array(body.utf8)), now: 0); Issue.record("accepted \(body)") } catch {
                #expect(error.status == 400, "\(body): \(error)")
            }
        }
    }

    @Test("operations Concord's application user initiated are not worked")
    func ownChangesIgnored() throws {
        let intake = DataverseIntake(crm: "dynamics", auth: .webhookKey("key-1"), objects: objects, ownUserID: "75c2bd34-0000-4000-8000-00000000a0a0")
        var own = context("Update")
        own.removeLast()
        own += Array(", \"InitiatingUserId\": \"75C2BD34-0000-4000-8000-00000000A0A0\"}".utf8)
        #expect(try intake.accept(request(body: own), now: 0).events.isEmpty)
        var other = context("Update")
        other.removeLast()
        other += Array(", \"InitiatingUserId\": \"11111111-2222-4333-8444-555555555555\"}".utf8)
        #expect(try intake.accept(request(body: other), now: 0).events.count == 1)
    }
}
