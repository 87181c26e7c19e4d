@testable import ConcordConnectors
import ConcordMapping
import CRMEmulators
import Testing

/// Salesforce stamps whole seconds, so `If-Unmodified-Since` alone misses an edit made in the
/// same second as the stamp Concord read. The connector reads such records again once the
/// second has passed: an edit in between is a conflict, never overwritten.
@Suite struct SalesforceSameSecondTests {
    /// An emulator whose clock stands still: every write is stamped the same second.
    static func frozenEmulator() -> SalesforceEmulator {
        let now = EmulatorClock.systemMillis()
        return SalesforceEmulator(clock: EmulatorClock(precisionMs: 1000, wall: { now }), limits: [])
    }

    func connector(_ h: EmulatorHarness<SalesforceEmulator>) -> SalesforceConnector {
        SalesforceConnector(config: salesforceConfig(h.server.baseURL), http: h.http, environment: salesforceTestEnvironment)
    }

    @Test func anEditInTheSecondOfTheStampReadIsAConflictNotOverwritten() async throws {
        let emulator = Self.frozenEmulator()
        try await EmulatorHarness.with(emulator) { h in
            let sf = connector(h)
            let id = seedContacts(emulator, count: 1)[0]
            let read = try await sf.fetch(object: "Contact", ids: [id], fields: ["LastName", "Title"])
            let version = try #require(read.first?.version)
            // A person edits after Concord's read, in the same second: the stamp does not move.
            _ = try emulator.control.store.transaction { tx in
                try tx.update("Contact", id: id, changes: ["Title": .string("Set by a person")], source: "CRM_UI")
            }
            #expect(emulator.control.store.get("Contact", id).map { String($0.modifiedAt) } == version, "same stamp")
            let results = try await sf.push(object: "Contact", items: [
                PushItem(key: 1, operation: .update(id: id, fields: ["Title": .string("From Concord")], ifMatch: version)),
            ])
            guard case .failure(let error) = results.first?.outcome else {
                Issue.record("the write went through over the person's edit")
                return
            }
            #expect(error.code == .conflict)
            #expect(emulator.control.store.get("Contact", id)?.fields["Title"] == .string("Set by a person"))
        }
    }

    @Test func anUnchangedRecordIsWrittenOnceTheSecondHasPassed() async throws {
        let emulator = Self.frozenEmulator()
        try await EmulatorHarness.with(emulator) { h in
            let sf = connector(h)
            let id = seedContacts(emulator, count: 1)[0]
            let version = try #require(try await sf.fetch(object: "Contact", ids: [id], fields: ["LastName", "Title"]).first?.version)
            let results = try await sf.push(object: "Contact", items: [
                PushItem(key: 1, operation: .update(id: id, fields: ["Title": .string("From Concord")], ifMatch: version)),
            ])
            #expect((try? results.first?.outcome.get()) == id)
            #expect(emulator.control.store.get("Contact", id)?.fields["Title"] == .string("From Concord"))
            // One read to settle the stamp, one Composite call for the write.
            #expect(await sf.apiCalls()["fetch"] == 2)
            #expect(await sf.apiCalls()["push"] == 1)
        }
    }
}
