@testable import ConcordConnectors
import CRMEmulators
import ConcordHTTP
import Testing

/// Per-field times from Salesforce field history (`ContactHistory`, `AccountHistory`).
@Suite struct SalesforceFieldHistoryTests {
    func connector(_ h: EmulatorHarness<SalesforceEmulator>, _ wall: TestWall) -> SalesforceConnector {
        SalesforceConnector(config: salesforceConfig(h.server.baseURL), http: h.http, wallClock: wall.wallClock,
                            environment: salesforceTestEnvironment)
    }

    @Test("each field's time is its last change, also of a deleted record; a field unchanged since creation, or an object without history, gives none")
    func timesPerField() async throws {
        let wall = TestWall()
        let emulator = SalesforceEmulator(clock: wall.emulatorClock, limits: [])
        try await EmulatorHarness.with(emulator) { h in
            let ids = seedContacts(emulator, count: 2)
            let created = wall.now
            wall.advance(5_000)
            _ = try emulator.control.store.transaction { tx in try tx.update("Contact", id: ids[0], changes: ["Title": .string("CFO")], source: "USER") }
            let titled = wall.now
            wall.advance(5_000)
            _ = try emulator.control.store.transaction { tx in try tx.update("Contact", id: ids[0], changes: ["LastName": .string("Later")], source: "USER") }
            let renamed = wall.now
            wall.advance(5_000)
            deleteContacts(emulator, [ids[0]])
            let sf = connector(h, wall)
            let times = try await sf.fieldTimes(object: "Contact", ids: ids, fields: ["Title", "LastName", "Email"])
            #expect(times[ids[0]]?["Title"] == UInt64(titled / 1000 * 1000), "the title's edit, not the later rename or the delete")
            #expect(times[ids[0]]?["LastName"] == UInt64(renamed / 1000 * 1000))
            #expect(times[ids[0]]?["Email"] == nil && times[ids[1]] == nil, "unchanged since created \(created): the record's time stands")
            #expect(try await sf.fieldTimes(object: "Task", ids: ["00T000000000001AAA"], fields: ["Subject"]).isEmpty)
            // An org without history for an object (the emulator has no Lead) refuses the query
            // once (INVALID_TYPE): nothing, and not asked again.
            let before = await sf.apiCalls()["history"] ?? 0
            #expect(try await sf.fieldTimes(object: "Lead", ids: ["00Q000000000001AAA"], fields: ["Title"]).isEmpty)
            #expect(try await sf.fieldTimes(object: "Lead", ids: ["00Q000000000001AAA"], fields: ["Title"]).isEmpty)
            #expect(await sf.apiCalls()["history"] == before + 1)
        }
    }

    @Test("history naming a compound field (BillingAddress, a contact's Name) times each of its parts")
    func compoundFields() {
        #expect(SalesforceConnector.parts(of: "BillingAddress", in: "Account").contains("BillingCity"))
        #expect(SalesforceConnector.parts(of: "Name", in: "Contact").contains("LastName"))
        #expect(SalesforceConnector.parts(of: "Name", in: "Account") == ["Name"])
        #expect(SalesforceConnector.compound(of: "MailingPostalCode", in: "Contact") == "MailingAddress")
        #expect(SalesforceConnector.compound(of: "Phone", in: "Contact") == nil)
        #expect(SalesforceConnector.historyObject(of: "Opportunity")! == ("OpportunityFieldHistory", "OpportunityId"))
        #expect(SalesforceConnector.historyObject(of: "Invoice__c")! == ("Invoice__History", "ParentId"))
    }
}
