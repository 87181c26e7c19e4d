import CRMEmulators
import ConcordConnectors
import ConcordCore
import ConcordHTTP
import ConcordMapping
import Foundation
import Testing

/// Pushes against the HubSpot emulator: batches, partial failures, throttling, outages,
/// lost acknowledgements and the call budget.
@Suite struct HubSpotPushTests {
    static func create(_ key: Int64, _ email: String, upsert: Bool = false, extra: [String: WireValue] = [:]) -> PushItem {
        PushItem(key: key, operation: .create(fields: ["email": .string(email), "firstname": .string("N\(key)")].merging(extra) { $1 },
                                              upsertKey: upsert ? .init(field: "email", value: email) : nil))
    }

    static func liveContacts(_ emulator: HubSpotEmulator) -> [StoredRecord] { emulator.control.store.all("contacts") }

    @Test func createsUpdatesAndDeletesInBatchesWithPerItemOutcomes() async throws {
        let emulator = HubSpotTestSupport.emulator()
        try await HubSpotTestSupport.withServer(emulator) { connector, _ in
            var items = (1...150).map { Self.create(Int64($0), "c\($0)@x.test") }
            items[10] = Self.create(11, "c11@x.test", extra: ["lifecyclestage": .string("bogus")])
            items[20] = Self.create(21, "c1@x.test")  // duplicate email
            items[30] = Self.create(31, "c31@x.test", extra: ["no_such_property": .string("1")])
            let created = try await connector.push(object: "contacts", items: items)
            #expect(created.count == 150)
            let failed = created.filter { (try? $0.outcome.get()) == nil }
            #expect(Set(failed.map(\.key)) == [11, 21, 31])
            for result in failed {
                guard case .failure(let error) = result.outcome else { continue }
                #expect(error.code == .validation, "\(error)")
            }
            guard case .failure(let bogus) = created.first(where: { $0.key == 11 })?.outcome else { Issue.record("no failure"); return }
            #expect(bogus.fields == ["lifecyclestage"])
            #expect(Self.liveContacts(emulator).count == 147)
            var ids: [Int64: String] = [:]
            for result in created { if case .success(let id) = result.outcome { ids[result.key] = id } }

            let updates = ids.sorted { $0.key < $1.key }.prefix(120).map { key, id in
                PushItem(key: 1000 + key, operation: .update(id: id, fields: ["firstname": .string("U\(key)")], ifMatch: nil))
            } + [PushItem(key: 9999, operation: .update(id: "31999999999", fields: ["firstname": .string("x")], ifMatch: nil))]
            let updated = try await connector.push(object: "contacts", items: updates)
            #expect(updated.filter { (try? $0.outcome.get()) != nil }.count == 120)
            guard case .failure(let missing) = updated.first(where: { $0.key == 9999 })?.outcome else { Issue.record("no failure"); return }
            #expect(missing.code == .notFound)

            let doomed = Array(ids.values.sorted().prefix(30))
            let deleted = try await connector.push(object: "contacts", items: doomed.enumerated().map {
                PushItem(key: Int64(5000 + $0.offset), operation: .delete(id: $0.element))
            })
            #expect(deleted.count == doomed.count && deleted.allSatisfy { (try? $0.outcome.get()) != nil })
            #expect(Self.liveContacts(emulator).count == 117)
            let calls = await connector.apiCalls()
            #expect(calls.byKind["push"] == 2 + 2 + 1)
        }
    }

    @Test func transientItemFailuresAreNeverReportedDoneAndRetryWithoutDuplicates() async throws {
        let emulator = HubSpotTestSupport.emulator()
        var patch = FaultSettings.Patch()
        patch.partialBatchFailureRate = 0.3
        emulator.control.applyFaults(patch)
        try await HubSpotTestSupport.withServer(emulator) { connector, _ in
            var pending = (1...100).map { Self.create(Int64($0), "t\($0)@x.test", upsert: true) }
            var done: [Int64: String] = [:]
            for _ in 0..<30 where !pending.isEmpty {
                let results = try await connector.push(object: "contacts", items: pending)
                #expect(results.count == pending.count)
                for result in results {
                    if case .success(let id) = result.outcome {
                        done[result.key] = id
                        // Reported done means it is there.
                        #expect(emulator.control.store.get("contacts", id) != nil)
                    }
                }
                pending = pending.filter { done[$0.key] == nil }
            }
            #expect(pending.isEmpty)
            #expect(Self.liveContacts(emulator).count == 100)
        }
    }

