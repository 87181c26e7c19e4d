import Foundation
import ConcordConnectors
import ConcordCore
@testable import ConcordEngine
import ConcordMapping
import ConcordStore
import ConcordTesting
import Testing

/// Faults that must stop the engine rather than let it do something else than asked.
@Suite("Safety rails")
struct EngineSafetyTests {
    @Test("a dry run that cannot open its transaction (another process holds the write lock) does nothing and says so")
    func dryRunWithoutItsTransaction() async throws {
        let w = try World()
        defer { w.remove() }
        await w.sf.userCreate("Contact", ["FirstName": .string("Ada"), "LastName": .string("Lovelace"), "Email": .string("ada@x.io")])
        // Another process holds the write lock longer than the busy timeout.
        let holder = try ConcordStore.open(path: w.path, wallClock: .constant(1_000))
        try holder.beginDryRun()
        let report = await w.engine.runPass(dryRun: true)
        try holder.rollbackDryRun()
        #expect(report.aborted?.contains("dry run") == true, "the pass says it did not run: \(String(describing: report.aborted))")
        let links = try await w.engine.withStore { try $0.links(replica: "salesforce", objectType: "contact") }
        #expect(links.isEmpty, "nothing was pulled into the store for real")
        #expect(await w.hs.records("contacts").isEmpty)
    }
}

/// Deletes inferred from absence (the CRM can no longer list its deletes).
@Suite("Deletes inferred from absence")
struct EngineDeletionGuardTests {
    /// Twelve contacts linked everywhere, made in Salesforce; returns their Salesforce ids.
    func twelveContacts(_ w: World) async throws -> [String] {
        var ids: [String] = []
        for i in 0..<12 {
            ids.append(await w.sf.userCreate("Contact", ["FirstName": .string("P\(i)"), "LastName": .string("L\(i)"),
                                                         "Email": .string("p\(i)@x.io")]))
        }
        _ = await w.engine.syncToConvergence()
        #expect(await w.hs.records("contacts").count == 12)
        return ids
    }

    @Test("a lookup that cannot tell about a record (a per-item error, an unreadable row) does not delete it")
    func unknownIsNotGone() async throws {
        let w = try World()
        defer { w.remove() }
        let ids = try await twelveContacts(w)
        // Salesforce's delete log is purged; one record is really gone, one cannot be read.
        await w.sf.purge("Contact", ids[0])
        await w.sf.purge("Contact", ids[1])
        await w.sf.setUnreadableOnLookup([ids[1]])
        let reports = await w.engine.syncToConvergence()
        #expect(reports.compactMap { $0.replicas["salesforce"]?.unknownOnLookup }.reduce(0, +) >= 1)
        #expect(await w.hs.records("contacts").count == 11, "only the record known to be gone was deleted elsewhere")
    }

    @Test("the deletion guard: more inferred deletes than it allows wait, all of them, until approved; then they are made")
    func guardHoldsAMassDelete() async throws {
        let w = try World()
        defer { w.remove() }
        let ids = try await twelveContacts(w)
        // A permission change hides ten of twelve contacts while the delete log is purged.
        for id in ids.prefix(10) { await w.sf.purge("Contact", id) }
        let held = await w.engine.runPass()
        #expect(held.replicas["salesforce"]?.deletionsHeld == 10)
        #expect(held.replicas["salesforce"]?.lastError?.contains("concord deletes approve") == true)
        _ = await w.engine.syncToConvergence()
        #expect(await w.hs.records("contacts").count == 12, "nothing deleted in HubSpot")
        #expect(await w.dv.records("contacts").count == 12, "nor in Dataverse")
        let holds = try await w.engine.withStore { try $0.deletionHolds() }
        #expect(holds.count == 1 && holds.first?.deletes == 10 && holds.first?.linked == 12 && holds.first?.approved == false)

        // The admin approves: the next pass makes the deletes, and the hold is gone.
        #expect(try await w.engine.withStore { try $0.approveDeletions(replica: "salesforce", objectType: "contact") } == 1)
        _ = await w.engine.syncToConvergence()
        #expect(await w.hs.records("contacts").count == 2)
        #expect(try await w.engine.withStore { try $0.deletionHolds() }.isEmpty)
    }

