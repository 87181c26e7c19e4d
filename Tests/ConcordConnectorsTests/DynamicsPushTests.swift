@testable import ConcordConnectors
import ConcordCore
import ConcordHTTP
import ConcordMapping
import CRMEmulators
import Synchronization
import Testing

@Suite struct DynamicsPushTests {
    func upserts(_ range: Range<Int>) -> [PushItem] {
        range.map { i in
            PushItem(key: Int64(i), operation: .create(fields: ["lastname": .string("Up\(i)")],
                                                       upsertKey: .init(field: "new_externalid", value: "concord-\(i)")))
        }
    }

    func live(_ emulator: DataverseEmulator) -> [StoredRecord] { emulator.control.store.all("contact") }

    func failures(_ results: [PushResult]) -> [Int64: ConnectorError] {
        Dictionary(uniqueKeysWithValues: results.compactMap { r -> (Int64, ConnectorError)? in
            if case .failure(let e) = r.outcome { return (r.key, e) } else { return nil }
        })
    }

    @Test func batchesOfCreatesUpdatesDeletesWithPartialFailuresAnd412() async throws {
        let emulator = DataverseEmulator(limits: [])
        try await EmulatorHarness.with(emulator) { h in
            let dv = dynamicsConnector(h)
            let creates = (0..<1200).map { i in
                PushItem(key: Int64(i), operation: .create(fields: i % 100 == 9 ? ["emailaddress1": .string("x@example.com")] : ["lastname": .string("C\(i)")],
                                                           upsertKey: nil))
            }
            let created = try await dv.push(object: "contacts", items: creates)
            #expect(created.count == 1200 && Set(created.map(\.key)).count == 1200)
            #expect(await dv.apiCalls()["push"] == 2)
            let failed = failures(created)
            #expect(Set(failed.keys) == Set((0..<1200).filter { $0 % 100 == 9 }.map(Int64.init)))
            #expect(failed.values.allSatisfy { $0.code == .validation && $0.status == 400 && $0.fields == ["lastname"] && $0.crmCode == "0x80040200" })
            let ids = created.compactMap { try? $0.outcome.get() }
            #expect(live(emulator).count == ids.count)

            let rows = try await dv.fetch(object: "contacts", ids: Array(ids.prefix(3)), fields: ["lastname"])
            let etag = try #require(rows.first { $0.id == ids[0] }?.fields["@odata.etag"]?.text)
            editDataverse(emulator, [ids[1]], lastname: "Changed by a user")
            let staleTag = rows.first { $0.id == ids[1] }?.fields["@odata.etag"]?.text
            let updates = [
                PushItem(key: 1, operation: .update(id: ids[0], fields: ["jobtitle": .string("guarded")], ifMatch: etag)),
                PushItem(key: 2, operation: .update(id: ids[1], fields: ["jobtitle": .string("stale")], ifMatch: staleTag)),
                PushItem(key: 3, operation: .update(id: testGUID(999_999), fields: ["jobtitle": .string("missing")], ifMatch: nil)),
                PushItem(key: 4, operation: .update(id: ids[2], fields: ["lastname": .null], ifMatch: nil)),
            ]
            let updated = failures(try await dv.push(object: "contacts", items: updates))
            #expect(updated[1] == nil)
            #expect(updated[2]?.code == .conflict && updated[2]?.status == 412)
            #expect(updated[3]?.code == .notFound, "If-Match: * keeps an update from re-creating a missing row")
            #expect(updated[4]?.code == .validation)
            #expect(emulator.control.store.get("contact", ids[0])?.fields["jobtitle"]?.stringValue == "guarded")
            #expect(emulator.control.store.get("contact", ids[1])?.fields["jobtitle"] == nil)

            let deletes = [ids[0], ids[1], testGUID(999_998)].enumerated().map { PushItem(key: Int64($0), operation: .delete(id: $1)) }
            let deleted = try await dv.push(object: "contacts", items: deletes + [PushItem(key: 9, operation: .delete(id: "bad id"))])
            #expect(failures(deleted).keys.sorted() == [9])
            #expect(emulator.control.store.get("contact", ids[0]) == nil)
        }
    }

