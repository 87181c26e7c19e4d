@testable import ConcordStore
import ConcordCore
import Testing

@Suite("Store sync tables: links, shadows, cursors, outbox, quarantine")
struct StoreSyncTablesTests {
    let a = RecordID(high: 1, low: 1), b = RecordID(high: 1, low: 2)

    func open() throws -> ConcordStore { try ConcordStore.open(path: ":memory:", wallClock: .constant(5_000)) }

    @Test("links map both ways and a relink replaces the old one")
    func links() throws {
        let store = try open()
        try store.setLink(replica: "hubspot", objectType: "contact", externalID: "101", record: a)
        try store.setLink(replica: "salesforce", objectType: "contact", externalID: "003xx", record: a)
        #expect(try store.linkedRecord(replica: "hubspot", objectType: "contact", externalID: "101") == a)
        #expect(try store.links(of: a) == ["hubspot": "101", "salesforce": "003xx"])
        // HubSpot merged 101 into 202: the record's HubSpot link moves.
        try store.setLink(replica: "hubspot", objectType: "contact", externalID: "202", record: a)
        #expect(try store.linkedRecord(replica: "hubspot", objectType: "contact", externalID: "101") == nil)
        #expect(try store.externalID(replica: "hubspot", record: a) == "202")
        try store.removeLink(replica: "hubspot", record: a)
        #expect(try store.links(of: a) == ["salesforce": "003xx"])
    }

    @Test("shadows keep the last seen value per field, blank distinct from absent")
    func shadows() throws {
        let store = try open()
        #expect(try store.shadow(replica: "hubspot", record: a).isEmpty)
        try store.updateShadow(replica: "hubspot", record: a, fields: ["email": .string("a@x.io"), "phone": .null])
        try store.updateShadow(replica: "hubspot", record: a, fields: ["title": .string("CTO")])
        #expect(try store.shadow(replica: "hubspot", record: a) == ["email": .string("a@x.io"), "phone": .null, "title": .string("CTO")])
        #expect(try store.shadow(replica: "salesforce", record: a).isEmpty)
    }

    @Test("the outbox keeps one open item per record and replica, and parks permanent failures")
    func outbox() throws {
        let store = try open()
        let first = try store.enqueue(replica: "hubspot", objectType: "contact", record: a, operation: .create, payload: "email")
        let again = try store.enqueue(replica: "hubspot", objectType: "contact", record: a, operation: .update, payload: "email,title")
        #expect(first == again)
        var items = try store.outbox(replica: "hubspot")
        #expect(items.count == 1 && items[0].operation == .create && items[0].payload == "email,title")
        try store.enqueue(replica: "hubspot", objectType: "contact", record: b, operation: .update, payload: "phone")
        try store.markSending([first])
        #expect(try store.outbox(replica: "hubspot", state: .sending).map(\.id) == [first])
        try store.failOutbox(first, error: "429 rate limited", permanent: false)
        items = try store.outbox(replica: "hubspot")
        #expect(items.count == 2 && items[0].attempts == 1 && items[0].lastError == "429 rate limited")
        try store.failOutbox(items[1].id, error: "INVALID_EMAIL_ADDRESS", permanent: true)
        #expect(try store.outbox(replica: "hubspot", state: .failed).count == 1)
        try store.completeOutbox([first])
        #expect(try store.outboxDepth() == [:])
    }

    @Test("objects with open writes: all of them, or (createsOnly) those with a create or a record the CRM holds no copy of")
    func openOutboxObjects() throws {
        let store = try open()
        try store.setLink(replica: "hubspot", objectType: "contact", externalID: "101", record: a)
        try store.enqueue(replica: "hubspot", objectType: "contact", record: a, operation: .update, payload: "title")
        try store.enqueue(replica: "hubspot", objectType: "company", record: b, operation: .update, payload: "name")
        #expect(try store.openOutboxObjects(replica: "hubspot") == ["contact", "company"])
        #expect(try store.openOutboxObjects(replica: "hubspot", createsOnly: true) == ["company"], "b has no HubSpot copy")
        try store.setLink(replica: "hubspot", objectType: "company", externalID: "202", record: b)
        #expect(try store.openOutboxObjects(replica: "hubspot", createsOnly: true).isEmpty, "updates of linked records only")
        let c = RecordID(high: 1, low: 3)
        try store.enqueue(replica: "hubspot", objectType: "deal", record: c, operation: .create, payload: "name")
        #expect(try store.openOutboxObjects(replica: "hubspot", createsOnly: true) == ["deal"])
        #expect(try store.openOutboxObjects(replica: "salesforce", createsOnly: true).isEmpty)
    }

    @Test("merge, shadow, cursor and outbox in one transaction: all or nothing")
    func atomic() throws {
        let store = try open()
        struct Boom: Error {}
        let change = RecordChange(id: a, objectType: "contact",
                                  state: RecordState(fields: ["email": FieldRegister(value: .string("a@x.io"), stamp: Stamp(hlc: HLCTimestamp(millis: 5), site: SiteID(rawValue: 1)))]))
        #expect(throws: StoreError.self) {
            try store.transaction { s throws(StoreError) in
                _ = try s.merge([change], origin: "hubspot")
                try s.updateShadow(replica: "hubspot", record: a, fields: ["email": .string("a@x.io")])
                try s.setCursor("c1", replica: "hubspot", objectType: "contact")
                try s.enqueue(replica: "salesforce", objectType: "contact", record: a, operation: .create, payload: "email")
                throw StoreError(.integrity, "injected")
            }
        }
        #expect(try store.record(a) == nil)
        #expect(try store.shadow(replica: "hubspot", record: a).isEmpty)
        #expect(try store.cursor(replica: "hubspot", objectType: "contact") == nil)
        #expect(try store.outboxDepth().isEmpty)
        try store.transaction { s throws(StoreError) in
            _ = try s.merge([change], origin: "hubspot")
            try s.setCursor("c1", replica: "hubspot", objectType: "contact")
        }
        #expect(try store.record(a) != nil && store.cursor(replica: "hubspot", objectType: "contact") == "c1")
    }

    @Test("quarantine entries can be added, read and removed")
    func quarantine() throws {
        let store = try open()
        let id = try store.addQuarantine(objectType: "contact", replica: "hubspot", recordKey: "101",
                                         input: "{\"email\":\"not-an-email\"}", rule: "email-format", reason: "email is not an address")
        #expect(try store.quarantineEntry(id)?.input == "{\"email\":\"not-an-email\"}")
        #expect(try store.removeQuarantine(id))
        #expect(try !store.removeQuarantine(id))
    }
}
