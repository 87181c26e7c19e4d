@testable import ConcordConnectors
import ConcordCore
import ConcordHTTP
import ConcordMapping
import CRMEmulators
import Synchronization
import Testing

@Suite struct SalesforcePushTests {
    func connector(_ h: EmulatorHarness<SalesforceEmulator>, http: (any HTTPClient)? = nil) -> SalesforceConnector {
        SalesforceConnector(config: salesforceConfig(h.server.baseURL), http: http ?? h.http, environment: salesforceTestEnvironment)
    }

    func upserts(_ range: Range<Int>) -> [PushItem] {
        range.map { i in
            PushItem(key: Int64(i), operation: .create(fields: ["LastName": .string("Up\(i)")],
                                                       upsertKey: .init(field: "External_Id__c", value: "concord-\(i)")))
        }
    }

    func liveContacts(_ emulator: SalesforceEmulator) -> [StoredRecord] { emulator.control.store.all("Contact") }

    @Test func createsUpdatesDeletesInBatchesWithPartialFailures() async throws {
        let emulator = SalesforceEmulator(limits: [])
        try await EmulatorHarness.with(emulator) { h in
            let sf = connector(h)
            let creates = (0..<450).map { i in
                PushItem(key: Int64(i), operation: .create(fields: i % 50 == 7 ? ["Email": .string("x\(i)@example.com")]
                                                                   : ["LastName": .string("C\(i)"), "Email": .string("c\(i)@example.com")],
                                                           upsertKey: nil))
            }
            let created = try await sf.push(object: "Contact", items: creates)
            #expect(created.count == 450 && Set(created.map(\.key)).count == 450)
            #expect(await sf.apiCalls()["push"] == 3)
            let failed = created.filter { if case .failure = $0.outcome { true } else { false } }
            #expect(Set(failed.map(\.key)) == Set((0..<450).filter { $0 % 50 == 7 }.map(Int64.init)))
            for result in failed {
                guard case .failure(let error) = result.outcome else { continue }
                #expect(error.code == .validation && error.crmCode == "REQUIRED_FIELD_MISSING" && error.fields == ["LastName"])
            }
            let ids = created.compactMap { try? $0.outcome.get() }
            #expect(liveContacts(emulator).count == ids.count)

            deleteContacts(emulator, [ids[0]])
            // Updates are conditional on what was read: read first, as the engine does.
            _ = try await sf.fetch(object: "Contact", ids: Array(ids.prefix(250)), fields: ["Title", "Email"])
            let updates = ids.prefix(250).enumerated().map { i, id in
                PushItem(key: Int64(i), operation: .update(id: id, fields: ["Title": .string("T\(i)"), "Email": .string(i == 5 ? "not-an-email" : "u\(i)@example.com")], ifMatch: nil))
            }
            let updated = try await sf.push(object: "Contact", items: updates)
            let updateErrors = Dictionary(uniqueKeysWithValues: updated.compactMap { r -> (Int64, ConnectorError)? in
                if case .failure(let e) = r.outcome { return (r.key, e) } else { return nil }
            })
            #expect(updateErrors[0]?.code == .notFound && updateErrors[0]?.crmCode == "ENTITY_IS_DELETED")
            #expect(updateErrors[5]?.code == .validation && updateErrors[5]?.fields == ["Email"])
            #expect(updateErrors.count == 2)
            #expect(emulator.control.store.get("Contact", ids[6])?.fields["Title"] == .string("T6"))

            let deletes = [ids[0], ids[1], ids[2]].enumerated().map { PushItem(key: Int64($0), operation: .delete(id: $1)) }
            let deleted = try await sf.push(object: "Contact", items: deletes)
            #expect(deleted.count == 3 && deleted.allSatisfy { (try? $0.outcome.get()) != nil }, "deleting an already deleted record counts as done")
            #expect(emulator.control.store.get("Contact", ids[1]) == nil)
            #expect(h.faulty.requestLines.filter { $0.contains("composite/sobjects") }.count == 3 + 1)
            // 249 conditional updates (the deleted record is not sent): 25 per Composite call.
            #expect(h.faulty.requestLines.filter { $0.hasSuffix("/composite") || $0.contains("/composite ") }.count == 10)
        }
    }

