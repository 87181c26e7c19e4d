@testable import ConcordConnectors
import ConcordHTTP
import CRMEmulators
import Testing

/// Per-field times and deleted rows' last values from Dataverse audit history.
@Suite struct DynamicsAuditTests {
    @Test("each column's time is the newest write that set it; a deleted row's last values (lookups annotated) come from its delete's entry")
    func timesAndLastValues() async throws {
        let wall = TestWall()
        let emulator = DataverseEmulator(clock: EmulatorClock(precisionMs: 1000, wall: { wall.now }), limits: [])
        try await EmulatorHarness.with(emulator) { h in
            let account = testGUID(900)
            emulator.control.store.transaction { tx in
                _ = tx.create("account", id: account, fields: ["name": .string("Acme")], source: "SEED")
            }
            let ids = seedDataverseContacts(emulator, count: 2)
            wall.advance(5_000)
            _ = try emulator.control.store.transaction { tx in
                try tx.update("contact", id: ids[0], changes: ["jobtitle": .string("CFO"),
                                                              "parentcustomerid": ["id": .string(account), "type": "account"]], source: "USER")
            }
            let titled = wall.now / 1000 * 1000
            wall.advance(5_000)
            _ = try emulator.control.store.transaction { tx in try tx.update("contact", id: ids[0], changes: ["lastname": .string("Later")], source: "USER") }
            let renamed = wall.now / 1000 * 1000
            wall.advance(5_000)
            _ = try emulator.control.store.transaction { tx in try tx.delete("contact", id: ids[0], source: "USER") }
            let dv = dynamicsConnector(h, wall: wall)
            let fields = ["jobtitle", "lastname", "_parentcustomerid_value"]
            let times = try await dv.fieldTimes(object: "contacts", ids: ids, fields: fields)
            #expect(times[ids[0]]?["jobtitle"] == UInt64(titled) && times[ids[0]]?["_parentcustomerid_value"] == UInt64(titled))
            #expect(times[ids[0]]?["lastname"] == UInt64(renamed), "the rename, not the delete")
            #expect(await dv.apiCalls()["history"] == 1, "both rows' audit in one $batch")
            let last = try await dv.lastValues(object: "contacts", ids: ids, fields: fields)
            #expect(last.map(\.id) == [ids[0]], "the row not deleted has no delete entry")
            let row = try #require(last.first)
            #expect(row.isDeleted && row.fields["jobtitle"]?.text == "CFO" && row.fields["lastname"]?.text == "Later")
            #expect(row.fields["_parentcustomerid_value"]?.text == account)
            #expect(row.fields["_parentcustomerid_value@Microsoft.Dynamics.CRM.lookuplogicalname"]?.text == "account")
            #expect(row.fieldModifiedAt["jobtitle"] == UInt64(titled))
        }
    }

    @Test("an org that refuses the audit (403) gives no times, and is not asked again for that table")
    func refusedAudit() async throws {
        let emulator = DataverseEmulator(limits: [])
        try await EmulatorHarness.with(emulator) { h in
            let ids = seedDataverseContacts(emulator, count: 1)
            let refused = HTTPResponse(status: 403, body: Array(#"{"error":{"code":"0x80040220","message":"Principal user is missing prvReadAuditSummary privilege"}}"#.utf8))
            let http = InterceptingClient(h.http) { request, _ in request.url.hasSuffix("/$batch") ? .respond(refused) : .pass }
            let dv = dynamicsConnector(h, http: http)
            let first = try await dv.fieldTimes(object: "contacts", ids: ids, fields: ["lastname"])
            let again = try await dv.fieldTimes(object: "contacts", ids: ids, fields: ["lastname"])
            #expect(first.isEmpty && again.isEmpty)
            #expect(await dv.apiCalls()["history"] == 1)
        }
    }
}
