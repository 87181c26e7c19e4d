import CRMEmulators
import Crypto
import Foundation
import Testing

/// Collects webhook requests posted to a loopback receiver.
final class Receiver: Sendable {
    private let received = LockedBox<[EmulatorRequest]>([])
    var requests: [EmulatorRequest] { received.value }

    func start() async throws -> EmulatorServer {
        try await EmulatorServer.start { request in
            self.received.mutate { $0.append(request) }
            return .empty(200)
        }
    }

    /// Waits (bounded) until `count` requests arrived.
    func wait(for count: Int) async {
        for _ in 0..<200 where requests.count < count { try? await Task.sleep(nanoseconds: 25_000_000) }
    }
}

final class LockedBox<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    var value: T { lock.lock(); defer { lock.unlock() }; return stored }
    func mutate(_ body: (inout T) -> Void) { lock.lock(); body(&stored); lock.unlock() }
}

@Suite struct WebhookTests {
    @Test func hubSpotV3SignatureMatchesIndependentHMAC() async throws {
        let receiver = Receiver()
        let sink = try await receiver.start()
        let target = "\(sink.baseURL)/hooks/hubspot"
        try await withServer(HubSpotEmulator()) { client in
            _ = try await client.send("POST", "/__admin/webhooks", json: ["url": .string(target), "secret": "shh"])
            _ = try await client.send("POST", "/crm/v3/objects/contacts", json: ["properties": ["email": "w@x.com"]])
            await receiver.wait(for: 1)
        }
        await sink.stop()
        let request = try #require(receiver.requests.first)
        let timestamp = try #require(request.header("x-hubspot-request-timestamp"))
        let signature = try #require(request.header("x-hubspot-signature-v3"))
        let key = SymmetricKey(data: Data("shh".utf8))
        let expected = Data(HMAC<SHA256>.authenticationCode(for: Data("POST".utf8) + Data(target.utf8) + Data(request.body) + Data(timestamp.utf8), using: key)).base64EncodedString()
        #expect(signature == expected)
        let events = try #require(try JSONValue.parse(request.body).arrayValue)
        #expect(events.first?["subscriptionType"] == "contact.creation")
    }

    @Test func salesforceChangeEventsAndOutboundMessages() async throws {
        let receiver = Receiver()
        let sink = try await receiver.start()
        try await withServer(SalesforceEmulator()) { client in
            _ = try await client.send("POST", "/__admin/webhooks", json: ["url": .string("\(sink.baseURL)/cdc")])
            let created = try await client.send("POST", "/services/data/v59.0/sobjects/Contact", json: ["LastName": "Cdc"])
            let id = created.json?["id"]?.stringValue ?? ""
            _ = try await client.send("PATCH", "/services/data/v59.0/sobjects/Contact/\(id)", json: ["FirstName": "Ann"],
                                      headers: ["Sforce-Call-Options": "client=ConcordSync"])
            await receiver.wait(for: 2)
            _ = try await client.send("POST", "/__admin/webhooks", json: ["url": .string("\(sink.baseURL)/om"), "format": "outbound"])
            _ = try await client.send("PATCH", "/services/data/v59.0/sobjects/Contact/\(id)", json: ["FirstName": "Bea"])
            await receiver.wait(for: 3)
        }
        await sink.stop()
        let cdc = receiver.requests.filter { $0.path == "/cdc" }.compactMap { try? JSONValue.parse($0.body) }
        let header = cdc.compactMap { $0["data"]?["payload"]?["ChangeEventHeader"] }
        #expect(Set(header.compactMap { $0["changeType"]?.stringValue }) == ["CREATE", "UPDATE"])
        #expect(header.first { $0["changeType"] == "UPDATE" }?["changedFields"]?.arrayValue?.contains("FirstName") == true)
        #expect(header.first { $0["changeType"] == "UPDATE" }?["changeOrigin"] == "com/salesforce/api/rest/59.0;client=ConcordSync")
        #expect(header.first { $0["changeType"] == "CREATE" }?["changeOrigin"] == "com/salesforce/api/rest/59.0")
        let soap = try #require(receiver.requests.first { $0.path == "/om" })
        let text = String(decoding: soap.body, as: UTF8.self)
        #expect(text.contains("<notifications xmlns=\"http://soap.sforce.com/2005/09/outbound\">"))
        #expect(text.contains("<sf:FirstName>Bea</sf:FirstName>"))
    }

    @Test func dataverseRemoteExecutionContextWithWebhookKey() async throws {
        let receiver = Receiver()
        let sink = try await receiver.start()
        try await withServer(DataverseEmulator()) { client in
            _ = try await client.send("POST", "/__admin/webhooks", json: ["url": .string("\(sink.baseURL)/dv"), "secret": "key-1"])
            _ = try await client.send("POST", "/api/data/v9.2/accounts", json: ["name": "Hooked"])
            await receiver.wait(for: 1)
        }
        await sink.stop()
        let request = try #require(receiver.requests.first)
        #expect(request.queryValue("code") == "key-1")
        #expect(request.header("x-ms-dynamics-entity-name") == "account")
        #expect(request.header("x-ms-dynamics-request-name") == "Create")
        #expect(request.header("x-ms-correlation-request-id") != nil)
        let body = try JSONValue.parse(request.body)
        #expect(body["MessageName"] == "Create")
        #expect(body["InputParameters"]?.arrayValue?.first?["value"]?["LogicalName"] == "account")
    }
}
