import ConcordConnectors
import ConcordCore
import ConcordEngine
import ConcordMapping
import ConcordService
import ConcordStore
import ConcordWebhooks
import CRMEmulators
import Foundation
import Logging
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `concord serve` in process against the emulators posting real webhooks, with the polling
/// safety net set to a day, so what propagates after the first pass went by the webhook path.
@Suite("Serve: webhooks end to end", .serialized)
struct ServeEndToEndTests {
    static let secrets = (hubspot: "hs-secret", salesforce: "sf-secret", dataverse: "dv-key")

    /// A running service over a fresh stack.
    struct Running {
        let stack: Stack
        let engine: SyncEngine
        let service: ConcordService
        let passes: Counter
        /// Pull calls (incremental reads of a whole object) made by webhook rounds in Salesforce
        /// and HubSpot (whose updates are read by id before they are written).
        let webhookPulls: Counter

        var base: String { "http://127.0.0.1:\(service.port)" }

        func stop() async {
            await service.stop()
            await stack.stop()
        }

        /// Points every emulator's webhooks at the service.
        /// Passes run here (not counted as the service's) until one is quiet: the writes the
        /// first pass deferred are done and their echoes read, so later webhook rounds carry
        /// only the test's edits.
        func settle() async throws {
            _ = await engine.syncToConvergence(maxPasses: 6)
            #expect(try await engine.withStore { try $0.outboxDepth() }.values.reduce(0, +) == 0, "the passes left no write open")
        }

        func subscribe() {
            stack.emulator("hubspot").control.webhookTarget = WebhookTarget(url: base + "/webhooks/hubspot", secret: ServeEndToEndTests.secrets.hubspot)
            stack.emulator("salesforce").control.webhookTarget = WebhookTarget(url: base + "/webhooks/salesforce", secret: ServeEndToEndTests.secrets.salesforce)
            stack.emulator("dynamics").control.webhookTarget = WebhookTarget(url: base + "/webhooks/dynamics", secret: ServeEndToEndTests.secrets.dataverse)
        }

        /// The CRM id of the record linked to `crm`'s `id` in `other`.
        func copy(of id: String, in crm: String, object: String, at other: String) async throws -> String? {
            try await engine.withStore { s in
                guard let gid = try s.linkedRecord(replica: crm, objectType: object, externalID: id) else { return nil }
                return try s.links(of: gid)[other]
            }
        }
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var n = 0
        var value: Int { lock.withLock { n } }
        func add(_ k: Int = 1) { lock.withLock { n += k } }
    }

    static func start(people: Int = 12, seed: UInt64, safetyNet: Int = 86_400, opsToken: String? = nil) async throws -> Running {
        let stack = try await Stack.start(people: people, seed: seed)
        var config = stack.config
        config.service.listen = "127.0.0.1:0"
        config.service.safetyNetSeconds = safetyNet
        config.service.debounceMillis = 50
        config.service.webhooks = [
            "hubspot": .hubspotSignature(secret: .literal(secrets.hubspot)),
            "salesforce": .salesforce(secret: .literal(secrets.salesforce), organizationID: "00D5g0000000001EAA"),
            "dynamics": .dataverseWebhookKey(.literal(secrets.dataverse)),
        ]
        config.service.ownChanges = ["hubspot": HubSpotWebhooks.appSourceID, "dynamics": DataverseEmulator.applicationUser]
        let (engine, _) = try stack.engine()
        var logger = Logger(label: "serve-test")
        logger.logLevel = .critical
        let passes = Counter()
        let webhookPulls = Counter()
        let hooks = ServiceHooks(commit: { events in try await engine.withStore { try $0.enqueueInbox(events) } },
                                 notReady: { nil }, status: { Array("{\"crms\":3}".utf8) }, quarantine: { Array("{\"key\":\"k1\"}\n".utf8) },
                                 retryQuarantine: { _ in 2 }, dropQuarantine: { key in key == "k1" })
        let service = try await ConcordService.start(ConcordService.Parts(
            engine: engine, settings: config.service, intakes: try WebhookIntakes.make(config: config, environment: [:]), hooks: hooks,
            opsToken: opsToken, logger: logger, onReport: { kind, report in
                if kind == "pass" { passes.add() } else {
                    webhookPulls.add(["salesforce", "hubspot"].compactMap { report.replicas[$0]?.apiCalls.byKind["pull"] }.reduce(0, +))
                }
            }), signals: false)
        return Running(stack: stack, engine: engine, service: service, passes: passes, webhookPulls: webhookPulls)
    }

