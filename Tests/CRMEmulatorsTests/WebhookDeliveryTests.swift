import CRMEmulators
import Foundation
import Testing

/// How the emulators deliver webhooks: batched as HubSpot batches, retried on the CRM's
/// schedule (signed anew), not retried on a refusal, and the delivery faults.
@Suite("Emulator webhook delivery")
struct WebhookDeliveryTests {
    /// A receiver answering each request with the next status of `statuses` (then 200).
    final class Scripted: Sendable {
        let received = LockedBox<[EmulatorRequest]>([])
        let statuses: LockedBox<[Int]>
        init(_ statuses: [Int]) { self.statuses = LockedBox(statuses) }
        func start() async throws -> EmulatorServer {
            try await EmulatorServer.start { request in
                self.received.mutate { $0.append(request) }
                var status = 200
                self.statuses.mutate { s in if !s.isEmpty { status = s.removeFirst() } }
                return .empty(status)
            }
        }
        func wait(until condition: ([EmulatorRequest]) -> Bool) async {
            // Polls until the condition holds; the bound (2 minutes) only catches a hang.
            for _ in 0..<4_800 {
                if condition(received.value) { return }
                try? await Task.sleep(nanoseconds: 25_000_000)
            }
        }
    }

    func create(_ emulator: HubSpotEmulator, _ n: Int) {
        for i in 0..<n {
            _ = emulator.control.store.transaction { tx in
                tx.create("contacts", id: String(30_000_000_000 + tx.nextCounter()), fields: ["email": .string("p\(i)@x.io")], source: "CRM_UI")
            }
        }
    }

    @Test("HubSpot gathers a burst into one request of up to 100 events")
    func hubspotBatches() async throws {
        let sink = Scripted([])
        let server = try await sink.start()
        let hs = HubSpotEmulator()
        hs.control.webhookTarget = WebhookTarget(url: server.baseURL + "/h", secret: "s", timeoutSeconds: 600)
        create(hs, 130)
        await sink.wait { r in r.compactMap { try? JSONValue.parse($0.body).arrayValue?.count }.reduce(0, +) >= 130 }
        await server.stop()
        let sizes = sink.received.value.compactMap { try? JSONValue.parse($0.body).arrayValue?.count }
        #expect(sizes.reduce(0, +) == 130, "every event delivered once: \(sizes)")
        #expect(sizes.allSatisfy { $0 <= 100 } && sizes.count <= 3, "in batches of at most 100: \(sizes)")
    }

    @Test("a 500 is retried on the schedule and signed anew; a 400 is not retried")
    func retries() async throws {
        let sink = Scripted([500, 503])
        let server = try await sink.start()
        let hs = HubSpotEmulator()
        hs.control.webhookTarget = WebhookTarget(url: server.baseURL + "/h", secret: "s", retryTimeScale: 0.001, timeoutSeconds: 600)
        create(hs, 1)
        // The dispatcher counts a delivery once its answer is back, after the receiver saw it.
        await sink.wait { _ in hs.webhooks.counts.sent >= 1 }
        #expect(sink.received.value.count == 3, "two failures, then the delivery")
        #expect(Set(sink.received.value.map(\.body)).count == 1, "the same events each time")
        #expect(hs.webhooks.counts.sent == 1 && hs.webhooks.counts.retried == 2)
        let refused = Scripted([400])
        let second = try await refused.start()
        hs.control.webhookTarget = WebhookTarget(url: second.baseURL + "/h", secret: "s", retryTimeScale: 0.001, timeoutSeconds: 600)
        create(hs, 1)
        await refused.wait { _ in hs.webhooks.counts.failed >= 1 }
        try await Task.sleep(nanoseconds: 200_000_000)
        #expect(refused.received.value.count == 1, "a refusal is not retried")
        await server.stop()
        await second.stop()
    }

    @Test("faults: every delivery dropped, or every delivery sent twice")
    func faults() async throws {
        let sink = Scripted([])
        let server = try await sink.start()
        let hs = HubSpotEmulator()
        hs.control.webhookTarget = WebhookTarget(url: server.baseURL + "/h", secret: "s", timeoutSeconds: 600)
        var drop = FaultSettings.Patch()
        drop.webhookDropRate = 1
        hs.control.applyFaults(drop)
        create(hs, 3)
        await sink.wait { _ in hs.webhooks.counts.dropped >= 1 }
        try await Task.sleep(nanoseconds: 300_000_000)
        #expect(sink.received.value.isEmpty && hs.webhooks.counts.dropped >= 1)
        var dup = FaultSettings.Patch()
        dup.webhookDropRate = 0
        dup.webhookDuplicateRate = 1
        hs.control.applyFaults(dup)
        create(hs, 1)
        await sink.wait { _ in hs.webhooks.counts.sent >= 2 }
        #expect(sink.received.value.count == 2 && hs.webhooks.counts.duplicated == 1)
        await server.stop()
    }
}
