import Crypto
import Foundation

/// Salesforce push formats: Change Data Capture events (CometD JSON) and SOAP outbound messages.
enum SalesforceWebhooks {
    static func messages(_ event: ChangeEvent, _ record: StoredRecord, _ target: WebhookTarget) -> [WebhookMessage] {
        target.format == "outbound" ? outbound(event, record, target) : changeEvent(event, record, target)
    }

    static func changeEvent(_ event: ChangeEvent, _ record: StoredRecord, _ target: WebhookTarget) -> [WebhookMessage] {
        let changeType: String
        switch event.kind {
        case .created: changeType = "CREATE"
        case .updated, .merged: changeType = "UPDATE"
        case .deleted: changeType = "DELETE"
        case .undeleted: changeType = "UNDELETE"
        }
        let all = SalesforceEmulator.fullFields(record)
        let fields = event.kind == .created ? Array(record.fields.keys) : event.changedFields
        var payload: [String: JSONValue] = [:]
        if event.kind != .deleted {
            for name in fields { payload[name] = all[name] ?? .null }
            payload["LastModifiedDate"] = all["LastModifiedDate"]
        }
        payload["ChangeEventHeader"] = [
            "entityName": .string(record.type), "recordIds": [.string(record.id)], "changeType": .string(changeType),
            "changeOrigin": .string(event.source.hasPrefix("API")
                ? "com/salesforce/api/rest/59.0" + event.source.dropFirst(3) : "com/salesforce/ui"),
            "transactionKey": .string(String(format: "%08llx-emulator", event.sequence)), "sequenceNumber": 1,
            "commitTimestamp": .int(event.at), "commitNumber": .int(event.sequence), "commitUser": .string(SalesforceEmulator.defaultUser),
            "nulledFields": .array(event.changedFields.filter { record.fields[$0] == nil }.map { .string($0) }), "diffFields": [],
            "changedFields": .array((event.kind == .updated ? event.changedFields + ["LastModifiedDate"] : []).map { .string($0) }),
        ]
        let body: JSONValue = [
            "data": ["schema": "emulator-schema", "payload": .object(payload), "event": ["replayId": .int(event.sequence)]],
            "channel": .string("/data/\(record.type)ChangeEvent"),
        ]
        var headers = ["Content-Type": "application/json"]
        if let secret = target.secret {
            // Signed as the Apex trigger of docs/webhooks.md signs: t=<ms>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>.
            let t = String(EmulatorClock.systemMillis())
            let mac = HMAC<SHA256>.authenticationCode(for: Array((t + ".").utf8) + body.bytes, using: SymmetricKey(data: Array(secret.utf8)))
            headers["X-Concord-Signature"] = "t=\(t),v1=" + mac.map { String(format: "%02x", $0) }.joined()
        }
        return [WebhookMessage(url: target.url, headers: headers, body: body.bytes)]
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    static func outbound(_ event: ChangeEvent, _ record: StoredRecord, _ target: WebhookTarget) -> [WebhookMessage] {
        guard event.kind == .created || event.kind == .updated else { return [] }
        let fields = SalesforceEmulator.fullFields(record).sorted { $0.key < $1.key }
            .compactMap { key, value in value.textForm.map { "      <sf:\(key)>\(escape($0))</sf:\(key)>" } }
            .joined(separator: "\n")
        let xml = """
        <?xml version="1.0" encoding="UTF-8"?>
        <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
         <soapenv:Body>
          <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
           <OrganizationId>00D5g0000000001EAA</OrganizationId>
           <ActionId>04k5g0000000001AAA</ActionId>
           <SessionId xsi:nil="true"/>
           <EnterpriseUrl>https://emulator.my.salesforce.com/services/Soap/c/59.0/00D5g0000000001</EnterpriseUrl>
           <PartnerUrl>https://emulator.my.salesforce.com/services/Soap/u/59.0/00D5g0000000001</PartnerUrl>
           <Notification>
            <Id>04l5g\(String(format: "%010lld", event.sequence))</Id>
            <sObject xsi:type="sf:\(record.type)" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
        \(fields)
            </sObject>
           </Notification>
          </notifications>
         </soapenv:Body>
        </soapenv:Envelope>
        """
        return [WebhookMessage(url: target.url, headers: ["Content-Type": "text/xml; charset=utf-8", "SOAPAction": "\"\""], body: Array(xml.utf8))]
    }
}
