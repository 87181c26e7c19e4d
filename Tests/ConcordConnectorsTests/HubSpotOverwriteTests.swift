import CRMEmulators
import ConcordConnectors
import ConcordMapping
import Foundation
import Testing

/// HubSpot has no conditional writes: an update reports what it overwrote, from the
/// properties' history read after the write, so the engine can merge an edit it never saw.
struct HubSpotOverwriteTests {
    @Test func anUpdateReportsTheValueItReplacedWhenSomeoneElseSetIt() async throws {
        let emulator = HubSpotTestSupport.emulator()
        let ids = HubSpotTestSupport.seedContacts(emulator, count: 3)
        try await HubSpotTestSupport.withServer(emulator) { connector, _ in
            // A person edits the first contact after Concord read it, before Concord writes.
            let edited = try emulator.control.store.transaction { tx in
                try tx.update("contacts", id: ids[0], changes: ["firstname": .string("Edited by a person")], source: "CRM_UI")
            }
            let items = ids.enumerated().map { i, id in
                PushItem(key: Int64(i), operation: .update(id: id, fields: ["firstname": .string("From Concord"), "lastname": .string("L\(i)")], ifMatch: nil))
            }
            let results = try await connector.push(object: "contacts", items: items)
            #expect(results.count == 3 && results.allSatisfy { (try? $0.outcome.get()) != nil })
            let byKey = Dictionary(uniqueKeysWithValues: results.map { ($0.key, $0) })
            let first = try #require(byKey[0]?.preceding["firstname"], "the person's edit was reported")
            #expect(first.value == .string("Edited by a person"))
            #expect(first.at == UInt64(edited.modifiedAt))
            // The others replaced their seeded values (Concord compares them with what it saw).
            #expect(byKey[1]?.preceding["firstname"]?.value == .string("F1"))
            // An unchanged property (lastname was already L0) has no history entry for the write.
            #expect(byKey[0]?.preceding["lastname"] == nil)
            #expect(await connector.apiCalls().byKind["verify"] == 1)
        }
    }

    @Test func aWriteSentTwiceStillShowsTheEditBetween() async throws {
        let emulator = HubSpotTestSupport.emulator()
        let ids = HubSpotTestSupport.seedContacts(emulator, count: 1)
        try await HubSpotTestSupport.withServer(emulator) { connector, _ in
            // Concord's first send landed, then a person edited, then the resend landed.
            _ = try emulator.control.store.transaction { tx in
                try tx.update("contacts", id: ids[0], changes: ["firstname": .string("From Concord")], source: "API")
            }
            let edited = try emulator.control.store.transaction { tx in
                try tx.update("contacts", id: ids[0], changes: ["firstname": .string("A person")], source: "CRM_UI")
            }
            let results = try await connector.push(object: "contacts", items: [
                PushItem(key: 1, operation: .update(id: ids[0], fields: ["firstname": .string("From Concord")], ifMatch: nil)),
            ])
            let preceding = try #require(results.first?.preceding["firstname"])
            #expect(preceding.value == .string("A person") && preceding.at == UInt64(edited.modifiedAt))
        }
    }
}
