import ConcordConnectors
import ConcordCore
import ConcordDemo
import ConcordEngine
import CRMEmulators
import Foundation
import Testing

/// Salesforce and Dataverse give one modification time per record: a field edited there,
/// then the same record changed again (another field, or deleted), would carry the later
/// time and beat an edit made elsewhere in between. Field history (Salesforce), audit history
/// (Dataverse) and property history (HubSpot, archived records too) give each field its own time.
@Suite("End to end: per-field times from record-level CRMs", .serialized)
struct EndToEndFieldTimesTests {
    /// Whole-second CRM stamps (Salesforce, Dataverse): a pause this long puts the next edit
    /// in a later second, so the order of the edits is the order of their stamps.
    static func nextSecond() async throws { try await Task.sleep(for: .milliseconds(1100)) }

    /// A synced stack and one of its records of `object` linked in all three CRMs.
    struct Scene {
        let stack: Stack
        let engine: SyncEngine
        let connectors: [any CRMConnector]
        let record: LinkedRecord
        var sf: String { record.ids["salesforce"]! }
        var hs: String { record.ids["hubspot"]! }
        var dv: String { record.ids["dynamics"]! }

        /// A field's value in a CRM's record.
        func value(_ crm: String, _ type: String, _ id: String, _ field: String) -> JSONValue? {
            stack.emulator(crm).control.store.get(type, id)?.fields[field]
        }

        /// A person deletes the record in a CRM.
        func delete(_ crm: String, _ type: String, _ id: String) throws {
            _ = try stack.emulator(crm).control.store.transaction { tx in try tx.delete(type, id: id, source: "CRM_UI") }
        }

        /// Syncs until quiet; then whether every CRM reads back the same.
        func syncAndVerify() async throws -> Verification {
            _ = await engine.syncToConvergence(maxPasses: 8)
            return try await Verification.check(config: stack.config, connectors: connectors, engine: engine)
        }
    }