    @Test("a few inferred deletes pass the guard; the guard can be turned off in the configuration")
    func guardLimits() throws {
        var g = DeletionGuard()
        #expect(!g.trips(deletes: 9, linked: 10), "below the share floor")
        #expect(g.trips(deletes: 10, linked: 40), "25% of 40")
        #expect(!g.trips(deletes: 10, linked: 60), "17% of 60")
        #expect(g.trips(deletes: 501, linked: 100_000), "over 500")
        g.enabled = false
        #expect(!g.trips(deletes: 5_000, linked: 5_000))
        let config = try ConfigLoader.load(text: "sync:\n  deletion_guard: {max_deletes: 50, max_percent: 5}\n", file: "concord.yaml")
        #expect(config.sync.deletionGuard.maxDeletes == 50 && config.sync.deletionGuard.maxPercent == 5)
    }
}

/// A store read that fails inside the mapping is an error, never "not linked".
@Suite("Failed reads are errors")
struct ResolverFailureTests {
    @Test("a failed link read makes the resolver's answer an error (checked), not a blank reference")
    func failedReadIsAnError() throws {
        let path = NSTemporaryDirectory() + "concord-resolver-" + UUID().uuidString + ".sqlite"
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
        let store = try ConcordStore.open(path: path, wallClock: .constant(1_000))
        let record = RecordID.random()
        try store.write(record, objectType: "company", fields: ["name": .string("Acme")])
        try store.setLink(replica: "hubspot", objectType: "company", externalID: "7", record: record)
        let resolver = StoreResolver(store: store)
        #expect(resolver.externalID(crm: "hubspot", object: "company", recordID: record) == "7")
        #expect(throws: Never.self) { try resolver.checked(()) }
        // The links table becomes unreadable (another process damaged the schema).
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        sqlite.arguments = [path, "ALTER TABLE links RENAME TO links_gone"]
        try sqlite.run()
        sqlite.waitUntilExit()
        let broken = try ConcordStore.open(path: path, wallClock: .constant(2_000))
        let failing = StoreResolver(store: broken)
        #expect(failing.externalID(crm: "hubspot", object: "company", recordID: record) == nil)
        #expect(throws: StoreError.self) { try failing.checked(()) }
    }
}

/// Clock skew and store refusals: visible, and nothing lost.
@Suite("Skew and store refusals")
struct SkewVisibilityTests {
    @Test("an edit stamped by a CRM whose clock runs ahead is counted, and still syncs")
    func clampedIsCounted() async throws {
        let w = try World()
        defer { w.remove() }
        let id = await w.sf.userCreate("Contact", ["FirstName": .string("Ada"), "LastName": .string("Lovelace"), "Email": .string("ada@x.io")])
        _ = await w.engine.syncToConvergence()
        // Salesforce's clock an hour ahead of this machine's (the guard allows 60 s).
        let wall = UInt64(Date().timeIntervalSince1970 * 1000)
        await w.sf.advance(by: wall - min(wall, await w.sf.now) + 3_600_000)
        await w.sf.userUpdate("Contact", id, ["Title": .string("Countess")])
        let reports = await w.engine.syncToConvergence()
        #expect(reports.compactMap { $0.replicas["salesforce"]?.clampedStamps }.reduce(0, +) >= 1)
        #expect(await w.hs.records("contacts").first?.value["jobtitle"]?.text == "Countess", "the edit is not lost")
    }

    @Test("a change the store refuses (its record is of another object type) stays unseen: the shadow does not move")
    func refusedChangeKeepsTheShadow() async throws {
        let w = try World()
        defer { w.remove() }
        let id = await w.hs.userCreate("contacts", ["firstname": .string("Ada"), "lastname": .string("Lovelace"), "email": .string("ada@x.io")])
        _ = await w.engine.syncToConvergence()
        // The contact's link is made to point at a company record (a damaged link).
        let company = RecordID.random()
        try await w.engine.withStore { s in
            try s.write(company, objectType: "company", fields: ["name": .string("Acme")])
            try s.setLink(replica: "hubspot", objectType: "contact", externalID: id, record: company)
        }
        await w.hs.userUpdate("contacts", id, ["jobtitle": .string("Countess")])
        let report = await w.engine.runPass()
        #expect(report.replicas["hubspot"]?.quarantined ?? 0 >= 1, "counted as quarantined")
        let shadow = try await w.engine.withStore { try $0.shadow(replica: "hubspot", record: company) }
        #expect(shadow["job_title"] == nil, "the refused edit is not recorded as seen: \(shadow)")
        #expect(try await w.engine.withStore { try $0.quarantined() }.contains { $0.rule == "object-type" })
    }
}

