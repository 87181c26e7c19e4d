@testable import CRMEmulators
import Foundation
import Testing

@Suite struct FaultTests {
    @Test func adminEndpointSetsErrorRatesStormsAndPartialBatches() async throws {
        try await withServer(HubSpotEmulator()) { client in
            let set = try await client.send("POST", "/__admin/faults", json: ["errorRates": ["503": 1.0]])
            #expect(set.status == 200)
            let failed = try await client.send("GET", "/crm/v3/objects/contacts")
            #expect(failed.status == 503)
            #expect(failed.json?["category"] != nil)
            _ = try await client.send("POST", "/__admin/faults", json: ["errorRates": [:], "throttleStormSeconds": 60])
            let storm = try await client.send("GET", "/crm/v3/objects/contacts")
            #expect(storm.status == 429)
            _ = try await client.send("POST", "/__admin/faults", json: ["throttleStormSeconds": 0, "partialBatchFailureRate": 1.0])
            let batch = try await client.send("POST", "/crm/v3/objects/contacts/batch/create", json: ["inputs": [["properties": ["email": "a@x.com"]]]])
            #expect(batch.status == 207)
            #expect(batch.json?["numErrors"] == 1)
            let status = try await client.send("GET", "/__admin/faults")
            #expect(status.json?["partialBatchFailureRate"]?.doubleValue == 1.0)
        }
    }

    @Test func droppedConnectionsAndOfflineFailAtTransportLevel() async throws {
        try await withServer(SalesforceEmulator()) { client in
            _ = try await client.send("POST", "/__admin/faults", json: ["dropConnectionRate": 1.0])
            await #expect(throws: (any Error).self) { _ = try await client.send("GET", "/services/data/v59.0/sobjects") }
            _ = try await client.send("POST", "/__admin/faults", json: ["dropConnectionRate": 0, "offlineForSeconds": 60])
            await #expect(throws: (any Error).self) { _ = try await client.send("GET", "/services/data/v59.0/sobjects") }
            _ = try await client.send("POST", "/__admin/faults", json: ["offlineForSeconds": 0])
            #expect(try await client.send("GET", "/services/data/v59.0/sobjects").status == 200)
        }
    }

    @Test func clockSkewShiftsModificationStamps() throws {
        let emulator = HubSpotEmulator()
        var patch = FaultSettings.Patch()
        patch.clockSkewMs = 86_400_000
        emulator.control.applyFaults(patch)
        let record = emulator.control.store.transaction { tx in tx.create("contacts", id: "1", fields: [:]) }
        #expect(record.modifiedAt > EmulatorClock.systemMillis() + 86_000_000)
        let parsed = try FaultSettings.parsePatch("latency=5,error500=0.25,storm=3,drop=0.1,partial=0.2,skew=-100,offline=0,stall=30,ratelimits=off")
        #expect(parsed.errorRates == ["500": 0.25])
        #expect(parsed.stallAfterCommitSeconds == 30)
        #expect(parsed.rateLimitsEnabled == false)
        #expect(throws: FaultSpecError.self) { try FaultSettings.parsePatch("bogus=1") }
    }

    @Test("stall after commit: the write is kept, its answer waits until the stall is released")
    func stallAfterCommitHoldsTheAnswer() async throws {
        let emulator = HubSpotEmulator()
        try await withServer(emulator) { client in
            let set = try await client.send("POST", "/__admin/faults", json: [
                "stallAfterCommitSeconds": 600, "stallAfterCommitTypes": ["contacts"], "stallAfterCommitKinds": ["created"],
            ])
            #expect(set.json?["stallAfterCommitSeconds"]?.doubleValue == 600)
            // Reads and writes of other kinds are answered at once.
            #expect(try await client.send("GET", "/crm/v3/objects/contacts").status == 200)
            let answered = Locked(false)
            let create = Task {
                let reply = try await client.send("POST", "/crm/v3/objects/contacts", json: ["properties": ["email": "stall@x.com"]])
                answered.withLock { $0 = true }
                return reply
            }
            // Wait for the commit (a bound that only catches a hang).
            var stalled: [ChangeEvent] = []
            for _ in 0..<6000 where stalled.isEmpty {
                try await Task.sleep(nanoseconds: 10_000_000)
                stalled = emulator.control.stalledCommits
            }
            let event = try #require(stalled.first)
            #expect(stalled.count == 1 && event.type == "contacts" && event.kind == .created)
            #expect(emulator.control.store.get("contacts", event.id)?.fields["email"] == "stall@x.com", "committed before the answer")
            let listed = try await client.send("GET", "/__admin/stalled")
            #expect(listed.json?.arrayValue?.map { $0["id"]?.stringValue } == [event.id])
            try await Task.sleep(nanoseconds: 200_000_000)
            #expect(!answered.current, "the answer is held while the stall is on")
            _ = try await client.send("POST", "/__admin/faults", json: ["stallAfterCommitSeconds": 0])
            let reply = try await create.value
            #expect(reply.status == 201 && reply.json?["id"]?.stringValue == event.id)
        }
    }

    @Test func salesforceLimitIsA403() async throws {
        let emulator = SalesforceEmulator(limits: [RateLimit(name: "DailyApiRequests", limit: 1, windowMs: 86_400_000)])
        try await withServer(emulator) { client in
            let first = try await client.send("GET", "/services/data/v59.0/sobjects")
            #expect(first.header("Sforce-Limit-Info") == "api-usage=1/1")
            let second = try await client.send("GET", "/services/data/v59.0/sobjects")
            #expect(second.status == 403)
            #expect(second.json?.arrayValue?.first?["errorCode"] == "REQUEST_LIMIT_EXCEEDED")
        }
    }
}

@Suite struct DataverseFaultAndFilterTests {
    @Test func partialBatchFailureHitsBatchParts() async throws {
        try await withServer(DataverseEmulator()) { client in
            _ = try await client.send("POST", "/__admin/faults", json: ["partialBatchFailureRate": 1.0])
            let body = "--b\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nGET /api/data/v9.2/accounts HTTP/1.1\r\n\r\n--b--\r\n"
            let reply = try await client.send("POST", "/api/data/v9.2/$batch", body: Data(body.utf8), headers: ["Content-Type": "multipart/mixed; boundary=b"])
            #expect(reply.status == 503)
            #expect(reply.text.contains("HTTP/1.1 503"))
        }
    }

    @Test func filterParserReadsComparisonsLogicAndFunctions() throws {
        let row: [String: JSONValue] = ["name": "Acme Ltd", "statecode": 0, "modifiedon": "2024-02-01T00:00:00Z", "_parentcustomerid_value": "6d81aa2c-0000-4000-8000-000000000001"]
        func check(_ filter: String) throws -> Bool { ODataFilterEvaluator.matches(try ODataFilterParser.parse(filter), row) }
        #expect(try check("statecode eq 0 and modifiedon ge 2024-01-01T00:00:00Z"))
        #expect(try check("startswith(name,'acme') or statecode eq 1"))
        #expect(try !check("not (contains(name,'Ltd'))"))
        #expect(try check("_parentcustomerid_value eq 6d81aa2c-0000-4000-8000-000000000001"))
        #expect(try check("name ne 'O''Brien' and statecode lt 1"))
        #expect(throws: ODataFilterError.self) { try ODataFilterParser.parse("name eq") }
        #expect(throws: ODataFilterError.self) { try ODataFilterParser.parse("name like 'x'") }
    }
}
