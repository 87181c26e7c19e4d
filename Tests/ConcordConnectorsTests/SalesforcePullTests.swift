@testable import ConcordConnectors
import ConcordCore
import ConcordMapping
import CRMEmulators
import ConcordHTTP
import Testing

/// Seeds `count` Contacts straight into the emulator store (one transaction, so they all
/// share one `SystemModstamp`) and returns their ids.
@discardableResult
func seedContacts(_ emulator: SalesforceEmulator, count: Int, prefix: String = "Seed") -> [String] {
    emulator.control.store.transaction { tx in
        (0..<count).map { i in
            let id = TestSalesforceIDs.make(prefix: "003", counter: tx.nextCounter())
            tx.create("Contact", id: id, fields: ["LastName": .string("\(prefix)\(i)"), "Email": .string("p\(i)@example.com")], source: "SEED")
            return id
        }
    }
}

func editContacts(_ emulator: SalesforceEmulator, _ ids: some Sequence<String>, lastName: String) {
    emulator.control.store.transaction { tx in
        for id in ids { _ = try? tx.update("Contact", id: id, changes: ["LastName": .string(lastName)], source: "USER") }
    }
}

func deleteContacts(_ emulator: SalesforceEmulator, _ ids: some Sequence<String>) {
    emulator.control.store.transaction { tx in
        for id in ids { _ = try? tx.delete("Contact", id: id, source: "USER") }
    }
}

@Suite struct SalesforcePullTests {
    func connector(_ h: EmulatorHarness<SalesforceEmulator>, _ wall: TestWall, options: SalesforceOptions = SalesforceOptions()) -> SalesforceConnector {
        SalesforceConnector(config: salesforceConfig(h.server.baseURL), http: h.http, wallClock: wall.wallClock, options: options,
                            environment: salesforceTestEnvironment)
    }

    @Test func fullPullOfTenThousandThenIncrementalEditsDeletesAndPushWithinTheCallBudget() async throws {
        let wall = TestWall()
        let emulator = SalesforceEmulator(clock: wall.emulatorClock, limits: [])
        try await EmulatorHarness.with(emulator) { h in
            let ids = seedContacts(emulator, count: 10_000)
            wall.advance(600_000)
            let sf = connector(h, wall)
            let request = PullRequest(object: "Contact", fields: ["LastName", "Email"], cursor: nil, pageSize: 2000)
            let full = try await PullDriver.drain(sf, request)
            #expect(full.records.count == 10_000)
            #expect(Set(full.records.map(\.id)) == Set(ids), "every record exactly once across pages with equal timestamps")
            #expect(full.pages == 5)
            var calls = await sf.apiCalls()
            #expect(calls["pull"] == 5 && calls["auth"] == 1)

            // Nothing changed: one call, nothing delivered.
            wall.advance(1000)
            let idle = try await PullDriver.drain(sf, PullRequest(object: "Contact", fields: ["LastName", "Email"], cursor: full.cursor))
            #expect(idle.records.isEmpty)

            wall.advance(1000)
            editContacts(emulator, ids[0..<300], lastName: "Edited")
            deleteContacts(emulator, ids[300..<350])
            let created = seedContacts(emulator, count: 20, prefix: "New")
            wall.advance(1000)
            let before = await sf.apiCalls()
            let incremental = try await PullDriver.drain(sf, PullRequest(object: "Contact", fields: ["LastName", "Email"], cursor: idle.cursor, pageSize: 2000))
            let byID = Dictionary(incremental.records.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            #expect(incremental.records.count == 370 && byID.count == 370)
            #expect(ids[0..<300].allSatisfy { byID[$0]?.fields["LastName"] == .string("Edited") })
            #expect(ids[300..<350].allSatisfy { byID[$0]?.isDeleted == true })
            #expect(created.allSatisfy { byID[$0]?.isDeleted == false })

            let pushItems = incremental.records.filter { !$0.isDeleted }.enumerated().map { i, record in
                PushItem(key: Int64(i), operation: .update(id: record.id, fields: ["Title": .string("Synced")], ifMatch: nil))
            }
            let results = try await sf.push(object: "Contact", items: pushItems)
            #expect(!pushItems.isEmpty && results.count == pushItems.count && results.allSatisfy { (try? $0.outcome.get()) != nil },
                    "\(results.compactMap { if case .failure(let e) = $0.outcome { e.description } else { nil } }.prefix(3))")
            calls = await sf.apiCalls()
            let n = 370
            let spent = (calls["pull"] - before["pull"]) + calls["push"] + (calls["fetch"] - before["fetch"])
            // Updates are conditional: 25 per Composite call, and records read less than a
            // second after they changed are read once more (200 per query) before the write.
            #expect(spent <= ceilDiv(n, 2000) + ceilDiv(n, 25) + ceilDiv(n, 200), "pull + push of \(n) changes cost \(spent) calls")
            #expect(calls["auth"] == 1)
        }
    }

