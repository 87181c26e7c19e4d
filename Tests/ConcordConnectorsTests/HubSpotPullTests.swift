import CRMEmulators
import ConcordConnectors
import ConcordCore
import ConcordMapping
import Foundation
import Testing

/// Pulls against the HubSpot emulator: full, incremental, equal timestamps, the search cap,
/// deletes, merges and writes landing during a pull.
@Suite struct HubSpotPullTests {
    @Test func fullPullOfTenThousandRecordsReturnsEachOnceWithinTheCallBudget() async throws {
        let emulator = HubSpotTestSupport.emulator()
        let ids = HubSpotTestSupport.seedContacts(emulator, count: 10_050)
        try await HubSpotTestSupport.withServer(emulator) { connector, _ in
            let (records, _, _) = try await HubSpotTestSupport.pullAll(connector)
            #expect(records.count == ids.count)
            #expect(Set(records.map(\.id)) == Set(ids))
            #expect(records.allSatisfy { $0.fields["email"]?.text?.hasSuffix("@example.com") == true && $0.modifiedAt != nil })
            let calls = await connector.apiCalls()
            // ceil(N / page) searches (ties drained by id cost nothing extra per record), plus
            // one archived listing for deletes, which HubSpot cannot filter by time.
            let budget = (ids.count + connector.pullPageSize - 1) / connector.pullPageSize + 1
            #expect(calls.byKind["pull", default: 0] <= budget, "pull calls \(calls.byKind) over budget \(budget)")
        }
    }

    @Test func moreThanTenThousandRecordsWithOneTimestampAreAllPulled() async throws {
        let fixed: Int64 = 1_700_000_000_000
        let emulator = HubSpotTestSupport.emulator(clock: EmulatorClock(wall: { fixed }))
        let ids = HubSpotTestSupport.seedContacts(emulator, count: 10_120, distinctTimes: false)
        try await HubSpotTestSupport.withServer(emulator) { connector, _ in
            let (records, cursor, _) = try await HubSpotTestSupport.pullAll(connector, maxPages: 400)
            #expect(records.count == ids.count, "duplicates or misses: \(records.count) for \(ids.count)")
            #expect(Set(records.map(\.id)) == Set(ids))
            #expect(records.allSatisfy { $0.modifiedAt == UInt64(fixed) })
            // ceil(N / page) searches by id, plus the first search (which finds the tie), the
            // one that finds nothing newer, and the archived listing.
            let pages = (ids.count + connector.pullPageSize - 1) / connector.pullPageSize
            let calls = await connector.apiCalls()
            #expect(calls.byKind["pull", default: 0] <= pages + 3, "\(calls.byKind) for \(pages) pages")
            // Nothing changed since: the next cycle is empty.
            let again = try await HubSpotTestSupport.pullAll(connector, cursor: cursor)
            #expect(again.records.isEmpty)
        }
    }

    @Test func incrementalPullSeesEditsDeletesAndMerges() async throws {
        let emulator = HubSpotTestSupport.emulator()
        let ids = HubSpotTestSupport.seedContacts(emulator, count: 250)
        try await HubSpotTestSupport.withServer(emulator) { connector, _ in
            let full = try await HubSpotTestSupport.pullAll(connector)
            #expect(full.records.count == 250)
            try await Task.sleep(for: .milliseconds(3))
            try emulator.control.store.transaction { tx in
                for id in ids[0..<5] { try tx.update("contacts", id: id, changes: ["firstname": .string("Edited")]) }
                for id in ids[10..<13] { try tx.delete("contacts", id: id) }
                try tx.merge("contacts", primaryID: ids[20], mergedID: ids[21])
            }
            // Deletes are read up to HubSpot's clock (its `Date` header, to the second), and
            // changes once they are older than the settle window (a second): either may wait for
            // a later cycle. Cycles are pulled until both are in, bounded only to catch a hang.
            let expectedDeletes = Set(ids[10..<13] + [ids[21]])
            let expectedChanges = Set(ids[0..<5] + [ids[20]])
            var next: (records: [CRMRecord], cursor: String?, pages: Int) = ([], full.cursor, 0)
            for _ in 0..<100 {
                try await Task.sleep(for: .milliseconds(300))
                let cycle = try await HubSpotTestSupport.pullAll(connector, cursor: next.cursor)
                next = (next.records + cycle.records, cycle.cursor, next.pages + cycle.pages)
                if Set(next.records.filter(\.isDeleted).map(\.id)) == expectedDeletes,
                   Set(next.records.filter { !$0.isDeleted }.map(\.id)) == expectedChanges { break }
            }
            let changed = next.records.filter { !$0.isDeleted }
            let deleted = next.records.filter(\.isDeleted)
            #expect(Set(changed.map(\.id)) == Set(ids[0..<5] + [ids[20]]))
            #expect(changed.filter { $0.id != ids[20] }.allSatisfy { $0.fields["firstname"] == .string("Edited") })
            #expect(changed.first { $0.id == ids[20] }?.mergedIDs == [ids[21]])
            #expect(Set(deleted.map(\.id)) == expectedDeletes)
            #expect(next.records.count == Set(next.records.map(\.id)).count)
            let quiet = try await HubSpotTestSupport.pullAll(connector, cursor: next.cursor)
            #expect(quiet.records.isEmpty)
        }
    }

