import ConcordCore
import ConcordConnectors
import ConcordStore
import Crypto
import Foundation

/// Salesforce's two push routes into `concord serve`:
///
/// - **Change events as JSON**, posted by an Apex trigger on the change event (or a Flow's
///   HTTP callout), signed with a shared secret: `X-Concord-Signature: t=<Unix ms>,v1=<hex
///   HMAC-SHA256(secret, "<t>.<body>")>`. One event (`{"data": {"payload": ..., "event":
///   {"replayId": ...}}, "channel": ...}`) or an array of them.
/// - **Outbound messages** (SOAP, from a workflow or Flow): checked against the
///   organization id, answered with the SOAP `Ack`. Salesforce cannot sign these (it offers
///   a client certificate instead), so the organization id is the check: serve over TLS.
public struct SalesforceIntake: WebhookIntake {
    public let crm: String
    let secret: String?
    let organizationID: String?
    let objects: WebhookObjects
    /// The `client=` of Concord's call options: change events of its own writes (their
    /// `changeOrigin` names it) are not worked.
    let ownClient: String

    /// An intake; `secret` enables the change-event route, `organizationID` the outbound one.
    public init(crm: String, secret: String?, organizationID: String?, objects: WebhookObjects, ownClient: String = "concord") {
        self.crm = crm
        self.secret = secret
        self.organizationID = organizationID
        self.objects = objects
        self.ownClient = ownClient
    }

    /// The `X-Concord-Signature` value for a body sent at `timestamp` (ms).
    public static func signature(secret: String, timestamp: String, body: [UInt8]) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array((timestamp + ".").utf8) + body, using: SymmetricKey(data: Array(secret.utf8)))
        return "t=\(timestamp),v1=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    /// The SOAP acknowledgement Salesforce waits for (without it, it redelivers).
    public static let acknowledgement = Array("""
        <?xml version="1.0" encoding="UTF-8"?>
        <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>\
        <notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound"><Ack>true</Ack></notificationsResponse>\
        </soapenv:Body></soapenv:Envelope>
        """.utf8)

    public func accept(_ r: WebhookRequest, now: UInt64) throws(WebhookRejection) -> WebhookAcceptance {
        try IntakeChecks.post(r)
        try IntakeChecks.mediaType(r, ["application/json", "text/xml", "application/soap+xml"])
        return r.mediaType == "application/json" ? try changeEvents(r, now: now) : try outbound(r)
    }

    func changeEvents(_ r: WebhookRequest, now: UInt64) throws(WebhookRejection) -> WebhookAcceptance {
        guard let secret else { throw WebhookRejection(.notConfigured, "change events need service.webhooks.\(crm).secret") }
        guard let header = r.header("x-concord-signature"), !header.isEmpty else {
            throw WebhookRejection(.unauthenticated, "X-Concord-Signature is missing")
        }
        var parts: [String: String] = [:]
        for item in header.split(separator: ",") {
            let kv = item.split(separator: "=", maxSplits: 1)
            if kv.count == 2 { parts[kv[0].trimmingCharacters(in: .whitespaces)] = String(kv[1]) }
        }
        try IntakeChecks.fresh(parts["t"], now: now, header: "X-Concord-Signature t")
        let expected = Self.signature(secret: secret, timestamp: parts["t"] ?? "", body: r.body)
        guard ConstantTime.equal(expected, "t=\(parts["t"] ?? ""),v1=\(parts["v1"] ?? "")") else {
            throw WebhookRejection(.badSignature, "X-Concord-Signature does not match this body signed with the configured secret")
        }
        let json: ExactJSON
        do { json = try ExactJSON.parse(r.body) } catch { throw WebhookRejection(.malformed, "the body is not JSON: \(error)") }
        let items = json.arrayValue ?? [json]
        guard items.count <= 1_000 else { throw WebhookRejection(.malformed, "\(items.count) change events in one request (at most 1000)") }
        var events: [InboxEvent] = []
        var ignored = 0
        for (n, item) in items.enumerated() {
            guard let header = item["data"]?["payload"]?["ChangeEventHeader"], let entity = header["entityName"]?.stringValue,
                  let change = header["changeType"]?.stringValue, let replay = item["data"]?["event"]?["replayId"]?.textValue else {
                throw WebhookRejection(.malformed, "change event \(n) lacks data.payload.ChangeEventHeader (entityName, changeType) or data.event.replayId")
            }
            guard let object = objects.salesforce(entity) else {
                ignored += 1
                continue
            }
            // The echo of Concord's own write (its call options name its client).
            if let origin = header["changeOrigin"]?.stringValue, origin.hasPrefix("com/salesforce/api/"),
               origin.split(separator: ";").contains(where: { $0 == "client=\(ownClient)" }) {
                ignored += 1
                continue
            }
            let ids = header["recordIds"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let occurred = header["commitTimestamp"]?.textValue.flatMap { UInt64($0) } ?? 0
            let channel = item["channel"]?.stringValue ?? entity
            // A gap or overflow event names no usable field values (or no records): the pull
            // path reads what changed. Deletes and undeletes too.
            let pull = change.hasPrefix("GAP_") || change == "DELETE" || change == "UNDELETE" || ids.isEmpty
            if ids.isEmpty {
                events.append(InboxEvent(replica: crm, crmObject: object, crmID: "*", eventID: "cdc:\(channel):\(replay)", kind: .delete,
                                         occurredAt: occurred))
            }
            for id in ids {
                events.append(InboxEvent(replica: crm, crmObject: object, crmID: id, eventID: "cdc:\(channel):\(replay):\(id)",
                                         kind: pull ? .delete : .change, occurredAt: occurred))
            }
        }
        return WebhookAcceptance(events: events, ignored: ignored, replayKey: header, response: .ok)
    }

    func outbound(_ r: WebhookRequest) throws(WebhookRejection) -> WebhookAcceptance {
        guard let organizationID else { throw WebhookRejection(.notConfigured, "outbound messages need service.webhooks.\(crm).organization_id") }
        let message: OutboundMessage
        do { message = try OutboundMessage.parse(r.body) } catch { throw WebhookRejection(.malformed, error.reason) }
        guard message.organizationID.prefix(15) == organizationID.prefix(15) else {
            throw WebhookRejection(.wrongOrganization, "outbound message from organization \(message.organizationID), not the configured one")
        }
        var events: [InboxEvent] = []
        var ignored = 0
        for n in message.notifications {
            guard let object = objects.salesforce(n.objectType) else {
                ignored += 1
                continue
            }
            events.append(InboxEvent(replica: crm, crmObject: object, crmID: n.recordID, eventID: "om:\(n.id)", kind: .change, occurredAt: 0))
        }
        return WebhookAcceptance(events: events, ignored: ignored, replayKey: nil,
                                 response: WebhookResponse(status: 200, contentType: "text/xml; charset=utf-8", body: Self.acknowledgement))
    }
}
