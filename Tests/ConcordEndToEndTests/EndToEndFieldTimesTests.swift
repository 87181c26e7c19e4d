import ConcordCore
import ConcordDemo
import ConcordEngine
import CRMEmulators
import Foundation
import Testing

/// Salesforce and Dataverse give one modification time per record: a field edited there,
/// then the same record changed again (another field, or deleted), would carry the later
/// time and beat an edit made elsewhere in between. Field history (Salesforce) and audit
/// history (Dataverse) give each field its own time.
@Suite("End to end: per-field times from record-level CRMs", .serialized)
struct EndToEndFieldTimesTests {
    /// Whole-second CRM stamps (Salesforce, Dataverse): a pause this long puts the next edit
    /// in a later second, so the order of the edits is the order of their stamps.
    static func nextSecond() async throws { try await Task.sleep(for: .milliseconds(1100)) }

    func linked(_ engine: SyncEngine, _ object: String) async throws -> LinkedRecord {
        let found = try await engine.withStore { try $0.linkedEverywhere([object], orderedBy: "salesforce").first }
        return try #require(found, "a \(object) linked in all three CRMs")
    }

    @Test("a Salesforce city edit, a later Dataverse edit of it, then the Salesforce account deleted (full demo seed 5): the later edit stands")
    func salesforceEditThenDelete() async throws {
        let stack = try await Stack.start(people: 20, seed: 31)
        defer { Task { await stack.stop() } }
        let (engine, _) = try stack.engine()
        _ = await engine.syncToConvergence(maxPasses: 8)
        let company = try await linked(engine, "company")
        let (sf, hs, dv) = (company.ids["salesforce"]!, company.ids["hubspot"]!, company.ids["dynamics"]!)
        try stack.userEdit("salesforce", "Account", sf, ["BillingCity": .string("Older Salesforce City")])
        try await Self.nextSecond()
        try stack.userEdit("dynamics", "account", dv, ["address1_city": .string("Later Dataverse City")])
        try await Self.nextSecond()
        _ = try stack.emulator("salesforce").control.store.transaction { tx in try tx.delete("Account", id: sf, source: "CRM_UI") }
        _ = await engine.syncToConvergence(maxPasses: 8)
        #expect(stack.emulator("hubspot").control.store.get("companies", hs)?.fields["city"] == .string("Later Dataverse City"))
        #expect(stack.emulator("dynamics").control.store.get("account", dv)?.fields["address1_city"] == .string("Later Dataverse City"))
        #expect(try await engine.withStore { try $0.record(company.gid)?.state.isAlive } == true, "company deletes are ignored")
    }