    /// Waits, polling every 50 ms, until `condition` holds; the bound only catches a hang.
    static func eventually(seconds: Double = 120, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        return try await condition()
    }

    static func post(_ url: String, headers: [String: String], body: [UInt8]) async throws -> Int {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = "POST"
        request.httpBody = Data(body)
        for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
        let (_, response) = try await URLSession.shared.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }

    @Test("an edit in each CRM reaches the other two through its webhook, with no polling pass after the first")
    func editsPropagateByWebhook() async throws {
        let r = try await Self.start(seed: 41)
        defer { Task { await r.stop() } }
        #expect(try await Self.eventually { r.passes.value >= 1 }, "the first pass ran")
        try await r.settle()
        r.subscribe()
        let hs = try #require(r.stack.emulator("hubspot").control.store.all("contacts").sorted { $0.id < $1.id }.first?.id)
        #expect(try await Self.eventually { try await r.copy(of: hs, in: "hubspot", object: "contact", at: "salesforce") != nil })
        let sfContact = try #require(try await r.copy(of: hs, in: "hubspot", object: "contact", at: "salesforce"))
        let dvContact = try #require(try await r.copy(of: hs, in: "hubspot", object: "contact", at: "dynamics"))
        try r.stack.userEdit("hubspot", "contacts", hs, ["jobtitle": .string("Title from HubSpot")])
        try r.stack.userEdit("salesforce", "Contact", sfContact, ["Phone": .string("+1 555 0100")])
        try r.stack.userEdit("dynamics", "contact", dvContact, ["firstname": .string("Dataverse-Name")])
        let arrived = try await Self.eventually {
            let sf = r.stack.emulator("salesforce").control.store.get("Contact", sfContact)?.fields
            let dv = r.stack.emulator("dynamics").control.store.get("contact", dvContact)?.fields
            let h = r.stack.emulator("hubspot").control.store.get("contacts", hs)?.fields
            return sf?["Title"] == .string("Title from HubSpot") && dv?["jobtitle"] == .string("Title from HubSpot")
                && h?["phone"] != nil && dv?["telephone1"] == h?["phone"] && h?["phone"] != .null
                && h?["firstname"] == .string("Dataverse-Name") && sf?["FirstName"] == .string("Dataverse-Name")
        }
        #expect(arrived, "each edit reached the other two CRMs")
        #expect(r.passes.value == 1, "by webhooks: no polling pass ran after the first")
        // Salesforce and HubSpot updates are read by id just before they are written, so rounds
        // that only update pull no object of theirs again (a pass would pull each object).
        #expect(r.webhookPulls.value == 0, "webhook rounds pulled whole objects \(r.webhookPulls.value) times")
        let depth = try await r.engine.withStore { try $0.inboxDepth().pending }
        #expect(try await Self.eventually { try await r.engine.withStore { try $0.inboxDepth().pending } == 0 }, "the inbox drained (\(depth) left)")
    }

    @Test("two edits of one record, one webhook round after the other: the second reaches Dataverse too (Concord's first write changed the row version its If-Match names, and that write's echo is filtered)")
    func secondRoundWritesTheSameDataverseRow() async throws {
        let r = try await Self.start(seed: 47)
        defer { Task { await r.stop() } }
        #expect(try await Self.eventually { r.passes.value >= 1 }, "the first pass ran")
        // Every row's version is known now, so Dataverse updates carry an If-Match naming it.
        try await r.settle()
        r.subscribe()
        let sf = try #require(r.stack.emulator("salesforce").control.store.all("Contact").sorted { $0.id < $1.id }.first?.id)
        #expect(try await Self.eventually { try await r.copy(of: sf, in: "salesforce", object: "contact", at: "dynamics") != nil })
        let dv = try #require(try await r.copy(of: sf, in: "salesforce", object: "contact", at: "dynamics"))
        func holds(_ field: String, _ value: String) -> Bool {
            r.stack.emulator("dynamics").control.store.get("contact", dv)?.fields[field] == .string(value)
        }
        try r.stack.userEdit("salesforce", "Contact", sf, ["Title": .string("First round")])
        #expect(try await Self.eventually { holds("jobtitle", "First round") }, "the first edit reached Dataverse")
        try r.stack.userEdit("salesforce", "Contact", sf, ["FirstName": .string("Second-Round")])
        #expect(try await Self.eventually { holds("firstname", "Second-Round") }, "the second edit reached Dataverse")
        #expect(r.passes.value == 1, "by webhooks: no polling pass ran after the first")
    }

