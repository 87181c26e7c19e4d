import ConcordConnectors
import ConcordCore
import ConcordEngine
import ConcordMapping
import ConcordStore
import ConcordTesting
import Testing

@Suite("Sync engine against in-memory CRMs")
struct EngineSyncTests {
    @Test("initial sync: overlapping records matched by email, no duplicates, a further pass writes nothing")
    func initialSync() async throws {
        let w = try World()
        defer { w.remove() }
        await w.sf.userCreate("Contact", ["FirstName": .string("Ada"), "LastName": .string("Lovelace"), "Email": .string("ada@x.io")])
        await w.hs.userCreate("contacts", ["firstname": .string("Ada"), "lastname": .string("Lovelace"), "email": .string("ADA@x.io")])
        await w.hs.userCreate("contacts", ["firstname": .string("Grace"), "lastname": .string("Hopper"), "email": .string("grace@navy.mil")])
        await w.dv.userCreate("contacts", ["firstname": .string("Alan"), "lastname": .string("Turing"), "emailaddress1": .string("alan@b.uk")])
        let reports = await w.engine.syncToConvergence()
        #expect(reports.count >= 2 && reports.last?.wroteAnything == false, "\(reports.count) passes")
        let all = await w.contacts()
        for crm in ["salesforce", "hubspot", "dynamics"] {
            #expect(Set(all[crm]!.keys) == ["ada@x.io", "grace@navy.mil", "alan@b.uk"], "\(crm): \(all[crm]!)")
        }
        #expect(reports[0].replicas["hubspot"]?.matched == 1, "Ada in HubSpot matched Ada from Salesforce")
        // The echo of Concord's own writes is no new edit: Grace's fields are still stamped by HubSpot.
        let grace = try await w.engine.withStore { s in
            try s.records(objectType: "contact", field: "email", equalTo: .string("grace@navy.mil")).first.flatMap { try s.record($0) }
        }
        let sites = Set(try #require(grace).state.entries.map(\.register.stamp.site))
        #expect(sites == [ReplicaSites.site("hubspot")], "echoes re-stamped Grace's fields: \(sites)")
        let writesBefore = await w.sf.writes.count
        let again = await w.engine.runPass()
        #expect(!again.wroteAnything)
        #expect(await w.sf.writes.count == writesBefore)
    }

    @Test("concurrent edits of different fields of one record in two CRMs both survive")
    func differentFields() async throws {
        let w = try World()
        defer { w.remove() }
        let id = await w.sf.userCreate("Contact", ["FirstName": .string("Ada"), "LastName": .string("Lovelace"), "Email": .string("ada@x.io")])
        _ = await w.engine.syncToConvergence()
        let hsID = try #require(await w.hs.records("contacts").first?.key)
        await w.sf.userUpdate("Contact", id, ["Title": .string("Countess")])
        await w.hs.userUpdate("contacts", hsID, ["firstname": .string("Augusta Ada")])
        _ = await w.engine.syncToConvergence()
        let all = await w.contacts()
        for crm in ["salesforce", "hubspot", "dynamics"] {
            #expect(all[crm]?["ada@x.io"] == ["first": "Augusta Ada", "last": "Lovelace", "title": "Countess"], "\(crm)")
        }
    }

    @Test("the same field edited in two CRMs resolves to the later edit everywhere, whichever CRM is pulled first")
    func sameField() async throws {
        let w = try World()
        defer { w.remove() }
        let id = await w.sf.userCreate("Contact", ["FirstName": .string("Ada"), "LastName": .string("Lovelace"), "Email": .string("ada@x.io")])
        _ = await w.engine.syncToConvergence()
        let dvID = try #require(await w.dv.records("contacts").first?.key)
        // Dynamics edits first, Salesforce later (by the CRMs' own clocks); Salesforce is pulled first.
        await w.dv.userUpdate("contacts", dvID, ["jobtitle": .string("Analyst")])
        await w.sf.advance(by: 5_000)
        await w.sf.userUpdate("Contact", id, ["Title": .string("Engineer")])
        let reports = await w.engine.syncToConvergence()
        let all = await w.contacts()
        for crm in ["salesforce", "hubspot", "dynamics"] { #expect(all[crm]?["ada@x.io"]?["title"] == "Engineer", "\(crm)") }
        #expect(reports.map(\.conflicts).reduce(0, +) >= 1)
        let conflicts = try await w.engine.withStore { try $0.conflicts() }
        #expect(conflicts.contains { $0.field == "job_title" && $0.winner.value == .string("Engineer") && $0.loser.value == .string("Analyst") })
    }

    @Test("deletes follow the policy: contacts propagate, companies are ignored and not re-created")
    func deletes() async throws {
        let w = try World()
        defer { w.remove() }
        let c = await w.dv.userCreate("contacts", ["firstname": .string("Alan"), "lastname": .string("Turing"), "emailaddress1": .string("alan@b.uk")])
        let co = await w.hs.userCreate("companies", ["name": .string("Bletchley"), "domain": .string("b.uk")])
        _ = await w.engine.syncToConvergence()
        #expect(await w.sf.records("Account").count == 1)
        await w.dv.userDelete("contacts", c)
        await w.hs.userDelete("companies", co)
        _ = await w.engine.syncToConvergence()
        let (sfContacts, hsContacts) = (await w.sf.records("Contact"), await w.hs.records("contacts"))
        #expect(sfContacts.isEmpty && hsContacts.isEmpty)
        let (sfAccounts, dvAccounts) = (await w.sf.records("Account"), await w.dv.records("accounts"))
        #expect(sfAccounts.count == 1 && dvAccounts.count == 1, "company deletes are ignored")
        #expect(await w.hs.records("companies").isEmpty, "and the deleted company is not re-created where it was deleted")
        // restore brings the contact back everywhere
        let gid = try #require(try await w.engine.withStore { try $0.linkedRecord(replica: "dynamics", objectType: "contact", externalID: c) })
        #expect(try await w.engine.restore(gid))
        _ = await w.engine.syncToConvergence()
        let counts = [await w.sf.records("Contact").count, await w.hs.records("contacts").count, await w.dv.records("contacts").count]
        #expect(counts == [1, 1, 1])
    }

    @Test("a HubSpot merge merges the records and deletes the merged-away one everywhere")
    func hubspotMerge() async throws {
        let w = try World()
        defer { w.remove() }
        let a = await w.hs.userCreate("contacts", ["firstname": .string("Ada"), "lastname": .string("Lovelace"), "email": .string("ada@x.io")])
        let b = await w.hs.userCreate("contacts", ["firstname": .string("A."), "lastname": .string("Lovelace"), "email": .string("ada.l@x.io"), "jobtitle": .string("Countess")])
        _ = await w.engine.syncToConvergence()
        #expect(await w.sf.records("Contact").count == 2)
        await w.hs.userMerge("contacts", survivor: a, loser: b)
        _ = await w.engine.syncToConvergence()
        let sf = await w.sf.records("Contact")
        #expect(sf.count == 1, "\(sf)")
        #expect(sf.first?.value["Email"]?.text == "ada@x.io")
    }

    @Test("an offline CRM parks its work; the others go on; it catches up when back")
    func offline() async throws {
        let w = try World()
        defer { w.remove() }
        await w.dv.setFaults(offline: true)
        await w.sf.userCreate("Contact", ["FirstName": .string("Ada"), "LastName": .string("Lovelace"), "Email": .string("ada@x.io")])
        let r = await w.engine.runPass()
        #expect(r.replicas["dynamics"]?.parked == true && r.replicas["dynamics"]?.lastError?.contains("offline") == true)
        #expect(await w.hs.records("contacts").count == 1)
        #expect(try await w.engine.withStore { try $0.outboxDepth()["dynamics"] } == 1)
        await w.dv.setFaults(offline: false)
        _ = await w.engine.syncToConvergence()
        #expect(await w.dv.records("contacts").count == 1)
    }

    @Test("throttling parks and retries; a refused record fails alone, the rest stand")
    func throttleAndPartialFailure() async throws {
        let w = try World()
        defer { w.remove() }
        for i in 0..<5 {
            await w.sf.userCreate("Contact", ["FirstName": .string("P\(i)"), "LastName": .string("L\(i)"), "Email": .string("p\(i)@x.io")])
        }
        await w.hs.setFaults(throttledPushes: 1, rejectValue: .some(.string("P3")))
        let first = await w.engine.runPass()
        #expect(first.replicas["hubspot"]?.parked == true)
        #expect(first.replicas["hubspot"]?.lastError?.contains("rate") == true)
        #expect(await w.hs.records("contacts").isEmpty, "nothing reported done that was not")
        _ = await w.engine.syncToConvergence()
        #expect(await w.hs.records("contacts").count == 4)
        let failed = try await w.engine.withStore { try $0.outbox(replica: "hubspot", state: .failed) }
        #expect(failed.count == 1 && failed[0].lastError?.contains("INVALID_VALUE") == true)
        #expect(await w.dv.records("contacts").count == 5)
    }

    @Test("a lost acknowledgement after creates: the retry upserts by Concord's id, no duplicate")
    func lostAcknowledgement() async throws {
        let w = try World()
        defer { w.remove() }
        for i in 0..<3 {
            await w.hs.userCreate("contacts", ["firstname": .string("P\(i)"), "lastname": .string("L\(i)"), "email": .string("p\(i)@x.io")])
        }
        await w.sf.setFaults(loseNextAcknowledgement: true)
        let first = await w.engine.runPass()
        #expect(first.replicas["salesforce"]?.created == 0)
        #expect(await w.sf.records("Contact").count == 3, "the creates landed, the answer was lost")
        _ = await w.engine.syncToConvergence()
        #expect(await w.sf.records("Contact").count == 3, "no duplicate after the retry")
        #expect(await w.sf.writes.filter { $0.0 == "create" }.count == 3)
    }

    @Test("a create whose answer was lost, found by a pull before it is resolved: Concord's values are no edit there, and a later edit (elsewhere, or there) survives",
          arguments: ["hubspot", "salesforce"])
    func lostCreateAnswer(lostIn crm: String) async throws {
        let w = try World()
        defer { w.remove() }
        let (lossy, object) = crm == "hubspot" ? (w.hs, "contacts") : (w.sf, "Contact")
        await w.dv.userCreate("contacts", ["firstname": .string("Ada"), "lastname": .string("Lovelace"), "emailaddress1": .string("ada@x.io"),
                                           "telephone1": .string("+15550100")])
        // The lossy CRM's clock runs ahead: its record of Concord's create is stamped after the
        // Salesforce edit below (for HubSpot, an edit elsewhere; for Salesforce, one there).
        await lossy.advance(by: 10_000)
        await lossy.setFaults(loseNextAcknowledgement: true)
        _ = await w.engine.runPass()
        #expect(await lossy.records(object).count == 1, "the create landed in \(crm), its answer was lost")
        let sfID = try #require(await w.sf.records("Contact").keys.first)
        await w.sf.advance(by: 5_000)
        await w.sf.userUpdate("Contact", sfID, ["Phone": .string("+15550199")])
        _ = await w.engine.syncToConvergence()
        #expect(await w.sf.records("Contact")[sfID]?["Phone"] == .string("+15550199"), "the edit stands in Salesforce")
        #expect(await w.hs.records("contacts").values.first?["phone"] == .string("+15550199"), "and reaches HubSpot")
        #expect(await w.dv.records("contacts").values.first?["telephone1"] == .string("+15550199"), "and Dataverse")
        #expect(await lossy.records(object).count == 1, "no duplicate")
    }

    @Test("a write refused because a record it names was deleted there unseen (INVALID_CROSS_REFERENCE_KEY) is no refusal for good: the reference is looked up, found gone, and the write goes without it")
    func referenceDeletedUnseen() async throws {
        let w = try World()
        defer { w.remove() }
        let account = await w.dv.userCreate("accounts", ["name": .string("Acme"), "websiteurl": .string("https://acme.example")])
        await w.dv.userCreate("contacts", ["firstname": .string("Ada"), "lastname": .string("Lovelace"), "emailaddress1": .string("ada@x.io"),
                                           "_parentcustomerid_value": .string(account)])
        _ = await w.engine.syncToConvergence()
        let sfAccount = try #require(await w.sf.records("Account").keys.first)
        #expect(await w.sf.records("Contact").values.first?["AccountId"] == .string(sfAccount))
        // Someone deletes the account in Salesforce; before any pull shows it, Dataverse gets a
        // new contact at that account, which Concord writes to Salesforce naming the account.
        await w.sf.deleteUnseen("Account", sfAccount)
        await w.dv.userCreate("contacts", ["firstname": .string("Bob"), "lastname": .string("Babbage"), "emailaddress1": .string("bob@x.io"),
                                           "_parentcustomerid_value": .string(account)])
        _ = await w.engine.runPass()
        let refused = try await w.engine.withStore { try $0.outbox(replica: "salesforce", state: .pending) }
        #expect(refused.count == 1 && refused[0].lastError?.contains("INVALID_CROSS_REFERENCE_KEY") == true,
                "refused for the missing account, kept to be tried again: \(refused)")
        _ = await w.engine.syncToConvergence()
        let bob = await w.sf.records("Contact").values.first { $0["Email"] == .string("bob@x.io") }
        #expect(bob != nil, "Bob reaches Salesforce")
        #expect((bob?["AccountId"] ?? .null).isBlank, "without the account Salesforce no longer has")
        #expect(try await w.engine.withStore { try $0.outbox(replica: "salesforce", state: .failed) }.isEmpty, "nothing refused for good")
    }

    @Test("a quarantined record deleted in its CRM leaves the quarantine, and is not taken for that CRM's copy of the same person later")
    func deletedQuarantinedRecordReservesNothing() async throws {
        let w = try World()
        defer { w.remove() }
        let gone = await w.dv.userCreate("contacts", ["firstname": .string("Ada"), "emailaddress1": .string("ada@x.io")])
        _ = await w.engine.runPass()
        #expect(try await w.engine.withStore { try $0.quarantined() }.count == 1, "no last name: quarantined")
        await w.dv.userDelete("contacts", gone)
        _ = await w.engine.runPass()
        #expect(try await w.engine.withStore { try $0.quarantined() }.isEmpty, "deleted there: its quarantined change is moot")
        await w.hs.userCreate("contacts", ["firstname": .string("Ada"), "lastname": .string("Lovelace"), "email": .string("ada@x.io")])
        _ = await w.engine.syncToConvergence()
        let live = await w.dv.records("contacts")
        #expect(live.count == 1 && live.keys.first != gone, "HubSpot's Ada is created in Dataverse, not linked to the deleted one: \(live)")
    }

    @Test("a record that fails validation is quarantined with the exact input, and nothing of it spreads")
    func quarantine() async throws {
        let w = try World()
        defer { w.remove() }
        await w.hs.userCreate("contacts", ["firstname": .string("No"), "lastname": .string("Email"), "email": .string("not-an-email")])
        await w.hs.userCreate("contacts", ["firstname": .string("Good"), "lastname": .string("One"), "email": .string("good@x.io")])
        let r = await w.engine.runPass()
        #expect(r.replicas["hubspot"]?.quarantined == 1)
        _ = await w.engine.syncToConvergence()
        #expect(await w.sf.records("Contact").count == 1)
        let rows = try await w.engine.withStore { try $0.quarantined() }
        #expect(rows.count == 1 && rows[0].input.contains("not-an-email") && rows[0].rule.contains("format"))
    }
}

@Suite("References")
struct EngineReferenceTests {
    @Test("a contact whose company a CRM refused is still created there, and gets its company once it exists")
    func deferredReference() async throws {
        let w = try World()
        defer { w.remove() }
        let account = await w.sf.userCreate("Account", ["Name": .string("Refused Co")])
        await w.sf.userCreate("Contact", ["FirstName": .string("Ada"), "LastName": .string("Lovelace"), "Email": .string("ada@x.io"),
                                          "AccountId": .string(account)])
        await w.hs.setFaults(rejectValue: .some(.string("Refused Co")))
        _ = await w.engine.syncToConvergence()
        let contacts = await w.hs.records("contacts")
        #expect(contacts.count == 1, "the contact is created without its company")
        #expect(contacts.first?.value["associations.companies"] == nil)
        await w.hs.setFaults(rejectValue: .some(nil))
        await w.sf.userUpdate("Account", account, ["Name": .string("Accepted Co")])
        _ = await w.engine.syncToConvergence()
        let companies = await w.hs.records("companies")
        let hsContact = await w.hs.records("contacts").first?.value
        #expect(companies.count == 1)
        #expect(hsContact?["associations.companies"]?.text == companies.first?.key, "the reference is set once the company exists")
    }
}

@Suite("Quarantine release")
struct EngineQuarantineReleaseTests {
    @Test("after the mapping is fixed, a retry releases the exact input and merges it; nothing is dropped")
    func releaseAfterFix() async throws {
        let w = try World()
        defer { w.remove() }
        await w.hs.userCreate("contacts", ["firstname": .string("No"), "lastname": .string("Email"), "email": .string("not-an-email")])
        _ = await w.engine.syncToConvergence()
        let key = try #require(try await w.engine.withStore { try $0.quarantined().first?.key })
        // The fix: this deployment accepts free-form email text.
        let relaxed = try ConfigLoader.load(text: """
            objects:
              contact:
                fields:
                  email: {type: string, format: ~}
            """, file: "concord.yaml")
        let fixed = try SyncEngine(storePath: w.path, config: relaxed, connectors: [w.sf, w.hs, w.dv], wallClock: .system)
        let outcome = try await fixed.retryQuarantined(keys: [key])
        #expect(outcome[key] == true, "released")
        #expect(try await fixed.withStore { try $0.quarantined().isEmpty })
        _ = await fixed.syncToConvergence()
        let sf = await w.sf.records("Contact")
        #expect(sf.first?.value["Email"]?.text == "not-an-email", "the released record reached the other CRMs")
    }
}
