import CRMEmulators
import Foundation
import Testing

@Suite struct DataAndDriverTests {
    @Test func worldIsDeterministicWithOverlapDuplicatesAndBlanks() {
        var options = SyntheticWorld.Options(size: 300)
        options.nearDuplicateRate = 0.2
        let a = SyntheticWorld.generate(seed: 42, options: options)
        let b = SyntheticWorld.generate(seed: 42, options: options)
        #expect(a.people == b.people)
        #expect(a.people.count == 300)
        #expect(a.people.contains { $0.duplicateOf != nil })
        #expect(a.people.contains { $0.email == nil })
        let sf = Set(a.slice(crmIndex: 0, overlap: 0.4, seed: 42).people.map(\.key))
        let hs = Set(a.slice(crmIndex: 1, overlap: 0.4, seed: 42).people.map(\.key))
        #expect(!sf.intersection(hs).isEmpty)
        #expect(sf != hs)
        #expect(a.activities.contains { $0.personKey != nil && $0.dealKey != nil })
    }

    @Test func driverLogsEveryChangeItMade() {
        let hubspot = HubSpotEmulator()
        hubspot.seed(SyntheticWorld.generate(seed: 5, options: .init(size: 20)))
        let salesforce = SalesforceEmulator()
        salesforce.seed(SyntheticWorld.generate(seed: 6, options: .init(size: 20)))
        let driver = HumanUserDriver(profiles: [.hubspot(hubspot), .salesforce(salesforce)], seed: 9)
        for _ in 0..<200 { driver.step() }
        let log = driver.log
        #expect(log.count > 150)
        #expect(Set(log.map(\.kind)).isSuperset(of: [.edit, .create, .delete]))
        for change in log where change.kind == .edit {
            let store = change.crm == "hubspot" ? hubspot.control.store : salesforce.control.store
            let history = store.get(change.type, change.id, includeDeleted: true)?.history[change.field ?? ""] ?? []
            #expect(history.contains { $0.value == change.value && $0.source == "CRM_UI" })
        }
    }

    @Test func stateFileSurvivesARestart() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("emulator-state-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let first = try await EmulatorCluster.start(ClusterOptions(crms: ["hubspot"], records: 10, statePath: path))
        let hubspot = try #require(first.members.first?.emulator)
        hubspot.control.store.transaction { tx in _ = tx.create("contacts", id: "999", fields: ["email": "keep@x.com"]) }
        try first.saveState()
        await first.stop()
        let second = try await EmulatorCluster.start(ClusterOptions(crms: ["hubspot"], seed: 77, records: 3, statePath: path))
        #expect(second.members.first?.emulator.control.store.get("contacts", "999")?.fields["email"] == "keep@x.com")
        await second.stop()
    }

    @Test func driverRunsOverTheAdminEndpoint() async throws {
        let emulator = DataverseEmulator()
        emulator.seed(SyntheticWorld.generate(seed: 3, options: .init(size: 10)))
        try await withServer(emulator) { client in
            #expect(try await client.send("POST", "/__admin/driver", json: ["perSecond": 500, "seed": 4]).status == 200)
            var log: [JSONValue] = []
            for _ in 0..<200 where log.count < 5 {
                try await Task.sleep(nanoseconds: 10_000_000)
                log = try await client.send("GET", "/__admin/driver/log").json?.arrayValue ?? []
            }
            #expect(try await client.send("DELETE", "/__admin/driver").status == 204)
            #expect(log.count >= 5)
            let driven = Set(emulator.control.store.events(after: 0).filter { $0.source == "CRM_UI" }.map(\.id))
            #expect(log.allSatisfy { driven.contains($0["id"]?.stringValue ?? "") })
        }
    }
}
