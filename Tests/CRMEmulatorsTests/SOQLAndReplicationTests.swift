@testable import CRMEmulators
import Foundation
import Testing

@Suite struct SOQLAndReplicationTests {
    @Test func parserHandlesTheSyncSubset() throws {
        let query = try SOQLParser.parse("SELECT Id, Name FROM Contact WHERE (SystemModstamp >= 2024-01-01T00:00:00Z AND LastName != 'O\\'Brien') OR Id IN ('a','b') ORDER BY SystemModstamp ASC, Id DESC NULLS LAST LIMIT 10")
        #expect(query.fields == ["Id", "Name"])
        #expect(query.object == "Contact")
        #expect(query.orderBy.map(\.field) == ["SystemModstamp", "Id"])
        #expect(query.orderBy.map(\.ascending) == [true, false])
        #expect(query.limit == 10)
        guard case .or(.and(.compare("SystemModstamp", ">=", .dateTime(let ms, false)), .compare("LastName", "!=", .string("O'Brien"))), .inList("Id", let values, false)) = query.condition else {
            Issue.record("unexpected condition \(String(describing: query.condition))")
            return
        }
        #expect(ms == 1_704_067_200_000)
        #expect(values.count == 2)
        #expect(throws: SOQLError.self) { try SOQLParser.parse("SELECT FROM Contact") }
        #expect(throws: SOQLError.self) { try SOQLParser.parse("SELECT Id FROM Contact WHERE Name = 'unterminated") }
    }

    @Test func queryPagesToTheEndWithEqualTimestamps() async throws {
        let frozen: @Sendable () -> Int64 = { 1_704_067_200_000 }
        let emulator = SalesforceEmulator(clock: EmulatorClock(precisionMs: 1000, wall: frozen))
        emulator.control.store.transaction { tx in
            for i in 0..<450 { tx.create("Contact", id: SalesforceIDs.make(prefix: "003", counter: tx.nextCounter()), fields: ["LastName": .string("L\(i)")]) }
        }
        try await withServer(emulator) { client in
            let q = "SELECT Id, SystemModstamp FROM Contact WHERE SystemModstamp >= 2024-01-01T00:00:00Z ORDER BY SystemModstamp, Id"
            var next: String? = "/services/data/v59.0/query/?q=" + FormCoding.escape(q)
            var ids: [String] = []
            var pages = 0
            while let url = next, pages < 20 {
                let reply = try await client.send("GET", url, headers: ["Sforce-Query-Options": "batchSize=200"])
                #expect(reply.json?["totalSize"] == 450)
                ids += reply.json?["records"]?.arrayValue?.compactMap { $0["Id"]?.stringValue } ?? []
                next = reply.json?["done"] == false ? reply.json?["nextRecordsUrl"]?.stringValue : nil
                pages += 1
            }
            #expect(pages == 3)
            #expect(ids.count == 450)
            #expect(ids == ids.sorted())
            let stamps = Set(emulator.control.store.all("Contact").map(\.modifiedAt))
            #expect(stamps.count == 1)
            let bad = try await client.send("GET", "/services/data/v59.0/query?q=SELECT+Id+FROM")
            #expect(bad.status == 400)
            #expect(bad.json?.arrayValue?.first?["errorCode"] == "MALFORMED_QUERY")
        }
    }

    @Test func getUpdatedGetDeletedAndPurge() async throws {
        let now = Locked(Int64(1_800_000_000_000))
        let emulator = SalesforceEmulator(clock: EmulatorClock(precisionMs: 1000, wall: { now.current }))
        let ids = emulator.control.store.transaction { tx in
            (0..<3).map { i in tx.create("Account", id: SalesforceIDs.make(prefix: "001", counter: tx.nextCounter()), fields: ["Name": .string("A\(i)")]).id }
        }
        now.withLock { $0 += 120_000 }
        try emulator.control.store.transaction { tx in try tx.delete("Account", id: ids[0]) }
        now.withLock { $0 += 120_000 }
        let start = Timestamps.isoSeconds(1_800_000_000_000 - 60_000)
        let end = Timestamps.isoSeconds(now.current)
        let deleted = try await deletedAndUpdated(emulator, start: start, end: end)
        #expect(deleted.deleted == [ids[0]])
        #expect(Set(deleted.updated) == [ids[1], ids[2]])
        now.withLock { $0 += 16 * 86_400_000 }
        let late = try await deletedAndUpdated(emulator, start: Timestamps.isoSeconds(now.current - 86_400_000), end: Timestamps.isoSeconds(now.current))
        #expect(late.deleted.isEmpty)
        #expect(late.earliest > 1_800_000_000_000)
    }

    private func deletedAndUpdated(_ emulator: SalesforceEmulator, start: String, end: String) async throws -> (deleted: [String], updated: [String], earliest: Int64) {
        var result: ([String], [String], Int64) = ([], [], 0)
        try await withServer(emulator) { client in
            let query = "start=\(FormCoding.escape(start))&end=\(FormCoding.escape(end))"
            let deleted = try await client.send("GET", "/services/data/v59.0/sobjects/Account/deleted/?\(query)")
            let updated = try await client.send("GET", "/services/data/v59.0/sobjects/Account/updated/?\(query)")
            #expect(deleted.status == 200)
            result = (deleted.json?["deletedRecords"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? [],
                      updated.json?["ids"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                      Timestamps.parse(deleted.json?["earliestDateAvailable"]?.stringValue ?? "") ?? 0)
        }
        return result
    }

    @Test func collectionsPartialFailureAndAllOrNone() async throws {
        try await withServer(SalesforceEmulator()) { client in
            let path = "/services/data/v59.0/composite/sobjects"
            let records: JSONValue = [
                ["attributes": ["type": "Contact"], "LastName": "Ok"],
                ["attributes": ["type": "Contact"], "FirstName": "Missing"],
                ["attributes": ["type": "Account"], "Name": "Acme"],
            ]
            let partial = try await client.send("POST", path, json: ["allOrNone": false, "records": records])
            let results = partial.json?.arrayValue ?? []
            #expect(results.map { $0["success"] } == [true, false, true])
            #expect(results[1]["errors"]?.arrayValue?.first?["statusCode"] == "REQUIRED_FIELD_MISSING")
            let atomic = try await client.send("POST", path, json: ["allOrNone": true, "records": records])
            let atomicResults = atomic.json?.arrayValue ?? []
            #expect(atomicResults.count == 3 && atomicResults.allSatisfy { $0["success"] == false })
            #expect(atomicResults[0]["errors"]?.arrayValue?.first?["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK")
            let count = try await client.send("GET", "/services/data/v59.0/query?q=SELECT+Id+FROM+Contact")
            #expect(count.json?["totalSize"] == 1)
            let tooMany = try await client.send("POST", path, json: ["records": .array(Array(repeating: ["attributes": ["type": "Contact"], "LastName": "X"], count: 201))])
            #expect(tooMany.json?.arrayValue?.first?["errorCode"] == "EXCEEDED_ID_LIMIT")
        }
    }
}