    @Test func transientItemFailuresAreReportedAndOnlyRealSuccessesClaimed() async throws {
        let emulator = SalesforceEmulator(limits: [])
        try await EmulatorHarness.with(emulator) { h in
            var patch = FaultSettings.Patch()
            patch.partialBatchFailureRate = 0.3
            emulator.control.applyFaults(patch)
            let sf = connector(h)
            let results = try await sf.push(object: "Contact", items: upserts(0..<400))
            let successes = results.filter { (try? $0.outcome.get()) != nil }
            let failures = results.compactMap { r -> ConnectorError? in if case .failure(let e) = r.outcome { e } else { nil } }
            #expect(!failures.isEmpty && !successes.isEmpty)
            #expect(failures.allSatisfy { $0.code == .transient && $0.crmCode == "UNABLE_TO_LOCK_ROW" })
            #expect(liveContacts(emulator).count == successes.count, "nothing reported done that was not")
            patch.partialBatchFailureRate = 0
            emulator.control.applyFaults(patch)
            let retryKeys = Set(results.filter { (try? $0.outcome.get()) == nil }.map(\.key))
            let retried = try await sf.push(object: "Contact", items: upserts(0..<400).filter { retryKeys.contains($0.key) })
            #expect(!retryKeys.isEmpty && retried.count == retryKeys.count && retried.allSatisfy { (try? $0.outcome.get()) != nil })
            #expect(liveContacts(emulator).count == 400)
        }
    }

    @Test func throttlingIsWaitedOutAndQuotaExhaustionThrowsWithNothingDone() async throws {
        let emulator = SalesforceEmulator(limits: [])
        try await EmulatorHarness.with(emulator) { h in
            let sf = connector(h)
            let concurrent = HTTPResponse(status: 403, body: Array(#"[{"message":"ConcurrentRequests (Concurrent API Requests) Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]"#.utf8))
            _ = try await sf.find(object: "Contact", field: "Email", values: ["warm-up"], fields: [])
            h.faulty.answer(with: [concurrent, concurrent])
            let results = try await sf.push(object: "Contact", items: upserts(0..<10))
            #expect(results.count == 10 && results.allSatisfy { (try? $0.outcome.get()) != nil }, "the connector waited and finished")
            #expect(liveContacts(emulator).count == 10)

            var storm = FaultSettings.Patch()
            storm.throttleStormSeconds = 600
            emulator.control.applyFaults(storm)
            do {
                _ = try await sf.push(object: "Contact", items: upserts(10..<20))
                Issue.record("a push during a quota storm reported success")
            } catch let error as ConnectorError {
                #expect(error.code == .quotaExhausted)
            }
            #expect(liveContacts(emulator).count == 10)
            storm.throttleStormSeconds = 0
            emulator.control.applyFaults(storm)
            // The HTTP layer remembers an exhausted daily quota until it resets: a new day, a new stack.
            let nextDay = connector(h, http: ResilientHTTPClient(wrapping: h.faulty, clock: ContinuousClock()))
            let after = try await nextDay.push(object: "Contact", items: upserts(10..<20))
            #expect(after.count == 10 && after.allSatisfy { (try? $0.outcome.get()) != nil })
            #expect(liveContacts(emulator).count == 20)
        }
    }

    @Test func offlineMidBatchFailsTheRestWhichARetryCompletesWithoutDuplicates() async throws {
        let emulator = SalesforceEmulator(limits: [])
        try await EmulatorHarness.with(emulator) { h in
            let sf = connector(h)
            _ = try await sf.find(object: "Contact", field: "Email", values: ["warm-up"], fields: [])
            let seen = Mutex(0)
            h.faulty.beforeEach { request in
                guard request.url.contains("composite") else { return }
                if seen.withLock({ $0 += 1; return $0 }) == 2 {
                    var offline = FaultSettings.Patch()
                    offline.offlineForSeconds = 600
                    emulator.control.applyFaults(offline)
                }
            }
            let results = try await sf.push(object: "Contact", items: upserts(0..<600))
            #expect(results.count == 600)
            let ok = Set(results.filter { (try? $0.outcome.get()) != nil }.map(\.key))
            #expect(ok == Set((0..<200).map(Int64.init)))
            #expect(results.allSatisfy { r in
                if case .failure(let e) = r.outcome { return e.code == .transient } else { return true }
            })
            #expect(liveContacts(emulator).count == 200)
            var online = FaultSettings.Patch()
            online.offlineForSeconds = 0
            emulator.control.applyFaults(online)
            let retried = try await sf.push(object: "Contact", items: upserts(0..<600).filter { !ok.contains($0.key) })
            #expect(retried.count == 400 && retried.allSatisfy { (try? $0.outcome.get()) != nil })
            #expect(liveContacts(emulator).count == 600)
        }
    }

