import ConcordStore
@testable import ConcordWebhooks

/// The webhook intakes of `concord serve`: the first byte picks HubSpot, Salesforce change
/// events, Salesforce outbound messages or Dataverse; the rest is the body, sent with a
/// valid signature or key so that the body's decoding is what runs. Any bytes are either
/// accepted with well-formed events or refused with a 4xx rejection; never a crash.
enum WebhooksTarget {
    static let objects = WebhookObjects(mapped: ["contacts", "companies", "deals", "Contact", "Account", "accounts", "opportunities"])
    static let now: UInt64 = 1_800_000_000_000

    static func run(_ bytes: [UInt8]) {
        var input = InputReader(bytes)
        let route = input.pick([0, 1, 2, 3])
        let body = input.rest
        let stamp = String(now)
        let result: Result<WebhookAcceptance, WebhookRejection>
        switch route {
        case 0:
            let url = "https://concord.example.com/webhooks/hubspot"
            let intake = HubSpotIntake(crm: "hubspot", secret: "s", objects: objects)
            let sig = HubSpotIntake.signature(secret: "s", method: "POST", uri: url, body: body, timestamp: stamp)
            result = Result { () throws(WebhookRejection) in try intake.accept(WebhookRequest(method: "POST", uri: "/webhooks/hubspot", fullURL: url,
                headers: ["Content-Type": "application/json", "X-HubSpot-Signature-v3": sig, "X-HubSpot-Request-Timestamp": stamp], body: body), now: now) }
        case 1, 2:
            let intake = SalesforceIntake(crm: "salesforce", secret: "s", organizationID: "00D5g0000000001EAA", objects: objects)
            let headers = route == 1
                ? ["Content-Type": "application/json", "X-Concord-Signature": SalesforceIntake.signature(secret: "s", timestamp: stamp, body: body)]
                : ["Content-Type": "text/xml"]
            result = Result { () throws(WebhookRejection) in
                try intake.accept(WebhookRequest(method: "POST", uri: "/webhooks/salesforce", fullURL: "", headers: headers, body: body), now: now)
            }
        default:
            let intake = DataverseIntake(crm: "dynamics", auth: .webhookKey("k"), objects: objects)
            result = Result { () throws(WebhookRejection) in try intake.accept(WebhookRequest(method: "POST", uri: "/webhooks/dynamics?code=k", fullURL: "",
                headers: ["Content-Type": "application/json"], body: body), now: now) }
        }
        switch result {
        case .success(let accepted):
            for event in accepted.events {
                check(!event.crmID.isEmpty && !event.eventID.isEmpty && !event.crmObject.isEmpty, "an event without an id: \(event)")
                check(objects.mapped.contains(event.crmObject), "an event for an object not synced: \(event.crmObject)")
            }
            check(accepted.response.status == 200, "accepted with status \(accepted.response.status)")
        case .failure(let rejection):
            check((400..<500).contains(rejection.status), "a bad body answered \(rejection.status)")
        }
    }
}