    @Test func transientPartFailuresAreReportedAndOnlyRealSuccessesClaimed() async throws {
        let emulator = DataverseEmulator(limits: [])
        try await EmulatorHarness.with(emulator) { h in
            var patch = FaultSettings.Patch()
            patch.partialBatchFailureRate = 0.3
            emulator.control.applyFaults(patch)
            let dv = dynamicsConnector(h)
            let results = try await dv.push(object: "contacts", items: upserts(0..<400))
            let failed = failures(results)
            #expect(!failed.isEmpty && failed.count < 400)
            #expect(failed.values.allSatisfy { $0.code == .transient && $0.status == 503 })
            #expect(live(emulator).count == 400 - failed.count, "nothing reported done that was not")
            patch.partialBatchFailureRate = 0
            emulator.control.applyFaults(patch)
            let retried = try await dv.push(object: "contacts", items: upserts(0..<400).filter { failed[$0.key] != nil })
            #expect(retried.count == failed.count && retried.allSatisfy { (try? $0.outcome.get()) != nil })
            #expect(live(emulator).count == 400)
        }
    }

    @Test func throttlingIsWaitedOutAndAStormIsReportedWithNothingDone() async throws {
        let emulator = DataverseEmulator(limits: [RateLimit(name: "0x80072322", limit: 1, windowMs: 1000)])
        try await EmulatorHarness.with(emulator) { h in
            let dv = dynamicsConnector(h)
            for round in 0..<3 {
                let items = (0..<5).map { i in PushItem(key: Int64(i), operation: .create(fields: ["lastname": .string("T\(round)-\(i)")], upsertKey: nil)) }
                let results = try await dv.push(object: "contacts", items: items)
                #expect(results.count == 5 && results.allSatisfy { (try? $0.outcome.get()) != nil }, "round \(round) finished after waiting")
            }
            #expect(live(emulator).count == 15, "a 429 means nothing was done, so waiting and resending made no duplicate")

            let impatient = dynamicsConnector(h, options: DynamicsOptions(maxThrottleWaitMillis: 0))
            _ = try await impatient.find(object: "contacts", field: "emailaddress1", values: ["warm-up"], fields: [])
            var storm = FaultSettings.Patch()
            storm.throttleStormSeconds = 600
            emulator.control.applyFaults(storm)
            do {
                _ = try await impatient.push(object: "contacts", items: upserts(0..<5))
                Issue.record("a throttled push reported success")
            } catch let error as ConnectorError {
                #expect(error.code == .rateLimited && error.retryAfterMillis != nil)
            }
            #expect(live(emulator).count == 15)
        }
    }