    @Test func crashBetweenCreateAndAcknowledgementThenRetryMakesNoDuplicate() async throws {
        let emulator = SalesforceEmulator(limits: [])
        try await EmulatorHarness.with(emulator) { h in
            let beforeCrash = connector(h, http: h.faulty)
            h.faulty.loseResponses(1) { $0.url.contains("composite") }
            do {
                _ = try await beforeCrash.push(object: "Contact", items: upserts(0..<300))
                Issue.record("a lost acknowledgement was reported as success")
            } catch let error as ConnectorError {
                #expect(error.code == .transient)
            }
            #expect(liveContacts(emulator).count == 200, "the server made the first chunk before the acknowledgement was lost")
            let afterRestart = connector(h)
            let results = try await afterRestart.push(object: "Contact", items: upserts(0..<300))
            #expect(results.count == 300 && results.allSatisfy { (try? $0.outcome.get()) != nil })
            #expect(results.filter(\.matchedExisting).count == 200)
            let stored = liveContacts(emulator)
            #expect(stored.count == 300)
            #expect(Set(stored.compactMap { $0.fields["External_Id__c"]?.stringValue }).count == 300)
            #expect(!h.faulty.requestLines.isEmpty && h.faulty.requestLines.allSatisfy { !$0.contains("POST") || $0.contains("oauth2") }, "creates with a key never use POST")
        }
    }

    @Test func ownWritesAreMarkedWithCallOptions() async throws {
        let emulator = SalesforceEmulator(limits: [])
        try await EmulatorHarness.with(emulator) { h in
            let sf = connector(h)
            _ = try await sf.push(object: "Contact", items: upserts(0..<1))
            #expect(h.faulty.callOptions.contains("client=concord"))
        }
    }
}

@Suite struct SalesforceThrottleTests {
    @Test func aThrottledCreateIsWaitedOutBySleepingAndSentAgainWithoutDuplicates() async throws {
        let emulator = SalesforceEmulator(limits: [])
        try await EmulatorHarness.with(emulator) { h in
            let waits = Mutex<[UInt64]>([])
            let sf = SalesforceConnector(config: salesforceConfig(h.server.baseURL), http: h.http,
                                         sleep: { ms in waits.withLock { $0.append(ms) } }, environment: salesforceTestEnvironment)
            _ = try await sf.find(object: "Contact", field: "Email", values: ["warm-up"], fields: [])
            let concurrent = HTTPResponse(status: 403, body: Array(#"[{"message":"ConcurrentRequests (Concurrent API Requests) Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]"#.utf8))
            h.faulty.answer(with: [concurrent, concurrent])
            let items = (0..<5).map { PushItem(key: Int64($0), operation: .create(fields: ["LastName": .string("P\($0)")], upsertKey: nil)) }
            let results = try await sf.push(object: "Contact", items: items)
            #expect(results.count == 5 && results.allSatisfy { (try? $0.outcome.get()) != nil })
            #expect(waits.withLock { $0.count } == 2, "the POST was not retried by the HTTP layer, so the connector waited twice")
            #expect(emulator.control.store.all("Contact").count == 5)
            #expect(await sf.apiCalls()["push"] == 3)
        }
    }
}