/// The quarantine is retried in bounded transactions, and only when something can have changed.
@Suite("Quarantine retries")
struct QuarantineRetryTests {
    @Test("a quiet pass leaves a quarantine of 450 alone; a pass that read something retries it (in chunks of 200)")
    func retriedWhenSomethingChanged() async throws {
        let w = try World()
        defer { w.remove() }
        // 450 HubSpot contacts without a last name (required): quarantined.
        var ids: [String] = []
        for i in 0..<450 {
            ids.append(await w.hs.userCreate("contacts", ["firstname": .string("P\(i)"), "email": .string("p\(i)@x.io")]))
        }
        _ = await w.engine.syncToConvergence(maxPasses: 20)
        #expect(try await w.engine.withStore { try $0.quarantined().count } == 450)
        let quiet = await w.engine.runPass()
        #expect(quiet.quarantineRetried == 0, "nothing was read: nothing to retry")
        // A hundred of them get their last name in HubSpot: the pass that reads those
        // releases them, and retries the 350 others (two chunks).
        for id in ids.prefix(100) { await w.hs.userUpdate("contacts", id, ["lastname": .string("Known")]) }
        let busy = await w.engine.runPass()
        #expect(busy.quarantineRetried == 350, "a pass that read records retries the rest of the quarantine")
        _ = await w.engine.syncToConvergence(maxPasses: 20)
        #expect(try await w.engine.withStore { try $0.quarantined().count } == 350)
        #expect(await w.sf.records("Contact").count == 100)
    }
}

/// Record values stay out of logs and stored errors.
@Suite("Values out of logs")
struct ValueRedactionTests {
    @Test("emails, phone-like numbers and quoted values are replaced; ids, field names and codes stay")
    func redaction() {
        #expect(ValueRedaction.redact("Email address bob.smith@x.example.com is invalid") == "Email address <email> is invalid")
        #expect(ValueRedaction.redact("phone +1 (555) 010-0100 rejected; record 30000000032") == "phone <number> rejected; record 30000000032")
        #expect(ValueRedaction.redact("The value 'Ada Lovelace' of 'firstname' is too long") == "The value '<value>' of 'firstname' is too long")
        #expect(ValueRedaction.redact(#"[{"isValid":false,"message":"Countess is not allowed","error":"INVALID_OPTION","name":"jobtitle"}]"#)
                == #"[{"isValid":false,"message":"<value>","error":"INVALID_OPTION","name":"jobtitle"}]"#)
        #expect(ValueRedaction.redact("INVALID_CROSS_REFERENCE_KEY on AccountId 0015g000000001RAAQ (94be883b-b452-442d-811e-91a481244e25)")
                == "INVALID_CROSS_REFERENCE_KEY on AccountId 0015g000000001RAAQ (94be883b-b452-442d-811e-91a481244e25)")
        #expect(ValueRedaction.redact("'Custom_Field__c' and 'MasterRecordId'") == "'Custom_Field__c' and '<value>'")
    }

    @Test("a refused write's error is stored without the value the CRM echoed")
    func storedErrorIsRedacted() async throws {
        let w = try World()
        defer { w.remove() }
        await w.hs.setFaults(rejectValue: .some(.string("Countess of Lovelace")))
        await w.sf.userCreate("Contact", ["FirstName": .string("Ada"), "LastName": .string("Lovelace"), "Email": .string("ada@x.io"),
                                          "Title": .string("Countess of Lovelace")])
        _ = await w.engine.syncToConvergence()
        let failed = try await w.engine.withStore { try $0.outbox(replica: "hubspot", state: .failed) }
        let error = try #require(failed.first?.lastError)
        #expect(!error.contains("Countess"), "the value is not kept: \(error)")
        #expect(error.contains("refused"))
    }
}