    @Test func expiredTokenIsReplacedOnce() async throws {
        let emulator = DataverseEmulator(limits: [])
        try await EmulatorHarness.with(emulator) { h in
            let dv = dynamicsConnector(h)
            _ = try await dv.find(object: "contacts", field: "emailaddress1", values: ["a@example.com"], fields: [])
            emulator.control.revokeToken(try #require(h.faulty.lastToken))
            let results = try await dv.push(object: "contacts", items: upserts(0..<3))
            #expect(results.count == 3 && results.allSatisfy { (try? $0.outcome.get()) != nil })
            let calls = await dv.apiCalls()
            #expect(calls["auth"] == 2 && calls["push"] == 2)
        }
    }

    @Test func offlineMidBatchThenRetryWithoutDuplicates() async throws {
        let emulator = DataverseEmulator(limits: [])
        try await EmulatorHarness.with(emulator) { h in
            let dv = dynamicsConnector(h)
            _ = try await dv.find(object: "contacts", field: "emailaddress1", values: ["warm-up"], fields: [])
            let seen = Mutex(0)
            h.faulty.beforeEach { request in
                guard request.url.hasSuffix("$batch") else { return }
                if seen.withLock({ $0 += 1; return $0 }) == 2 {
                    var offline = FaultSettings.Patch()
                    offline.offlineForSeconds = 600
                    emulator.control.applyFaults(offline)
                }
            }
            let results = try await dv.push(object: "contacts", items: upserts(0..<2500))
            let ok = Set(results.filter { (try? $0.outcome.get()) != nil }.map(\.key))
            #expect(results.count == 2500 && ok == Set((0..<1000).map(Int64.init)))
            #expect(failures(results).values.allSatisfy { $0.code == .transient })
            var online = FaultSettings.Patch()
            online.offlineForSeconds = 0
            emulator.control.applyFaults(online)
            let retried = try await dv.push(object: "contacts", items: upserts(0..<2500).filter { !ok.contains($0.key) })
            #expect(retried.count == 1500 && retried.allSatisfy { (try? $0.outcome.get()) != nil })
            #expect(live(emulator).count == 2500)
        }
    }

    @Test func crashBetweenCreateAndAcknowledgementThenRetryMakesNoDuplicate() async throws {
        let emulator = DataverseEmulator(limits: [])
        try await EmulatorHarness.with(emulator) { h in
            let beforeCrash = dynamicsConnector(h, http: h.faulty)
            h.faulty.loseResponses(1) { $0.url.hasSuffix("$batch") }
            do {
                _ = try await beforeCrash.push(object: "contacts", items: upserts(0..<300))
                Issue.record("a lost acknowledgement was reported as success")
            } catch let error as ConnectorError {
                #expect(error.code == .transient)
            }
            #expect(live(emulator).count == 300, "the server made them before the acknowledgement was lost")
            let afterRestart = dynamicsConnector(h)
            let results = try await afterRestart.push(object: "contacts", items: upserts(0..<300))
            #expect(results.count == 300 && results.allSatisfy { (try? $0.outcome.get()) != nil })
            #expect(results.filter(\.matchedExisting).count == 300)
            #expect(live(emulator).count == 300)
        }
    }

    @Test func batchBodiesAndAnswersRoundTrip() {
        let body = DynamicsBatch.body([
            DynamicsBatchPart(method: .patch, path: "contacts(new_externalid='a''b')", headers: [("If-Match", "*")], body: .object(["x": .number("0.1")])),
        ], apiPath: "/api/data/v9.2", boundary: "b1")
        let text = String(decoding: body, as: UTF8.self)
        #expect(text.contains("PATCH /api/data/v9.2/contacts(new_externalid='a''b') HTTP/1.1\r\n"))
        #expect(text.contains("{\"x\":0.1}") && text.contains("Content-ID: 1") && text.hasSuffix("--batch_b1--\r\n"))
        let answer = "--batchresponse_1\r\nContent-Type: multipart/mixed; boundary=changesetresponse_2\r\n\r\n--changesetresponse_2\r\nContent-Type: application/http\r\nContent-ID: 1\r\n\r\nHTTP/1.1 412 Precondition Failed\r\nContent-Type: application/json\r\n\r\n{\"error\":{\"code\":\"0x80060882\",\"message\":\"version\"}}\r\n--changesetresponse_2--\r\n--batchresponse_1--\r\n"
        let answers = DynamicsBatch.answers(Array(answer.utf8), contentType: "multipart/mixed; boundary=batchresponse_1")
        #expect(answers.count == 1 && answers.first?.status == 412 && answers.first?.contentID == "1")
        let error = DynamicsErrors.error(status: 412, headers: HTTPHeaders(), body: answers.first?.body ?? [], crm: "dv")
        #expect(error.code == .conflict && error.crmCode == "0x80060882")
        #expect(DynamicsErrors.fields(in: "Attribute 'lastname' cannot be NULL.") == ["lastname"])
    }
}

@Suite struct DynamicsWireTests {
    @Test func rowsTombstonesAndRemovedEntriesDecode() throws {
        let row = try ExactJSON.parse(Array(#"{"@odata.etag":"W/\"12\"","contactid":"5EED0000-0000-4000-8000-000000000001","revenue":1000.50,"statecode":0,"statecode@OData.Community.Display.V1.FormattedValue":"Active","_parentcustomerid_value":null,"x@odata.unknown":"skip","modifiedon":"2024-01-15T10:30:00Z"}"#.utf8))
        let record = try #require(DynamicsWire.record(row, primaryKey: "contactid"))
        #expect(record.id == "5eed0000-0000-4000-8000-000000000001" && !record.isDeleted)
        #expect(record.fields["revenue"] == .number("1000.50") && record.fields["statecode"] == .number("0"))
        #expect(record.fields["statecode@OData.Community.Display.V1.FormattedValue"] == .string("Active"))
        #expect(record.fields["@odata.etag"] == .string("W/\"12\"") && record.fields["x@odata.unknown"] == nil)
        #expect(record.modifiedAt == 1_705_314_600_000)
        let tombstone = try ExactJSON.parse(Array(#"{"@odata.context":"https://x/api/data/v9.2/$metadata#contacts/$deletedEntity","id":"5eed0000-0000-4000-8000-000000000002","reason":"deleted"}"#.utf8))
        #expect(DynamicsWire.record(tombstone, primaryKey: "contactid") == CRMRecord(id: "5eed0000-0000-4000-8000-000000000002", isDeleted: true))
        let removed = try ExactJSON.parse(Array(#"{"@odata.id":"https://x/api/data/v9.2/contacts(5eed0000-0000-4000-8000-000000000003)","@removed":{"reason":"deleted"}}"#.utf8))
        #expect(DynamicsWire.record(removed, primaryKey: "contactid")?.id == "5eed0000-0000-4000-8000-000000000003")
        #expect(DynamicsOptions().primaryKey("tasks") == "activityid" && DynamicsOptions().primaryKey("new_projects") == "new_projectid")
        #expect(DynamicsOptions().navigation("parentcustomerid", target: "contact") == "parentcustomerid_contact")
    }
}