    @Test("a forged, stale or unsigned HubSpot webhook is refused and stores nothing; a replay is refused; a redelivery adds nothing")
    func refusals() async throws {
        let r = try await Self.start(seed: 42)
        defer { Task { await r.stop() } }
        let url = r.base + "/webhooks/hubspot"
        let body = Array("""
            [{"eventId": 9001, "subscriptionType": "contact.propertyChange", "objectId": 1, "occurredAt": 1, "propertyName": "phone"}]
            """.utf8)
        func headers(secret: String, at: UInt64) -> [String: String] {
            let ts = String(at)
            return ["Content-Type": "application/json", "X-HubSpot-Request-Timestamp": ts,
                    "X-HubSpot-Signature-v3": HubSpotIntake.signature(secret: secret, method: "POST", uri: url, body: body, timestamp: ts)]
        }
        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        let depth = { try await r.engine.withStore { s in try s.pendingInbox(limit: 10_000).filter { $0.event.eventID == "9001" }.count } }
        #expect(try await Self.post(url, headers: headers(secret: "wrong", at: now), body: body) == 401)
        #expect(try await Self.post(url, headers: headers(secret: Self.secrets.hubspot, at: now - 600_000), body: body) == 401)
        #expect(try await Self.post(url, headers: ["Content-Type": "application/json"], body: body) == 401)
        #expect(try await Self.post(url, headers: headers(secret: Self.secrets.hubspot, at: now).merging(["Content-Type": "text/plain"]) { $1 },
                                    body: body) == 415)
        #expect(try await Self.post(r.base + "/webhooks/nowhere", headers: [:], body: body) == 404)
        #expect(try await depth() == 0, "nothing stored")
        let good = headers(secret: Self.secrets.hubspot, at: now)
        #expect(try await Self.post(url, headers: good, body: body) == 200)
        #expect(try await Self.post(url, headers: good, body: body) == 409, "the same signed request again is a replay")
        #expect(try await Self.post(url, headers: headers(secret: Self.secrets.hubspot, at: now + 1), body: body) == 200,
                "a redelivery (signed anew) is answered")
        let rows = try await r.engine.withStore { s in try s.pendingInbox(limit: 10_000).filter { $0.event.eventID == "9001" } }
        let done = try await r.engine.withStore { s in try s.enqueueInbox([InboxEvent(replica: "hubspot", crmObject: "contacts", crmID: "1",
                                                                                        eventID: "9001", kind: .change, occurredAt: 1)]) }
        #expect(rows.count <= 1 && done == 0, "the event was stored once")
        let big = [UInt8](repeating: UInt8(ascii: " "), count: 2_000_000)
        #expect(try await Self.post(url, headers: good, body: big) == 413)
        let metrics = String(decoding: try await URLSession.shared.data(from: URL(string: r.base + "/metrics")!).0, as: UTF8.self)
        #expect(metrics.contains("concord_webhooks_received_total{crm=\"hubspot\",result=\"bad_signature\"}"), "refusals are counted")
        #expect(!metrics.contains(Self.secrets.hubspot))
        let live = try await URLSession.shared.data(from: URL(string: r.base + "/livez")!)
        #expect((live.1 as? HTTPURLResponse)?.statusCode == 200)
    }

    @Test("duplicated and reordered deliveries: the edit is written once to each other CRM")
    func duplicatesChangeNothingTwice() async throws {
        let r = try await Self.start(seed: 44)
        #expect(try await Self.eventually { r.passes.value >= 1 })
        var faults = FaultSettings.Patch()
        faults.webhookDuplicateRate = 1
        faults.webhookJitterMs = 400
        r.stack.faults("hubspot", faults)
        r.subscribe()
        let hs = try #require(r.stack.emulator("hubspot").control.store.all("contacts").sorted { $0.id < $1.id }.dropFirst(2).first?.id)
        #expect(try await Self.eventually { try await r.copy(of: hs, in: "hubspot", object: "contact", at: "salesforce") != nil })
        let sf = try #require(try await r.copy(of: hs, in: "hubspot", object: "contact", at: "salesforce"))
        try r.stack.userEdit("hubspot", "contacts", hs, ["jobtitle": .string("Once")])
        #expect(try await Self.eventually {
            r.stack.emulator("salesforce").control.store.get("Contact", sf)?.fields["Title"] == .string("Once")
        })
        // Every duplicate has arrived and been worked (the inbox is empty again).
        try await Task.sleep(nanoseconds: 1_500_000_000)
        #expect(try await Self.eventually { try await r.engine.withStore { try $0.inboxDepth().pending } == 0 })
        let history = r.stack.emulator("salesforce").control.store.get("Contact", sf)?.history["Title"] ?? []
        #expect(history.filter { $0.value == .string("Once") }.count == 1, "written once: \(history)")
        #expect((r.stack.emulator("hubspot") as? HubSpotEmulator)?.webhooks.counts.duplicated ?? 0 >= 1, "duplicates were sent")
        await r.stop()
    }

    @Test("a webhook lost on the way: the safety-net pass brings the edit")
    func lostWebhookCaughtBySafetyNet() async throws {
        let r = try await Self.start(seed: 45, safetyNet: 5)
        #expect(try await Self.eventually { r.passes.value >= 1 })
        var faults = FaultSettings.Patch()
        faults.webhookDropRate = 1
        r.stack.faults("dynamics", faults)
        r.subscribe()
        let dv = try #require(r.stack.emulator("dynamics").control.store.all("contact").sorted { $0.id < $1.id }.first?.id)
        #expect(try await Self.eventually { try await r.copy(of: dv, in: "dynamics", object: "contact", at: "hubspot") != nil })
        let hs = try #require(try await r.copy(of: dv, in: "dynamics", object: "contact", at: "hubspot"))
        let before = r.passes.value
        try r.stack.userEdit("dynamics", "contact", dv, ["jobtitle": .string("Via the safety net")])
        #expect(try await Self.eventually {
            r.stack.emulator("hubspot").control.store.get("contacts", hs)?.fields["jobtitle"] == .string("Via the safety net")
        })
        // The pass that wrote it reports once it ends (the value can land before that).
        #expect(try await Self.eventually { r.passes.value > before }, "a polling pass brought it")
        #expect((r.stack.emulator("dynamics") as? DataverseEmulator)?.webhooks.counts.dropped ?? 0 >= 1, "the webhook was dropped")
        await r.stop()
    }

    @Test("the ops routes: off without a token; a bearer token required; status and the quarantine over HTTP; gauges at /metrics")
    func opsRoutes() async throws {
        func call(_ r: Running, _ method: String, _ path: String, token: String?) async throws -> (Int, String) {
            var request = URLRequest(url: URL(string: r.base + path)!)
            request.httpMethod = method
            if let token { request.setValue("Bearer " + token, forHTTPHeaderField: "Authorization") }
            let (data, response) = try await URLSession.shared.data(for: request)
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
        }
        let off = try await Self.start(seed: 46)
        #expect(try await call(off, "GET", "/ops/status", token: "x").0 == 404, "no token configured: the routes are off")
        await off.stop()
        let r = try await Self.start(seed: 47, opsToken: "ops-secret")
        #expect(try await Self.eventually { r.passes.value >= 1 })
        #expect(try await call(r, "GET", "/ops/status", token: nil).0 == 401)
        #expect(try await call(r, "GET", "/ops/status", token: "wrong").0 == 401)
        #expect(try await call(r, "GET", "/ops/status", token: "ops-secret") == (200, "{\"crms\":3}"))
        #expect(try await call(r, "GET", "/ops/quarantine", token: "ops-secret") == (200, "{\"key\":\"k1\"}\n"))
        #expect(try await call(r, "POST", "/ops/quarantine/retry?crm=hubspot", token: "ops-secret") == (200, "{\"retried\":2}"))
        #expect(try await call(r, "POST", "/ops/quarantine/drop?key=k1", token: "ops-secret") == (200, "{\"dropped\":true}"))
        #expect(try await call(r, "POST", "/ops/quarantine/drop", token: "ops-secret").0 == 400)
        let metrics = try await call(r, "GET", "/metrics", token: nil).1
        for name in ["concord_inbox_depth", "concord_api_calls_today{crm=\"hubspot\"}", "concord_circuit_open{crm=\"salesforce\"}",
                     "concord_records_pulled_total{crm=\"dynamics\"}"] {
            #expect(metrics.contains(name), "\(name) is exported")
        }
        await r.stop()
    }

    @Test("stopping: webhooks are answered 503 (the CRM delivers again later) and nothing is stored")
    func drainRefuses() async throws {
        let r = try await Self.start(seed: 43)
        #expect(try await Self.eventually { r.passes.value >= 1 })
        r.service.state.draining = true
        let status = try await Self.post(r.base + "/webhooks/dynamics?code=\(Self.secrets.dataverse)", headers: ["Content-Type": "application/json"],
                                         body: Array("{}".utf8))
        #expect(status == 503)
        let ready = try await URLSession.shared.data(from: URL(string: r.base + "/readyz")!)
        #expect((ready.1 as? HTTPURLResponse)?.statusCode == 503)
        await r.stop()
    }
}