    @Test("a Salesforce title edit, a later HubSpot edit of it, then a Salesforce phone edit: HubSpot's title and Salesforce's phone stand everywhere")
    func salesforceEditThenOtherField() async throws {
        let stack = try await Stack.start(people: 20, seed: 32)
        defer { Task { await stack.stop() } }
        let (engine, connectors) = try stack.engine()
        _ = await engine.syncToConvergence(maxPasses: 8)
        let contact = try await linked(engine, "contact")
        let (sf, hs, dv) = (contact.ids["salesforce"]!, contact.ids["hubspot"]!, contact.ids["dynamics"]!)
        try stack.userEdit("salesforce", "Contact", sf, ["Title": .string("Older Salesforce Title")])
        try await Self.nextSecond()
        try stack.userEdit("hubspot", "contacts", hs, ["jobtitle": .string("Later HubSpot Title")])
        try await Self.nextSecond()
        try stack.userEdit("salesforce", "Contact", sf, ["Phone": .string("+15550123")])
        _ = await engine.syncToConvergence(maxPasses: 8)
        #expect(stack.emulator("salesforce").control.store.get("Contact", sf)?.fields["Title"] == .string("Later HubSpot Title"))
        #expect(stack.emulator("dynamics").control.store.get("contact", dv)?.fields["jobtitle"] == .string("Later HubSpot Title"))
        #expect(stack.emulator("hubspot").control.store.get("contacts", hs)?.fields["jobtitle"] == .string("Later HubSpot Title"))
        #expect(stack.emulator("hubspot").control.store.get("contacts", hs)?.fields["phone"] == .string("+15550123"))
        #expect(stack.emulator("dynamics").control.store.get("contact", dv)?.fields["telephone1"] == .string("+15550123"))
        let v = try await Verification.check(config: stack.config, connectors: connectors, engine: engine)
        #expect(v.converged, "\(v.divergences.prefix(5)) \(v.unlinked.prefix(5))")
    }
    @Test("a Dataverse phone edit, a later Salesforce edit of it, then a Dataverse city edit (full demo seed 10): Salesforce's phone and Dataverse's city stand")
    func dataverseEditThenOtherField() async throws {
        let stack = try await Stack.start(people: 20, seed: 33)
        defer { Task { await stack.stop() } }
        let (engine, connectors) = try stack.engine()
        _ = await engine.syncToConvergence(maxPasses: 8)
        let company = try await linked(engine, "company")
        let (sf, hs, dv) = (company.ids["salesforce"]!, company.ids["hubspot"]!, company.ids["dynamics"]!)
        try stack.userEdit("dynamics", "account", dv, ["telephone1": .string("+15550101")])
        try await Self.nextSecond()
        try stack.userEdit("salesforce", "Account", sf, ["Phone": .string("+15550202")])
        try await Self.nextSecond()
        try stack.userEdit("dynamics", "account", dv, ["address1_city": .string("Later Dataverse City")])
        _ = await engine.syncToConvergence(maxPasses: 8)
        #expect(stack.emulator("dynamics").control.store.get("account", dv)?.fields["telephone1"] == .string("+15550202"))
        #expect(stack.emulator("hubspot").control.store.get("companies", hs)?.fields["phone"] == .string("+15550202"))
        #expect(stack.emulator("salesforce").control.store.get("Account", sf)?.fields["Phone"] == .string("+15550202"))
        #expect(stack.emulator("salesforce").control.store.get("Account", sf)?.fields["BillingCity"] == .string("Later Dataverse City"))
        let v = try await Verification.check(config: stack.config, connectors: connectors, engine: engine)
        #expect(v.converged, "\(v.divergences.prefix(5)) \(v.unlinked.prefix(5))")
    }
    @Test("a Dataverse account edited then deleted before Concord read the edit (full demo seed 17): the edit reaches the others from the delete's audit entry (company deletes are ignored)")
    func dataverseEditThenDelete() async throws {
        let stack = try await Stack.start(people: 20, seed: 34)
        defer { Task { await stack.stop() } }
        let (engine, _) = try stack.engine()
        _ = await engine.syncToConvergence(maxPasses: 8)
        let company = try await linked(engine, "company")
        let (sf, hs, dv) = (company.ids["salesforce"]!, company.ids["hubspot"]!, company.ids["dynamics"]!)
        try stack.userEdit("dynamics", "account", dv, ["address1_city": .string("Last Dataverse City")])
        _ = try stack.emulator("dynamics").control.store.transaction { tx in try tx.delete("account", id: dv, source: "CRM_UI") }
        _ = await engine.syncToConvergence(maxPasses: 8)
        #expect(stack.emulator("salesforce").control.store.get("Account", sf)?.fields["BillingCity"] == .string("Last Dataverse City"))
        #expect(stack.emulator("hubspot").control.store.get("companies", hs)?.fields["city"] == .string("Last Dataverse City"))
        #expect(try await engine.withStore { try $0.record(company.gid)?.state.isAlive } == true, "the company lives on")
        #expect(!stack.ids("dynamics", "account").contains(dv), "and is not re-created in Dataverse")
    }
    @Test("a HubSpot city edit, a later Salesforce edit of it, then the HubSpot company archived (full demo seed 3): Salesforce's edit stands (the archived record's property history, read with archived=true)")
    func hubspotEditThenArchive() async throws {
        let stack = try await Stack.start(people: 20, seed: 35)
        defer { Task { await stack.stop() } }
        let (engine, _) = try stack.engine()
        _ = await engine.syncToConvergence(maxPasses: 8)
        let company = try await linked(engine, "company")
        let (sf, hs, dv) = (company.ids["salesforce"]!, company.ids["hubspot"]!, company.ids["dynamics"]!)
        try stack.userEdit("hubspot", "companies", hs, ["city": .string("Older HubSpot City")])
        try await Self.nextSecond()
        try stack.userEdit("salesforce", "Account", sf, ["BillingCity": .string("Later Salesforce City")])
        try await Self.nextSecond()
        _ = try stack.emulator("hubspot").control.store.transaction { tx in try tx.delete("companies", id: hs, source: "CRM_UI") }
        _ = await engine.syncToConvergence(maxPasses: 8)
        #expect(stack.emulator("salesforce").control.store.get("Account", sf)?.fields["BillingCity"] == .string("Later Salesforce City"))
        #expect(stack.emulator("dynamics").control.store.get("account", dv)?.fields["address1_city"] == .string("Later Salesforce City"))
    }
}
