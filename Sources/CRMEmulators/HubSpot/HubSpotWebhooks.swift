import Crypto
import Foundation

/// HubSpot webhook payloads and v3 signatures.
public enum HubSpotWebhooks {
    /// `base64(HMAC-SHA256(secret, method + uri + body + timestamp))`.
    public static func signatureV3(secret: String, method: String, uri: String, body: [UInt8], timestamp: String) -> String {
        var message = Data((method + uri).utf8)
        message.append(contentsOf: body)
        message.append(contentsOf: Array(timestamp.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(secret.utf8)))
        return Data(mac).base64EncodedString()
    }

    static let singular = ["contacts": "contact", "companies": "company", "deals": "deal"]

    /// The `sourceId` of changes made through the API (the emulator knows one app).
    public static let appSourceID = "emulator-app"

    /// The events of one change (one per changed property on updates).
    static func events(_ event: ChangeEvent, _ record: StoredRecord) -> [JSONValue] {
        guard let object = singular[event.type] else { return [] }
        let base: [String: JSONValue] = [
            "eventId": .int(event.sequence), "subscriptionId": 1, "portalId": 62515, "appId": 54321, "occurredAt": .int(event.at),
            "attemptNumber": 0, "objectId": .int(Int64(record.id) ?? 0), "changeSource": .string(event.source == "API" ? "INTEGRATION" : "CRM_UI"),
            "sourceId": .string(event.source == "API" ? appSourceID : "userId:1"),
        ]
        var events: [JSONValue] = []
        func add(_ type: String, _ extra: [String: JSONValue] = [:]) {
            events.append(.object(base.merging(extra) { $1 }.merging(["subscriptionType": .string("\(object).\(type)")]) { $1 }))
        }
        switch event.kind {
        case .created: add("creation")
        case .deleted: add("deletion")
        case .undeleted: add("restore")
        case .merged:
            add("merge", ["primaryObjectId": .int(Int64(record.id) ?? 0), "mergedObjectIds": .array([.int(Int64(event.mergedId ?? "") ?? 0)]),
                          "newObjectId": .int(Int64(record.id) ?? 0)])
        case .updated:
            for field in event.changedFields {
                add("propertyChange", ["propertyName": .string(field), "propertyValue": .string(record.fields[field]?.textForm ?? "")])
            }
        }
        return events
    }

    /// One request carrying `events`, signed now (each retry is signed anew, as HubSpot does).
    static func batch(_ events: [JSONValue], _ target: WebhookTarget) -> WebhookMessage {
        let body = JSONValue.array(events).bytes
        let timestamp = String(EmulatorClock.systemMillis())
        var headers = ["Content-Type": "application/json", "X-HubSpot-Request-Timestamp": timestamp]
        if let secret = target.secret {
            headers["X-HubSpot-Signature-v3"] = signatureV3(secret: secret, method: "POST", uri: target.url, body: body, timestamp: timestamp)
            headers["X-HubSpot-Signature-Version"] = "v3"
        }
        return WebhookMessage(url: target.url, headers: headers, body: body)
    }
}
