import ConcordCore
import ConcordConnectors
import ConcordStore
import Crypto
import Foundation

/// HubSpot app webhooks: a JSON array of up to 100 events, signed with
/// `X-HubSpot-Signature-v3` = base64(HMAC-SHA256(client secret, method + URI + body +
/// timestamp)) and `X-HubSpot-Request-Timestamp` (ms), refused when older than 5 minutes.
public struct HubSpotIntake: WebhookIntake {
    public let crm: String
    let secret: String
    let objects: WebhookObjects
    /// The `sourceId` of Concord's own app: its writes' events are not worked.
    let ownSourceID: String?
    /// HubSpot sends at most 100 events a request.
    static let maxEvents = 100

    /// An intake checking signatures with the app's client secret.
    public init(crm: String, secret: String, objects: WebhookObjects, ownSourceID: String? = nil) {
        self.crm = crm
        self.secret = secret
        self.objects = objects
        self.ownSourceID = ownSourceID
    }

    /// The v3 signature of a request (what HubSpot sends, and what the emulator signs with).
    public static func signature(secret: String, method: String, uri: String, body: [UInt8], timestamp: String) -> String {
        var message = Array((method + uri).utf8)
        message += body
        message += Array(timestamp.utf8)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Array(secret.utf8)))
        return Data(mac).base64EncodedString()
    }

    public func accept(_ r: WebhookRequest, now: UInt64) throws(WebhookRejection) -> WebhookAcceptance {
        try IntakeChecks.post(r)
        try IntakeChecks.mediaType(r, ["application/json"])
        guard let given = r.header("x-hubspot-signature-v3"), !given.isEmpty else {
            throw WebhookRejection(.unauthenticated, "X-HubSpot-Signature-v3 is missing")
        }
        let timestamp = r.header("x-hubspot-request-timestamp")
        try IntakeChecks.fresh(timestamp, now: now, header: "X-HubSpot-Request-Timestamp")
        // HubSpot signs the URI with some characters percent-decoded; both forms are tried.
        let expected = [r.fullURL, WebhookRequest.percentDecoded(r.fullURL)].map {
            Self.signature(secret: secret, method: r.method.uppercased(), uri: $0, body: r.body, timestamp: timestamp ?? "")
        }
        guard expected.contains(where: { ConstantTime.equal($0, given) }) else {
            throw WebhookRejection(.badSignature, "X-HubSpot-Signature-v3 does not match this request signed with the configured client secret")
        }
        let json: ExactJSON
        do { json = try ExactJSON.parse(r.body) } catch { throw WebhookRejection(.malformed, "the body is not JSON: \(error)") }
        guard let items = json.arrayValue else { throw WebhookRejection(.malformed, "the body is not a JSON array of events") }
        guard items.count <= Self.maxEvents else {
            throw WebhookRejection(.malformed, "\(items.count) events in one request; HubSpot sends at most \(Self.maxEvents)")
        }
        var events: [InboxEvent] = []
        var ignored = 0
        for (n, item) in items.enumerated() {
            guard let eventID = item["eventId"]?.textValue, let type = item["subscriptionType"]?.stringValue,
                  let objectID = item["objectId"]?.textValue, !objectID.isEmpty else {
                throw WebhookRejection(.malformed, "event \(n) lacks eventId, subscriptionType or objectId")
            }
            let parts = type.split(separator: ".", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw WebhookRejection(.malformed, "event \(n) has subscriptionType \"\(type.prefix(60))\"") }
            let objectName = parts[0] == "object" ? (item["objectTypeId"]?.stringValue ?? "") : parts[0]
            // The echo of Concord's own write: Concord knows what it wrote (its shadow).
            if let ownSourceID, item["changeSource"]?.stringValue == "INTEGRATION", item["sourceId"]?.textValue == ownSourceID {
                ignored += 1
                continue
            }
            guard let object = objects.hubspot(objectName) else {
                ignored += 1
                continue
            }
            let occurred = item["occurredAt"]?.textValue.flatMap { UInt64($0) } ?? 0
            // Deletes, merges and restores take the pull path (the delete log and merge
            // records say what became of the record); the others read the record by id.
            let kind: InboxEvent.Kind = ["deletion", "merge", "restore", "privacyDeletion"].contains(parts[1]) ? .delete : .change
            events.append(InboxEvent(replica: crm, crmObject: object, crmID: objectID, eventID: eventID, kind: kind, occurredAt: occurred))
        }
        return WebhookAcceptance(events: events, ignored: ignored, replayKey: given, response: .ok)
    }
}
