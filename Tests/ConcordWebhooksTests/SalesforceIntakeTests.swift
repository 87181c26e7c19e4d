import ConcordStore
@testable import ConcordWebhooks
import Testing

@Suite("Webhooks: Salesforce change events and outbound messages")
struct SalesforceIntakeTests {
    let intake = SalesforceIntake(crm: "salesforce", secret: "shared", organizationID: "00D5g0000000001EAA",
                                  objects: WebhookObjects(mapped: ["Contact", "Account"]))
    let now: UInt64 = 1_800_000_000_000

    func cdc(_ body: String, secret: String = "shared", at: UInt64? = nil) -> WebhookRequest {
        let sig = SalesforceIntake.signature(secret: secret, timestamp: String(at ?? now), body: Array(body.utf8))
        return WebhookRequest(method: "POST", uri: "/webhooks/salesforce", fullURL: "", headers: ["content-type": "application/json",
                              "x-concord-signature": sig], body: Array(body.utf8))
    }

    func event(_ entity: String, _ change: String, _ ids: [String], replay: Int) -> String {
        """
        {"data": {"schema": "s", "payload": {"ChangeEventHeader": {"entityName": "\(entity)", "changeType": "\(change)",
          "recordIds": [\(ids.map { "\"\($0)\"" }.joined(separator: ","))], "commitTimestamp": 1799999999000}, "Phone": "+1"},
          "event": {"replayId": \(replay)}}, "channel": "/data/\(entity)ChangeEvent"}
        """
    }

    @Test("a signed change event: one inbox event per record id; deletes take the pull path; other objects ignored")
    func changeEvents() throws {
        let body = "[" + [event("Contact", "UPDATE", ["003A", "003B"], replay: 7), event("Account", "DELETE", ["001A"], replay: 8),
                          event("Lead", "CREATE", ["00QA"], replay: 9), event("Contact", "GAP_OVERFLOW", [], replay: 10)].joined(separator: ",") + "]"
        let a = try intake.accept(cdc(body), now: now)
        #expect(a.events.map(\.crmID) == ["003A", "003B", "001A", "*"])
        #expect(a.events.map(\.kind) == [.change, .change, .delete, .delete])
        #expect(Set(a.events.map(\.eventID)).count == 4)
        #expect(a.ignored == 1)
        let single = try intake.accept(cdc(event("Contact", "CREATE", ["003C"], replay: 11)), now: now)
        #expect(single.events.map(\.crmID) == ["003C"])
    }

    @Test("change events: a wrong secret, a stale stamp or no signature are refused")
    func changeEventSignatures() {
        let body = event("Contact", "UPDATE", ["003A"], replay: 1)
        for (r, kind) in [(cdc(body, secret: "nope"), WebhookRejection.Kind.badSignature), (cdc(body, at: now - 400_000), .stale)] {
            do { _ = try intake.accept(r, now: now); Issue.record("accepted") } catch { #expect(error.kind == kind) }
        }
        var bare = cdc(body)
        bare.headers["x-concord-signature"] = nil
        do { _ = try intake.accept(bare, now: now); Issue.record("accepted") } catch { #expect(error.kind == .unauthenticated) }
    }

    func soap(org: String, ids: [(String, String)]) -> WebhookRequest {
        let notes = ids.enumerated().map { n, pair in
            """
               <Notification>
                <Id>04l5g000000000\(n)</Id>
                <sObject xsi:type="sf:\(pair.0)" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
                  <sf:Id>\(pair.1)</sf:Id>
                  <sf:Phone>+1 &amp; 2</sf:Phone>
                </sObject>
               </Notification>
            """
        }.joined(separator: "\n")
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
             <soapenv:Body>
              <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
               <OrganizationId>\(org)</OrganizationId>
               <ActionId>04k5g0000000001AAA</ActionId>
            \(notes)
              </notifications>
             </soapenv:Body>
            </soapenv:Envelope>
            """
        return WebhookRequest(method: "POST", uri: "/webhooks/salesforce", fullURL: "", headers: ["Content-Type": "text/xml; charset=utf-8"],
                              body: Array(xml.utf8))
    }

    @Test("an outbound message from the configured organization is acknowledged with the SOAP Ack")
    func outboundMessage() throws {
        let a = try intake.accept(soap(org: "00D5g0000000001EAA", ids: [("Contact", "0035g0000000001AAA"), ("Account", "0015g0000000001AAA")]), now: now)
        #expect(a.events.map(\.crmID) == ["0035g0000000001AAA", "0015g0000000001AAA"])
        #expect(a.events.map(\.crmObject) == ["Contact", "Account"])
        #expect(String(decoding: a.response.body, as: UTF8.self).contains("<Ack>true</Ack>"))
        #expect(a.response.contentType.hasPrefix("text/xml"))
        // The 15-character form of the organization id matches too.
        let short = SalesforceIntake(crm: "salesforce", secret: nil, organizationID: "00D5g0000000001", objects: WebhookObjects(mapped: ["Contact"]))
        #expect(try short.accept(soap(org: "00D5g0000000001EAA", ids: [("Contact", "0035g0000000001AAA")]), now: now).events.count == 1)
    }

    @Test("another organization 403; broken XML or a notification without its record id 400")
    func outboundRefusals() {
        do { _ = try intake.accept(soap(org: "00D000000000002AAA", ids: [("Contact", "003")]), now: now); Issue.record("accepted") } catch {
            #expect(error.kind == .wrongOrganization && error.status == 403)
        }
        var broken = soap(org: "00D5g0000000001EAA", ids: [("Contact", "003")])
        broken.body = Array(broken.body.prefix(broken.body.count / 2))
        do { _ = try intake.accept(broken, now: now); Issue.record("accepted") } catch { #expect(error.kind == .malformed) }
        do { _ = try intake.accept(soap(org: "00D5g0000000001EAA", ids: [("Contact", "")]), now: now); Issue.record("accepted") } catch {
            #expect(error.kind == .malformed)
        }
    }

    @Test("change events of Concord's own writes (changeOrigin names its client) are not worked")
    func ownChangesIgnored() throws {
        func event(_ origin: String, _ id: String, _ replay: Int) -> String {
            """
            {"data": {"payload": {"ChangeEventHeader": {"entityName": "Contact", "changeType": "UPDATE", "recordIds": ["\(id)"],
              "changeOrigin": "\(origin)"}}, "event": {"replayId": \(replay)}}, "channel": "/data/ContactChangeEvent"}
            """
        }
        let body = "[" + [event("com/salesforce/api/rest/59.0;client=concord", "003A", 1), event("com/salesforce/api/rest/59.0;client=other", "003B", 2),
                          event("com/salesforce/ui", "003C", 3)].joined(separator: ",") + "]"
        let a = try intake.accept(cdc(body), now: now)
        #expect(a.events.map(\.crmID) == ["003B", "003C"])
        #expect(a.ignored == 1)
    }
}
