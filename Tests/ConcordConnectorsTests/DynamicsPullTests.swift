@testable import ConcordConnectors
import ConcordCore
import ConcordHTTP
import ConcordMapping
import CRMEmulators
import Testing

func dynamicsConfig(_ baseURL: String) -> CRMConfig {
    CRMConfig(name: "dynamics", kind: .dynamics, baseURL: baseURL, tokenURL: baseURL + "/tenant-1/oauth2/v2.0/token",
              credentials: ["client_id": .literal("dv-client-id"), "client_secret": .environment("DV_TEST_SECRET")],
              rateLimit: .defaults(for: .dynamics))
}

func dynamicsConnector(_ h: EmulatorHarness<DataverseEmulator>, wall: TestWall? = nil, http: (any HTTPClient)? = nil,
                       options: DynamicsOptions = DynamicsOptions()) -> DynamicsConnector {
    DynamicsConnector(config: dynamicsConfig(h.server.baseURL), http: http ?? h.http,
                      wallClock: wall?.wallClock ?? SalesforceConnector.systemClock, options: options,
                      environment: ["DV_TEST_SECRET": "dv-client-secret"])
}

/// A GUID made from a counter (lower-case, as Dataverse returns them).
func testGUID(_ n: Int) -> String {
    let hex = String(n, radix: 16)
    let padded = String(repeating: "0", count: 12 - hex.count) + hex
    return "5eed0000-0000-4000-8000-\(padded)"
}

@discardableResult
func seedDataverseContacts(_ emulator: DataverseEmulator, count: Int, from start: Int = 0, prefix: String = "Seed") -> [String] {
    emulator.control.store.transaction { tx in
        (start..<start + count).map { i in
            let id = testGUID(i)
            tx.create("contact", id: id, fields: ["lastname": .string("\(prefix)\(i)"), "emailaddress1": .string("p\(i)@example.com")], source: "SEED")
            return id
        }
    }
}

func editDataverse(_ emulator: DataverseEmulator, _ ids: some Sequence<String>, lastname: String) {
    emulator.control.store.transaction { tx in
        for id in ids { _ = try? tx.update("contact", id: id, changes: ["lastname": .string(lastname)], source: "USER") }
    }
}

func deleteDataverse(_ emulator: DataverseEmulator, _ ids: some Sequence<String>) {
    emulator.control.store.transaction { tx in
        for id in ids { _ = try? tx.delete("contact", id: id, source: "USER") }
    }
}