    @Test func writesDuringAPullAreNotMissed() async throws {
        let emulator = HubSpotTestSupport.emulator()
        let ids = HubSpotTestSupport.seedContacts(emulator, count: 600)
        try await HubSpotTestSupport.withServer(emulator) { connector, _ in
            var created: [String] = []
            let first = try await HubSpotTestSupport.pullAll(connector) { page in
                guard page <= 4 else { return }
                // Edit records already pulled and not yet pulled, and create new ones, between pages.
                try emulator.control.store.transaction { tx in
                    try tx.update("contacts", id: ids[page * 7], changes: ["firstname": .string("During\(page)")])
                    try tx.update("contacts", id: ids[599 - page], changes: ["firstname": .string("During\(page)")])
                }
                created += HubSpotTestSupport.seedContacts(emulator, count: 2, prefix: "new\(page)-", distinctTimes: false)
            }
            let second = try await HubSpotTestSupport.pullAll(connector, cursor: first.cursor)
            var latest: [String: CRMRecord] = [:]
            for record in first.records + second.records { latest[record.id] = record }
            #expect(Set(latest.keys) == Set(ids + created))
            for page in 1...4 {
                #expect(latest[ids[page * 7]]?.fields["firstname"] == .string("During\(page)"))
                #expect(latest[ids[599 - page]]?.fields["firstname"] == .string("During\(page)"))
            }
        }
    }

    @Test("an update whose association call fails is the record's success with the association reported unwritten")
    func failedAssociationLeavesTheWriteStanding() async throws {
        let emulator = HubSpotTestSupport.emulator()
        try await HubSpotTestSupport.withServer(emulator) { connector, _ in
            let created = try await connector.push(object: "contacts", items: [
                PushItem(key: 1, operation: .create(fields: ["email": .string("cy@acme.test"), "jobtitle": .string("Analyst")], upsertKey: nil)),
            ])
            let id = try #require(try? created.first?.outcome.get())
            // The company does not exist: the record's properties are written, its association fails.
            let updated = try await connector.push(object: "contacts", items: [
                PushItem(key: 2, operation: .update(id: id, fields: ["jobtitle": .string("Director"), "associations.companies": .string("99999999999")],
                                                    ifMatch: nil)),
            ])
            let result = try #require(updated.first)
            #expect((try? result.outcome.get()) == id, "the record was written: \(result.outcome)")
            #expect(result.unwritten["associations.companies"] != nil, "the association is reported unwritten")
            #expect(emulator.control.store.get("contacts", id)?.fields["jobtitle"] == .string("Director"))
        }
    }

    @Test func fieldHistoryAndAssociationsArePulled() async throws {
        let emulator = HubSpotTestSupport.emulator()
        try await HubSpotTestSupport.withServer(emulator) { connector, _ in
            let company = try await connector.push(object: "companies", items: [
                PushItem(key: 1, operation: .create(fields: ["name": .string("Acme")], upsertKey: nil)),
            ])
            let companyID = try #require(try? company.first?.outcome.get())
            let contact = try await connector.push(object: "contacts", items: [
                PushItem(key: 2, operation: .create(fields: ["email": .string("ann@acme.test"), "firstname": .string("Ann"),
                                                             "associations.companies": .string(companyID)], upsertKey: nil)),
                PushItem(key: 3, operation: .create(fields: ["email": .string("bob@acme.test")], upsertKey: nil)),
            ])
            #expect(contact.count == 2 && contact.allSatisfy { (try? $0.outcome.get()) != nil })
            let pulled = try await HubSpotTestSupport.pullAll(connector, fields: ["email", "firstname", "associations.companies"], history: true)
            let ann = try #require(pulled.records.first { $0.fields["email"] == .string("ann@acme.test") })
            let bob = try #require(pulled.records.first { $0.fields["email"] == .string("bob@acme.test") })
            #expect(ann.fields["associations.companies"] == .string(companyID))
            #expect(bob.fields["associations.companies"] == .null)
            #expect(ann.fieldModifiedAt["firstname"] != nil)
            #expect(ann.fieldModifiedAt["email"] != nil)
            let fetched = try await connector.fetch(object: "contacts", ids: [ann.id, bob.id, "99999999999"], fields: ["email", "associations.companies"])
            #expect(Set(fetched.map(\.id)) == [ann.id, bob.id])
            let found = try await connector.find(object: "contacts", field: "email", values: ["bob@acme.test", "nobody@x.test"], fields: ["email"])
            #expect(found.map(\.id) == [bob.id])
            let calls = await connector.apiCalls()
            #expect(calls.byKind["fetch", default: 0] == 2)  // one batch read, one association batch read
            #expect(calls.byKind["find", default: 0] == 1)
        }
    }

    @Test func searchPacingStaysUnderTheEmulatorsSearchLimit() async throws {
        let emulator = HubSpotTestSupport.emulator(limited: true)
        HubSpotTestSupport.seedContacts(emulator, count: 450)
        let waits = WaitLog()
        let options = HubSpotTestSupport.options(searchPerSecond: 4, maxSleep: 1000, waits: waits)
        try await HubSpotTestSupport.withServer(emulator, options: options) { connector, _ in
            let (records, _, _) = try await HubSpotTestSupport.pullAll(connector)
            #expect(records.count == 450)
            // Paced by the connector: no 429 cost a retry (a retry would add a call and a wait of >= 1 s).
            #expect(!waits.waits.contains { $0 >= 1000 })
            let calls = await connector.apiCalls()
            #expect(calls.byKind["pull", default: 0] == 4)  // 3 searches of 199 + 1 archived listing
        }
    }
}