    @Test func writesDuringAPullAreNotLost() async throws {
        let wall = TestWall()
        let emulator = SalesforceEmulator(clock: wall.emulatorClock, limits: [])
        try await EmulatorHarness.with(emulator) { h in
            let ids = seedContacts(emulator, count: 3000)
            wall.advance(600_000)
            let sf = connector(h, wall)
            var created: [String] = []
            let request = PullRequest(object: "Contact", fields: ["LastName"], cursor: nil, pageSize: 500)
            let first = try await PullDriver.drain(sf, request) { page in
                wall.advance(1000)
                editContacts(emulator, [ids[page * 10], ids[2999 - page * 10]], lastName: "During\(page)")
                created += seedContacts(emulator, count: 2, prefix: "Mid\(page)")
                deleteContacts(emulator, [ids[1500 + page]])
            }
            #expect(first.pages == 6)
            #expect(Set(first.records.map(\.id)).count == first.records.count, "no duplicates within one cycle")
            wall.advance(1000)
            let second = try await PullDriver.drain(sf, PullRequest(object: "Contact", fields: ["LastName"], cursor: first.cursor))
            var view: [String: CRMRecord] = [:]
            for record in first.records + second.records { view[record.id] = record }
            let stored = emulator.control.store.all("Contact", includeDeleted: true)
            #expect(stored.count == 3000 + created.count)
            for record in stored {
                let seen = view[record.id]
                #expect(seen?.isDeleted == record.isDeleted, "\(record.id) deleted state")
                if !record.isDeleted { #expect(seen?.fields["LastName"] == .string(record.fields["LastName"]?.stringValue ?? "")) }
            }
        }
    }

    @Test func lateCommitWithinTheOverlapIsReadOnceNextCycle() async throws {
        let wall = TestWall()
        let emulator = SalesforceEmulator(clock: wall.emulatorClock, limits: [])
        try await EmulatorHarness.with(emulator) { h in
            let ids = seedContacts(emulator, count: 5)
            wall.advance(10_000)
            let sf = connector(h, wall, options: SalesforceOptions(overlapMillis: 60_000))
            let first = try await PullDriver.drain(sf, PullRequest(object: "Contact", fields: ["LastName"], cursor: nil))
            #expect(first.records.count == 5)
            // A transaction stamped before the pull started but committed after it: simulated by
            // back-dating a row's stamp to 5 s before the first pull.
            var state = emulator.control.store.snapshot()
            state.records["Contact"]?[ids[2]]?.fields["LastName"] = .string("Late")
            state.records["Contact"]?[ids[2]]?.modifiedAt = wall.now - 5000
            emulator.control.store.restore(state)
            wall.advance(1000)
            let second = try await PullDriver.drain(sf, PullRequest(object: "Contact", fields: ["LastName"], cursor: first.cursor))
            #expect(second.records.map(\.id) == [ids[2]])
            #expect(second.records.first?.fields["LastName"] == .string("Late"))
            wall.advance(1000)
            let third = try await PullDriver.drain(sf, PullRequest(object: "Contact", fields: ["LastName"], cursor: second.cursor))
            #expect(third.records.isEmpty, "already delivered rows in the overlap are not delivered again")
        }
    }

    @Test func anEditInTheSameSecondAsTheLastReadIsDelivered() async throws {
        // Salesforce stamps have whole seconds: a second edit within the second of the row
        // already delivered keeps its SystemModstamp. It must not be skipped as a repeat.
        let wall = TestWall()
        let emulator = SalesforceEmulator(clock: wall.emulatorClock, limits: [])
        try await EmulatorHarness.with(emulator) { h in
            let ids = seedContacts(emulator, count: 3)
            let sf = connector(h, wall, options: SalesforceOptions(overlapMillis: 60_000))
            let first = try await PullDriver.drain(sf, PullRequest(object: "Contact", fields: ["LastName"], cursor: nil))
            #expect(first.records.count == 3)
            wall.advance(200)  // same second as the seed
            editContacts(emulator, [ids[1]], lastName: "Same second")
            #expect(emulator.control.store.get("Contact", ids[1])?.modifiedAt == emulator.control.store.get("Contact", ids[0])?.modifiedAt)
            let second = try await PullDriver.drain(sf, PullRequest(object: "Contact", fields: ["LastName"], cursor: first.cursor))
            #expect(second.records.map(\.id) == [ids[1]], "the same-second edit is delivered, the unchanged rows are not")
            #expect(second.records.first?.fields["LastName"] == .string("Same second"))
            let third = try await PullDriver.drain(sf, PullRequest(object: "Contact", fields: ["LastName"], cursor: second.cursor))
            #expect(third.records.isEmpty, "once delivered, the row is not delivered again")
        }
    }

    @Test func purgedDeleteLogIsReportedSoTheEngineCanReconcile() async throws {
        let wall = TestWall()
        let emulator = SalesforceEmulator(clock: wall.emulatorClock, limits: [])
        try await EmulatorHarness.with(emulator) { h in
            let ids = seedContacts(emulator, count: 10)
            wall.advance(600_000)
            let sf = connector(h, wall)
            let first = try await PullDriver.drain(sf, PullRequest(object: "Contact", fields: ["LastName"], cursor: nil))
            let synced = UInt64(wall.now)
            deleteContacts(emulator, ids[0..<2])
            wall.advance(2 * 3_600_000)
            let intact = try await PullDriver.drain(sf, PullRequest(object: "Contact", fields: ["LastName"], cursor: first.cursor))
            #expect(intact.unknownSince == nil, "the log still reaches the cursor")
            #expect(Set(intact.records.filter(\.isDeleted).map(\.id)) == Set(ids[0..<2]))
            #expect(h.faulty.requestLines.contains { $0.contains("/sobjects/Contact/deleted") })

            deleteContacts(emulator, ids[2..<4])
            wall.advance(2 * 3_600_000)
            emulator.control.store.transaction { $0.purgeEvents(before: wall.now - 60_000) }
            let purged = try await PullDriver.drain(sf, PullRequest(object: "Contact", fields: ["LastName"], cursor: intact.cursor))
            #expect(purged.unknownSince != nil)
            #expect((purged.unknownSince ?? 0) > synced)

            wall.advance(16 * 86_400_000)
            let stale = try await PullDriver.drain(sf, PullRequest(object: "Contact", fields: ["LastName"], cursor: purged.cursor))
            #expect(stale.unknownSince != nil, "a cursor older than getDeleted's 15 days is reported without asking")
        }
    }

    @Test func fetchByIdsInChunksAndFindByField() async throws {
        let wall = TestWall()
        let emulator = SalesforceEmulator(clock: wall.emulatorClock, limits: [])
        try await EmulatorHarness.with(emulator) { h in
            let ids = seedContacts(emulator, count: 450)
            deleteContacts(emulator, [ids[7]])
            let sf = connector(h, wall)
            let fetched = try await sf.fetch(object: "Contact", ids: ids + ["003000000000000AAA"], fields: ["LastName"])
            #expect(fetched.count == 450)
            #expect(fetched.first { $0.id == ids[7] }?.isDeleted == true)
            #expect(await sf.apiCalls()["fetch"] == 3)
            let found = try await sf.find(object: "Contact", field: "Email", values: ["p3@example.com", "p4@example.com", "o'brien@example.com"],
                                          fields: ["LastName"])
            #expect(Set(found.map(\.id)) == [ids[3], ids[4]])
            #expect(found.first?.fields["Email"] != nil)
            await #expect(throws: ConnectorError.self) { try await sf.find(object: "Contact", field: "Email) OR (Id", values: ["x"], fields: []) }
        }
    }
}

@Suite struct SalesforceLocatorTests {
    @Test func anExpiredQueryLocatorResumesFromTheLastRowWithoutLossOrRepeat() async throws {
        let wall = TestWall()
        let emulator = SalesforceEmulator(clock: wall.emulatorClock, limits: [])
        try await EmulatorHarness.with(emulator) { h in
            var ids: [String] = []
            for group in 0..<3 {
                ids += seedContacts(emulator, count: 300, prefix: "G\(group)-")
                wall.advance(1000)
            }
            let sf = SalesforceConnector(config: salesforceConfig(h.server.baseURL), http: h.http, wallClock: wall.wallClock,
                                         environment: salesforceTestEnvironment)
            let expired = HTTPResponse(status: 400, body: Array(#"[{"message":"invalid query locator","errorCode":"INVALID_QUERY_LOCATOR"}]"#.utf8))
            let pulled = try await PullDriver.drain(sf, PullRequest(object: "Contact", fields: ["LastName"], cursor: nil, pageSize: 300)) { page in
                if page == 1 { h.faulty.answer(with: [expired]) }
            }
            #expect(pulled.records.count == 900 && Set(pulled.records.map(\.id)) == Set(ids))
            #expect(h.faulty.requestLines.filter { $0.contains("/queryAll") }.count >= 4, "the expired page was re-queried")
        }
    }
}