    @Test func throttlingIsWaitedOutAndEveryItemLands() async throws {
        let emulator = HubSpotTestSupport.emulator()
        let waits = WaitLog()
        let options = HubSpotTestSupport.options(maxSleep: 450, waits: waits)
        try await HubSpotTestSupport.withServer(emulator, options: options) { connector, _ in
            // A throttle storm: the next 3 requests get HubSpot's 429 (Retry-After: 1), however
            // slowly they come (fewer than the connector's 6 retries).
            var storm = FaultSettings.Patch()
            storm.throttleRequests = 3
            emulator.control.applyFaults(storm)
            let items = (1...300).map { Self.create(Int64($0), "r\($0)@x.test") }
            let results = try await connector.push(object: "contacts", items: items)
            #expect(emulator.control.throttledResponses == 3 && emulator.control.faults.throttleRequests == 0, "the storm happened")
            #expect(results.count == items.count && results.allSatisfy { (try? $0.outcome.get()) != nil })
            #expect(Self.liveContacts(emulator).count == 300)
            #expect(waits.waits.contains { $0 >= 1000 })  // HubSpot's Retry-After was honoured
        }
    }

    @Test func dailyLimitIsQuotaExhaustedNeverSuccess() async throws {
        let limits = [CRMEmulators.RateLimit(name: "DAILY", limit: 1, windowMs: 86_400_000)]
        let emulator = HubSpotTestSupport.emulator(limits: limits, limited: true)
        try await HubSpotTestSupport.withServer(emulator) { connector, _ in
            _ = try await connector.push(object: "contacts", items: [Self.create(1, "q1@x.test")])
            let error = await #expect(throws: ConnectorError.self) {
                _ = try await connector.push(object: "contacts", items: [Self.create(2, "q2@x.test")])
            }
            #expect(error?.code == .quotaExhausted)
            #expect(Self.liveContacts(emulator).count == 1)
        }
    }

    @Test func goingOfflineMidPushFailsTheRestAndARetryDuplicatesNothing() async throws {
        let emulator = HubSpotTestSupport.emulator()
        let triggered = Counter()
        let client = InterceptingClient(CurlHTTPClient()) { request, _ in
            if request.url.hasSuffix("/batch/upsert"), request.body.map({ String(decoding: $0, as: UTF8.self).contains("o150@") }) == true,
               triggered.next() == 1 {
                var patch = FaultSettings.Patch()
                patch.offlineForSeconds = 600  // until the test brings it back: no race with a loaded machine
                emulator.control.applyFaults(patch)
            }
            return .pass
        }
        try await HubSpotTestSupport.withServer(emulator, http: client) { connector, _ in
            let items = (1...300).map { Self.create(Int64($0), "o\($0)@x.test", upsert: true) }
            let first = try await connector.push(object: "contacts", items: items)
            let ok = first.filter { (try? $0.outcome.get()) != nil }
            #expect(ok.count == 100 && first.count == 300)
            #expect(first.filter { (try? $0.outcome.get()) == nil }.allSatisfy {
                if case .failure(let e) = $0.outcome { return e.code == .transient } else { return false }
            })
            #expect(Self.liveContacts(emulator).count == 100)  // nothing reported failed had landed
            var back = FaultSettings.Patch()
            back.offlineForSeconds = 0
            emulator.control.applyFaults(back)
            var pending = items.filter { item in !ok.contains { $0.key == item.key } }
            var matched = 0
            for _ in 0..<20 where !pending.isEmpty {
                try await Task.sleep(for: .milliseconds(250))
                guard let retry = try? await connector.push(object: "contacts", items: pending) else { continue }
                matched += retry.filter(\.matchedExisting).count
                pending = pending.filter { item in !retry.contains { $0.key == item.key && (try? $0.outcome.get()) != nil } }
            }
            #expect(pending.isEmpty)
            #expect(Self.liveContacts(emulator).count == 300)
            #expect(matched == 0)
        }
    }

    @Test func aLostAcknowledgementThenRetryCreatesNoDuplicate() async throws {
        let emulator = HubSpotTestSupport.emulator()
        let client = InterceptingClient(CurlHTTPClient()) { request, n in
            request.url.hasSuffix("/batch/upsert") && n == 1 ? .loseAnswer : .pass
        }
        try await HubSpotTestSupport.withServer(emulator, http: client) { connector, _ in
            let items = (1...40).map { Self.create(Int64($0), "a\($0)@x.test", upsert: true) }
            await #expect(throws: ConnectorError.self) { _ = try await connector.push(object: "contacts", items: items) }
            #expect(Self.liveContacts(emulator).count == 40)  // HubSpot did the work; we never heard
            let retry = try await connector.push(object: "contacts", items: items)
            #expect(retry.count == items.count && retry.allSatisfy { $0.matchedExisting && (try? $0.outcome.get()) != nil })
            #expect(Self.liveContacts(emulator).count == 40)
        }
    }

    @Test func pullingAndPushingNChangesStaysWithinTheCallBudget() async throws {
        let emulator = HubSpotTestSupport.emulator()
        let n = 450
        let ids = HubSpotTestSupport.seedContacts(emulator, count: n)
        try await HubSpotTestSupport.withServer(emulator) { connector, _ in
            let pulled = try await HubSpotTestSupport.pullAll(connector)
            #expect(pulled.records.count == n)
            let results = try await connector.push(object: "contacts", items: ids.enumerated().map {
                PushItem(key: Int64($0.offset), operation: .update(id: $0.element, fields: ["firstname": .string("B")], ifMatch: nil))
            })
            #expect(results.count == ids.count && results.allSatisfy { (try? $0.outcome.get()) != nil })
            let calls = await connector.apiCalls()
            let pages = (n + connector.pullPageSize - 1) / connector.pullPageSize
            let batches = (n + connector.pushBatchSize - 1) / connector.pushBatchSize
            // + 1: the archived listing for deletes, one call per pull cycle; and the updated
            // properties read back with history (50 records a call), for edits overwritten unseen.
            let verify = (n + HubSpotConnector.historyBatchSize - 1) / HubSpotConnector.historyBatchSize
            #expect(calls.byKind["verify", default: 0] == verify)
            #expect(calls.total - calls.byKind["auth", default: 0] <= pages + batches + verify + 1, "\(calls.byKind)")
        }
    }

    @Test func associationsAreReplacedAndClearedOnUpdate() async throws {
        let emulator = HubSpotTestSupport.emulator()
        try await HubSpotTestSupport.withServer(emulator) { connector, _ in
            let companies = try await connector.push(object: "companies", items: [
                PushItem(key: 1, operation: .create(fields: ["name": .string("A")], upsertKey: nil)),
                PushItem(key: 2, operation: .create(fields: ["name": .string("B")], upsertKey: nil)),
            ])
            let a = try #require(try? companies[0].outcome.get()), b = try #require(try? companies[1].outcome.get())
            let created = try await connector.push(object: "contacts", items: [
                Self.create(3, "assoc@x.test", upsert: true, extra: ["associations.companies": .string(a)]),
            ])
            let contact = try #require(try? created[0].outcome.get())
            func company() async throws -> WireValue? {
                try await connector.fetch(object: "contacts", ids: [contact], fields: ["associations.companies"]).first?.fields["associations.companies"]
            }
            #expect(try await company() == .string(a))
            let moved = try await connector.push(object: "contacts", items: [
                PushItem(key: 4, operation: .update(id: contact, fields: ["associations.companies": .string(b)], ifMatch: nil)),
            ])
            #expect((try? moved[0].outcome.get()) == contact)
            #expect(try await company() == .string(b))
            let all = try await connector.push(object: "contacts", items: [
                PushItem(key: 5, operation: .update(id: contact, fields: ["associations.companies": .null], ifMatch: nil)),
            ])
            #expect((try? all[0].outcome.get()) == contact)
            #expect(try await company() == .null)
        }
    }

    @Test func theResilientClientAndTheConnectorTogetherRideOutAThrottleStorm() async throws {
        let emulator = HubSpotTestSupport.emulator()
        HubSpotTestSupport.seedContacts(emulator, count: 50)
        let resilient = ResilientHTTPClient(
            wrapping: CurlHTTPClient(), clock: ContinuousClock(),
            retry: RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(10), maxDelay: .milliseconds(50), maxTotalDelay: .seconds(5)))
        let options = HubSpotTestSupport.options(maxSleep: 450)
        try await HubSpotTestSupport.withServer(emulator, options: options, http: resilient) { connector, _ in
            // A storm of 3 requests (bounded by requests, not time, so a slow run meets it too).
            var storm = FaultSettings.Patch()
            storm.throttleRequests = 3
            emulator.control.applyFaults(storm)
            // Creates are not retried by the HTTP layer (not idempotent); the connector retries
            // them because a 429 means HubSpot did nothing.
            let results = try await connector.push(object: "contacts", items: (1...120).map { Self.create(Int64($0), "s\($0)@x.test") })
            #expect(emulator.control.throttledResponses == 3, "the storm met the pushes")
            #expect(results.count == 120 && results.allSatisfy { (try? $0.outcome.get()) != nil })
            emulator.control.applyFaults(storm)
            let pulled = try await HubSpotTestSupport.pullAll(connector)
            #expect(emulator.control.throttledResponses == 6, "the storm met the pull")
            #expect(pulled.records.count == 170)
            #expect(Self.liveContacts(emulator).count == 170)
        }
    }
}
