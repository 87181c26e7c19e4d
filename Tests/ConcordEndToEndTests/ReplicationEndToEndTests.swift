import ConcordConnectors
import ConcordCore
import ConcordEngine
import ConcordMapping
import ConcordReplica
import ConcordReplication
import ConcordService
import ConcordStore
import ConcordWebhooks
import CRMEmulators
import Foundation
import Logging
import Testing

/// An edge replica syncing with `concord serve` (in process, with the emulators) over HTTP:
/// its offline edit reaches the three CRMs through the hub, and their edits reach it, field
/// by field.
@Suite("Replication: an edge through a hub to the CRMs", .serialized)
struct ReplicationEndToEndTests {
    static let token = "edge-token-e2e"

    @Test("an edge's offline edit reaches all three CRMs through the hub, concurrent CRM edits of other fields reach the edge, and the same field goes to the later edit")
    func edgeThroughHub() async throws {
        let stack = try await Stack.start(people: 10, seed: 61)
        var config = stack.config
        config.service.listen = "127.0.0.1:0"
        config.service.safetyNetSeconds = 86_400
        config.service.debounceMillis = 50
        config.service.webhooks = [
            "hubspot": .hubspotSignature(secret: .literal(ServeEndToEndTests.secrets.hubspot)),
            "salesforce": .salesforce(secret: .literal(ServeEndToEndTests.secrets.salesforce), organizationID: "00D5g0000000001EAA"),
            "dynamics": .dataverseWebhookKey(.literal(ServeEndToEndTests.secrets.dataverse)),
        ]
        config.service.ownChanges = ["hubspot": HubSpotWebhooks.appSourceID, "dynamics": DataverseEmulator.applicationUser]
        let (engine, _) = try stack.engine()
        var logger = Logger(label: "replication-e2e")
        logger.logLevel = .critical
        let passes = ServeEndToEndTests.Counter()
        let hub = ReplicationHub(grants: [PeerGrant(name: "laptop", token: Self.token, read: nil, write: nil)])
        let hooks = ServiceHooks(commit: { events in try await engine.withStore { try $0.enqueueInbox(events) } },
                                 notReady: { nil }, status: { [] }, quarantine: { [] }, retryQuarantine: { _ in 0 }, dropQuarantine: { _ in false },
                                 replicate: { auth, query, body in
                                     await engine.absorbingPeerChanges { store, plan in
                                         hub.exchange(authorization: auth, query: query, body: body, store: store, afterMerge: plan)
                                     }
                                 })
        let service = try await ConcordService.start(ConcordService.Parts(
            engine: engine, settings: config.service, intakes: try WebhookIntakes.make(config: config, environment: [:]), hooks: hooks,
            opsToken: nil, logger: logger, onReport: { kind, _ in if kind == "pass" { passes.add() } }), signals: false)
        let r = ServeEndToEndTests.Running(stack: stack, engine: engine, service: service, passes: passes, webhookPulls: ServeEndToEndTests.Counter())
        defer { Task { await r.stop() } }
        #expect(try await ServeEndToEndTests.eventually { passes.value >= 1 }, "the first pass ran")
        try await r.settle()
        r.subscribe()

        let edge = try ConcordStore.open(path: ":memory:", wallClock: .system)
        let session = ReplicaSession(store: edge, peer: r.base, transport: CurlReplicaTransport(hub: r.base, token: Self.token))
        let first = try await session.syncOnce()
        #expect(first.registersReceived > 0 && first.pendingInAtStart > 0)
        let hs = try #require(stack.emulator("hubspot").control.store.all("contacts").sorted { $0.id < $1.id }.first?.id)
        let gid = try #require(try await engine.withStore { try $0.linkedRecord(replica: "hubspot", objectType: "contact", externalID: hs) })
        let sf = try #require(try await r.copy(of: hs, in: "hubspot", object: "contact", at: "salesforce"))
        let dv = try #require(try await r.copy(of: hs, in: "hubspot", object: "contact", at: "dynamics"))
        #expect(try edge.record(gid) != nil, "the edge holds the contact")

        // Offline on the edge: a city. Then, later, in the CRMs: HubSpot's phone
        // (normalized to E.164 on its way in), Dataverse's city (the same field as the edge's,
        // after it: Dataverse's wins).
        // First alone: the edge's title reaches the CRMs with no webhook round to carry it
        // (the hub pushes what a peer's batch planned).
        _ = try edge.write(gid, objectType: "contact", fields: ["job_title": .string("Edge title")])
        _ = try await session.syncOnce()
        #expect(try await ServeEndToEndTests.eventually {
            stack.emulator("salesforce").control.store.get("Contact", sf)?.fields["Title"] == .string("Edge title")
                && stack.emulator("dynamics").control.store.get("contact", dv)?.fields["jobtitle"] == .string("Edge title")
                && stack.emulator("hubspot").control.store.get("contacts", hs)?.fields["jobtitle"] == .string("Edge title")
        }, "the edge's edit reached the three CRMs through the hub")
        _ = try edge.write(gid, objectType: "contact", fields: ["city": .string("Edge City")])
        let ms = UInt64(Date().timeIntervalSince1970 * 1000)
        try await Task.sleep(for: .milliseconds(Int(1_000 - ms % 1_000) + 20))  // Dataverse stamps whole seconds
        try stack.userEdit("hubspot", "contacts", hs, ["phone": .string("+1 555 0199")])
        try stack.userEdit("dynamics", "contact", dv, ["address1_city": .string("Dataverse City")])

        let converged = try await ServeEndToEndTests.eventually {
            _ = try? await session.syncOnce()
            let s = stack.emulator("salesforce").control.store.get("Contact", sf)?.fields
            let d = stack.emulator("dynamics").control.store.get("contact", dv)?.fields
            let h = stack.emulator("hubspot").control.store.get("contacts", hs)?.fields
            let e = try edge.record(gid)?.state
            func edgeHas(_ f: String, _ v: String) -> Bool { e?.entries.first { $0.name == f }?.register.value == .string(v) }
            return s?["Title"] == .string("Edge title") && h?["jobtitle"] == .string("Edge title") && d?["jobtitle"] == .string("Edge title")
                && s?["MailingCity"] == .string("Dataverse City") && h?["city"] == .string("Dataverse City")
                && d?["address1_city"] == .string("Dataverse City")
                && edgeHas("city", "Dataverse City") && edgeHas("job_title", "Edge title")
                && edgeHas("phone", "+15550199") && s?["Phone"] == .string("+15550199") && d?["telephone1"] == .string("+15550199")
        }
        if !converged {
            let s = stack.emulator("salesforce").control.store.get("Contact", sf)?.fields
            let d = stack.emulator("dynamics").control.store.get("contact", dv)?.fields
            let h = stack.emulator("hubspot").control.store.get("contacts", hs)?.fields
            let hubRec = try await engine.withStore { try $0.record(gid)?.state }
            let outbox = try await engine.withStore { try $0.outboxDepth() }
            Issue.record("""
                not converged: salesforce Title \(String(describing: s?["Title"])) city \(String(describing: s?["MailingCity"])) phone \(String(describing: s?["Phone"]))
                hubspot jobtitle \(String(describing: h?["jobtitle"])) city \(String(describing: h?["city"])) phone \(String(describing: h?["phone"]))
                dynamics jobtitle \(String(describing: d?["jobtitle"])) city \(String(describing: d?["address1_city"])) phone \(String(describing: d?["telephone1"]))
                edge \(String(describing: try edge.record(gid)?.state))
                hub \(String(describing: hubRec)) outbox \(outbox)
                """)
        }
        let phone = try edge.record(gid)?.state.entries.first { $0.name == "phone" }?.register.value
        #expect(phone == (try await engine.withStore { try $0.record(gid)?.state.entries.first { $0.name == "phone" }?.register.value }))
        #expect(passes.value == 1, "by replication and webhooks: no polling pass ran after the first")
        let hubDigest = try await engine.withStore { try $0.digest(objectType: "contact") }
        _ = try await session.syncOnce()
        #expect(try edge.digest(objectType: "contact") == hubDigest, "the edge and the hub hold the same contacts")
    }
}