@Suite struct DynamicsPullTests {
    @Test func fullPullOfTenThousandThenDeltaWithEditsAndDeletesWithinTheCallBudget() async throws {
        let wall = TestWall()
        let emulator = DataverseEmulator(clock: wall.emulatorClock, limits: [])
        try await EmulatorHarness.with(emulator) { h in
            let ids = seedDataverseContacts(emulator, count: 10_000)
            let dv = dynamicsConnector(h, wall: wall)
            let fields = ["lastname", "emailaddress1"]
            let full = try await PullDriver.drain(dv, PullRequest(object: "contacts", fields: fields, cursor: nil, pageSize: 5000))
            #expect(full.records.count == 10_000 && Set(full.records.map(\.id)) == Set(ids))
            #expect(full.records.first?.fields["@odata.etag"] != nil)
            var calls = await dv.apiCalls()
            #expect(calls["pull"] == 2 && calls["auth"] == 1)

            wall.advance(1000)
            editDataverse(emulator, ids[0..<300], lastname: "Edited")
            deleteDataverse(emulator, ids[300..<350])
            let created = seedDataverseContacts(emulator, count: 20, from: 20_000, prefix: "New")
            let before = await dv.apiCalls()
            let delta = try await PullDriver.drain(dv, PullRequest(object: "contacts", fields: fields, cursor: full.cursor, pageSize: 5000))
            let byID = Dictionary(delta.records.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            #expect(delta.records.count == 370 && byID.count == 370)
            #expect(ids[0..<300].allSatisfy { byID[$0]?.fields["lastname"] == .string("Edited") })
            #expect(ids[300..<350].allSatisfy { byID[$0]?.isDeleted == true })
            #expect(created.allSatisfy { byID[$0]?.isDeleted == false })
            #expect(delta.unknownSince == nil)

            let updates = delta.records.filter { !$0.isDeleted }.enumerated().map { i, r in
                PushItem(key: Int64(i), operation: .update(id: r.id, fields: ["jobtitle": .string("Synced")], ifMatch: nil))
            }
            let results = try await dv.push(object: "contacts", items: updates)
            #expect(results.count == 320 && results.allSatisfy { (try? $0.outcome.get()) != nil })
            calls = await dv.apiCalls()
            let spent = calls["pull"] - before["pull"] + calls["push"]
            #expect(spent <= ceilDiv(370, 5000) + ceilDiv(370, 1000), "pull + push of 370 changes cost \(spent) calls")
            #expect(calls["auth"] == 1)

            let idle = try await PullDriver.drain(dv, PullRequest(object: "contacts", fields: fields, cursor: delta.cursor))
            #expect(idle.records.count == 320, "Concord's own updates come back through the delta (the engine drops echoes)")
        }
    }

    @Test func editsDuringTheInitialPullAreDeliveredByTheNextDelta() async throws {
        let wall = TestWall()
        let emulator = DataverseEmulator(clock: wall.emulatorClock, limits: [])
        try await EmulatorHarness.with(emulator) { h in
            let ids = seedDataverseContacts(emulator, count: 2500)
            let dv = dynamicsConnector(h, wall: wall)
            let first = try await PullDriver.drain(dv, PullRequest(object: "contacts", fields: ["lastname"], cursor: nil, pageSize: 500)) { page in
                wall.advance(1000)
                editDataverse(emulator, [ids[page * 7], ids[2499 - page * 7]], lastname: "During\(page)")
            }
            #expect(first.pages == 5)
            #expect(Set(first.records.map(\.id)).count == 2500 && first.records.count == 2500, "each row once across pages")
            let second = try await PullDriver.drain(dv, PullRequest(object: "contacts", fields: ["lastname"], cursor: first.cursor))
            var view: [String: CRMRecord] = [:]
            for record in first.records + second.records { view[record.id] = record }
            for record in emulator.control.store.all("contact") {
                #expect(view[record.id]?.fields["lastname"] == .string(record.fields["lastname"]?.stringValue ?? ""))
            }
        }
    }

    @Test func createsAndDeletesDuringTheInitialPullAreNotLost() async throws {
        let wall = TestWall()
        let emulator = DataverseEmulator(clock: wall.emulatorClock, limits: [])
        try await EmulatorHarness.with(emulator) { h in
            let ids = seedDataverseContacts(emulator, count: 2000).sorted()
            let dv = dynamicsConnector(h, wall: wall)
            var created: [String] = []
            let first = try await PullDriver.drain(dv, PullRequest(object: "contacts", fields: ["lastname"], cursor: nil, pageSize: 500)) { page in
                wall.advance(1000)
                created += seedDataverseContacts(emulator, count: 3, from: 50_000 + page * 10, prefix: "Mid\(page)")
                // Only rows not yet read are deleted: the emulator pages by offset, so deleting a row
                // already read would shift an unread row out of reach (an emulator defect, reported).
                deleteDataverse(emulator, [ids[1999 - page]])
            }
            let second = try await PullDriver.drain(dv, PullRequest(object: "contacts", fields: ["lastname"], cursor: first.cursor))
            var view: [String: CRMRecord] = [:]
            for record in first.records + second.records { view[record.id] = record }
            for record in emulator.control.store.all("contact") {
                #expect(view[record.id]?.isDeleted == false, "\(record.id) was delivered")
            }
            for id in ids[1996...] where emulator.control.store.get("contact", id) == nil {
                #expect(view[id] == nil || view[id]?.isDeleted == true, "\(id) is gone or reported deleted")
            }
            #expect(created.allSatisfy { view[$0] != nil })
        }
    }

    @Test func expiredDeltaTokenFallsBackToModifiedOnAndSaysDeletesAreUnknown() async throws {
        let wall = TestWall()
        let emulator = DataverseEmulator(clock: wall.emulatorClock, limits: [])
        try await EmulatorHarness.with(emulator) { h in
            let ids = seedDataverseContacts(emulator, count: 30)
            wall.advance(600_000)
            let dv = dynamicsConnector(h, wall: wall, options: DynamicsOptions(overlapMillis: 60_000))
            let request = PullRequest(object: "contacts", fields: ["lastname"], cursor: nil)
            let full = try await PullDriver.drain(dv, request)
            wall.advance(3_600_000)
            editDataverse(emulator, ids[0..<3], lastname: "AfterSync")
            deleteDataverse(emulator, [ids[5]])
            emulator.control.store.transaction { $0.purgeEvents(before: wall.now + 1) }
            let recovered = try await PullDriver.drain(dv, PullRequest(object: "contacts", fields: ["lastname"], cursor: full.cursor))
            #expect(recovered.unknownSince != nil, "the engine is told to reconcile deletes")
            let edited = recovered.records.filter { $0.fields["lastname"] == .string("AfterSync") }
            #expect(Set(edited.map(\.id)) == Set(ids[0..<3]))
            #expect(recovered.records.count == 3, "only rows modified since the last good sync (minus the overlap)")
            wall.advance(1000)
            editDataverse(emulator, [ids[10]], lastname: "Tracked again")
            let tracked = try await PullDriver.drain(dv, PullRequest(object: "contacts", fields: ["lastname"], cursor: recovered.cursor))
            #expect(tracked.records.map(\.id) == [ids[10]])
            #expect(tracked.unknownSince == nil)
        }
    }

    @Test func optionSetsAndLookupsAreDecodedAndWrittenBack() async throws {
        let emulator = DataverseEmulator(limits: [])
        try await EmulatorHarness.with(emulator) { h in
            let (account, other, contact) = (testGUID(1), testGUID(2), testGUID(3))
            emulator.control.store.transaction { tx in
                tx.create("account", id: account, fields: ["name": "Acme", "industrycode": .int(33)], source: "SEED")
                tx.create("account", id: other, fields: ["name": "Other"], source: "SEED")
                tx.create("contact", id: contact, fields: ["lastname": "Smith", "parentcustomerid": ["id": .string(account), "type": "account"]], source: "SEED")
            }
            let dv = dynamicsConnector(h)
            let accounts = try await PullDriver.drain(dv, PullRequest(object: "accounts", fields: ["name", "industrycode", "revenue"], cursor: nil))
            let acme = try #require(accounts.records.first { $0.id == account })
            #expect(acme.fields["industrycode"] == .number("33"))
            #expect(acme.fields["industrycode@OData.Community.Display.V1.FormattedValue"] == .string("Technology"))
            let contacts = try await PullDriver.drain(dv, PullRequest(object: "contacts", fields: ["lastname", "_parentcustomerid_value"], cursor: nil))
            let smith = try #require(contacts.records.first)
            #expect(smith.fields["_parentcustomerid_value"] == .string(account))
            #expect(smith.fields["_parentcustomerid_value@Microsoft.Dynamics.CRM.lookuplogicalname"] == .string("account"))

            let results = try await dv.push(object: "contacts", items: [
                PushItem(key: 1, operation: .update(id: contact, fields: [
                    "_parentcustomerid_value": .string(other), "_parentcustomerid_value@Microsoft.Dynamics.CRM.lookuplogicalname": .string("account"),
                ], ifMatch: smith.fields["@odata.etag"]?.text)),
            ])
            #expect((try? results.first?.outcome.get()) == contact)
            #expect(emulator.control.store.get("contact", contact)?.fields["parentcustomerid"]?["id"]?.stringValue == other)
            let created = try await dv.push(object: "accounts", items: [
                PushItem(key: 2, operation: .create(fields: ["name": .string("Exact"), "industrycode": .number("19"), "revenue": .number("1000.50")], upsertKey: nil)),
            ])
            let newID = try #require(try? created.first?.outcome.get())
            #expect(emulator.control.store.get("account", newID)?.fields["industrycode"]?.intValue == 19)
        }
    }

    @Test func fetchByIdsInChunksAndFindByField() async throws {
        let emulator = DataverseEmulator(limits: [])
        try await EmulatorHarness.with(emulator) { h in
            let ids = seedDataverseContacts(emulator, count: 120)
            deleteDataverse(emulator, [ids[4]])
            let dv = dynamicsConnector(h)
            let fetched = try await dv.fetch(object: "contacts", ids: ids + ["not-a-guid"], fields: ["lastname"])
            #expect(fetched.count == 119 && !fetched.contains { $0.id == ids[4] })
            #expect(await dv.apiCalls()["fetch"] == 3)
            let found = try await dv.find(object: "contacts", field: "emailaddress1", values: ["p7@example.com", "o'brien@example.com"], fields: ["lastname"])
            #expect(found.map(\.id) == [ids[7]])
        }
    }
}

@Suite struct DynamicsSessionTests {
    @Test func tokenIsReplacedBeforeExpiryAndWritesCarryTheCallingUser() async throws {
        let wall = TestWall()
        let emulator = DataverseEmulator(clock: wall.emulatorClock, limits: [])
        try await EmulatorHarness.with(emulator) { h in
            let caller = "0a0a0a0a-0000-4000-8000-00000000c0de"
            let dv = dynamicsConnector(h, wall: wall, options: DynamicsOptions(callerID: caller))
            _ = try await dv.find(object: "contacts", field: "emailaddress1", values: ["a@example.com"], fields: [])
            wall.advance(3_400_000)
            _ = try await dv.push(object: "contacts", items: [PushItem(key: 1, operation: .create(fields: ["lastname": .string("X")], upsertKey: nil))])
            let calls = await dv.apiCalls()
            #expect(calls["auth"] == 2, "a token within the refresh margin of expires_in is replaced before use")
            #expect(calls["find"] == 1 && calls["push"] == 1, "no call was refused and resent")
            #expect(h.faulty.callers == [caller], "writes (not reads) carry MSCRMCallerID")
        }
    }

    @Test func aDiscriminatorFiltersTrackedRows() async throws {
        let emulator = DataverseEmulator(limits: [])
        try await EmulatorHarness.with(emulator) { h in
            let ids = seedDataverseContacts(emulator, count: 10)
            emulator.control.store.transaction { tx in
                for id in ids.prefix(3) { _ = try? tx.update("contact", id: id, changes: ["jobtitle": "VIP"], source: "USER") }
            }
            let dv = dynamicsConnector(h)
            let pulled = try await PullDriver.drain(dv, PullRequest(object: "contacts", fields: ["lastname"], cursor: nil,
                                                                    discriminator: ["jobtitle": "VIP"]))
            #expect(Set(pulled.records.map(\.id)) == Set(ids.prefix(3)))
        }
    }
}