    static func scene(seed: UInt64, object: String) async throws -> Scene {
        let stack = try await Stack.start(people: 20, seed: seed)
        let (engine, connectors) = try stack.engine()
        _ = await engine.syncToConvergence(maxPasses: 8)
        let found = try await engine.withStore { try $0.linkedEverywhere([object], orderedBy: "salesforce").first }
        return Scene(stack: stack, engine: engine, connectors: connectors, record: try #require(found, "a \(object) linked in all three CRMs"))
    }

    @Test("a Salesforce city edit, a later Dataverse edit of it, then the Salesforce account deleted (full demo seed 5): the later edit stands")
    func salesforceEditThenDelete() async throws {
        let s = try await Self.scene(seed: 31, object: "company")
        defer { Task { await s.stack.stop() } }
        try s.stack.userEdit("salesforce", "Account", s.sf, ["BillingCity": .string("Older Salesforce City")])
        try await Self.nextSecond()
        try s.stack.userEdit("dynamics", "account", s.dv, ["address1_city": .string("Later Dataverse City")])
        try await Self.nextSecond()
        try s.delete("salesforce", "Account", s.sf)
        _ = try await s.syncAndVerify()
        #expect(s.value("hubspot", "companies", s.hs, "city") == .string("Later Dataverse City"))
        #expect(s.value("dynamics", "account", s.dv, "address1_city") == .string("Later Dataverse City"))
        #expect(try await s.engine.withStore { try $0.record(s.record.gid)?.state.isAlive } == true, "company deletes are ignored")
    }

    @Test("a Salesforce title edit, a later HubSpot edit of it, then a Salesforce phone edit: HubSpot's title and Salesforce's phone stand everywhere")
    func salesforceEditThenOtherField() async throws {
        let s = try await Self.scene(seed: 32, object: "contact")
        defer { Task { await s.stack.stop() } }
        try s.stack.userEdit("salesforce", "Contact", s.sf, ["Title": .string("Older Salesforce Title")])
        try await Self.nextSecond()
        try s.stack.userEdit("hubspot", "contacts", s.hs, ["jobtitle": .string("Later HubSpot Title")])
        try await Self.nextSecond()
        try s.stack.userEdit("salesforce", "Contact", s.sf, ["Phone": .string("+15550123")])
        let v = try await s.syncAndVerify()
        #expect(s.value("salesforce", "Contact", s.sf, "Title") == .string("Later HubSpot Title"))
        #expect(s.value("dynamics", "contact", s.dv, "jobtitle") == .string("Later HubSpot Title"))
        #expect(s.value("hubspot", "contacts", s.hs, "jobtitle") == .string("Later HubSpot Title"))
        #expect(s.value("hubspot", "contacts", s.hs, "phone") == .string("+15550123"))
        #expect(s.value("dynamics", "contact", s.dv, "telephone1") == .string("+15550123"))
        #expect(v.converged, "\(v.divergences.prefix(5)) \(v.unlinked.prefix(5))")
    }

    @Test("a Dataverse phone edit, a later Salesforce edit of it, then a Dataverse city edit (full demo seed 10): Salesforce's phone and Dataverse's city stand")
    func dataverseEditThenOtherField() async throws {
        let s = try await Self.scene(seed: 33, object: "company")
        defer { Task { await s.stack.stop() } }
        try s.stack.userEdit("dynamics", "account", s.dv, ["telephone1": .string("+15550101")])
        try await Self.nextSecond()
        try s.stack.userEdit("salesforce", "Account", s.sf, ["Phone": .string("+15550202")])
        try await Self.nextSecond()
        try s.stack.userEdit("dynamics", "account", s.dv, ["address1_city": .string("Later Dataverse City")])
        let v = try await s.syncAndVerify()
        #expect(s.value("dynamics", "account", s.dv, "telephone1") == .string("+15550202"))
        #expect(s.value("hubspot", "companies", s.hs, "phone") == .string("+15550202"))
        #expect(s.value("salesforce", "Account", s.sf, "Phone") == .string("+15550202"))
        #expect(s.value("salesforce", "Account", s.sf, "BillingCity") == .string("Later Dataverse City"))
        #expect(v.converged, "\(v.divergences.prefix(5)) \(v.unlinked.prefix(5))")
    }

    @Test("a Dataverse account edited then deleted before Concord read the edit (full demo seed 17): the edit reaches the others from the delete's audit entry (company deletes are ignored)")
    func dataverseEditThenDelete() async throws {
        let s = try await Self.scene(seed: 34, object: "company")
        defer { Task { await s.stack.stop() } }
        try s.stack.userEdit("dynamics", "account", s.dv, ["address1_city": .string("Last Dataverse City")])
        try s.delete("dynamics", "account", s.dv)
        _ = try await s.syncAndVerify()
        #expect(s.value("salesforce", "Account", s.sf, "BillingCity") == .string("Last Dataverse City"))
        #expect(s.value("hubspot", "companies", s.hs, "city") == .string("Last Dataverse City"))
        #expect(try await s.engine.withStore { try $0.record(s.record.gid)?.state.isAlive } == true, "the company lives on")
        #expect(!s.stack.ids("dynamics", "account").contains(s.dv), "and is not re-created in Dataverse")
    }

    @Test("a HubSpot city edit, a later Salesforce edit of it, then the HubSpot company archived (full demo seed 3): Salesforce's edit stands (the archived record's property history, read with archived=true)")
    func hubspotEditThenArchive() async throws {
        let s = try await Self.scene(seed: 35, object: "company")
        defer { Task { await s.stack.stop() } }
        try s.stack.userEdit("hubspot", "companies", s.hs, ["city": .string("Older HubSpot City")])
        try await Self.nextSecond()
        try s.stack.userEdit("salesforce", "Account", s.sf, ["BillingCity": .string("Later Salesforce City")])
        try await Self.nextSecond()
        try s.delete("hubspot", "companies", s.hs)
        _ = try await s.syncAndVerify()
        #expect(s.value("salesforce", "Account", s.sf, "BillingCity") == .string("Later Salesforce City"))
        #expect(s.value("dynamics", "account", s.dv, "address1_city") == .string("Later Salesforce City"))
    }
}
