import ConcordConnectors
import ConcordCore
import ConcordEngine
import ConcordMapping
import ConcordStore
import ConcordTesting
import Testing

/// Identity under churn: references to records not linked yet, merges that must repoint
/// references, references a CRM cannot hold, and creates a CRM refuses as duplicates.
@Suite("Identity and references")
struct EngineIdentityTests {
    @Test("a contact whose company is not linked yet is matched and synced now; its company follows once linked")
    func heldReference() async throws {
        let w = try World()
        defer { w.remove() }
        // The HubSpot company has no name (required): quarantined. Its contact is not.
        let co = await w.hs.userCreate("companies", ["domain": .string("acme.io")])
        await w.hs.userCreate("contacts", ["firstname": .string("Ada"), "lastname": .string("Lovelace"), "email": .string("ada@x.io"),
                                           "associations.companies": .string(co)])
        await w.sf.userCreate("Contact", ["FirstName": .string("Ada"), "LastName": .string("Lovelace"), "Email": .string("ada@x.io"),
                                          "Title": .string("Countess")])
        let first = await w.engine.syncToConvergence()
        #expect(first.flatMap { $0.replicas.values }.map(\.matched).reduce(0, +) == 1, "HubSpot's Ada matched Salesforce's")
        let (hsCount, sfCount) = (await w.hs.records("contacts").count, await w.sf.records("Contact").count)
        #expect(hsCount == 1 && sfCount == 1, "no duplicate")
        #expect(await w.hs.records("contacts").first?.value["jobtitle"]?.text == "Countess", "the contact synced although its company waits")
        #expect(await w.sf.records("Account").isEmpty)
        let held = try await w.engine.withStore { try $0.quarantined().filter { $0.rule.hasPrefix("held:") } }
        #expect(held.count == 1, "the company reference is held: \(held.map(\.reason))")

        await w.hs.userUpdate("companies", co, ["name": .string("Acme")])
        _ = await w.engine.syncToConvergence()
        let account = try #require(await w.sf.records("Account").first?.key)
        #expect(await w.sf.records("Contact").first?.value["AccountId"]?.text == account, "the held reference is applied once the company is linked")
        #expect(try await w.engine.withStore { try $0.quarantined().isEmpty })
    }

    @Test("a HubSpot company merge repoints every contact of the merged-away company, in every CRM")
    func mergeRepointsReferences() async throws {
        let w = try World()
        defer { w.remove() }
        let a = await w.hs.userCreate("companies", ["name": .string("Acme"), "domain": .string("acme.io")])
        let b = await w.hs.userCreate("companies", ["name": .string("Acme Inc"), "domain": .string("acme-inc.io")])
        let c = await w.hs.userCreate("contacts", ["firstname": .string("Ada"), "lastname": .string("Lovelace"), "email": .string("ada@x.io"),
                                                   "associations.companies": .string(b)])
        _ = await w.engine.syncToConvergence()
        #expect(await w.sf.records("Account").count == 2)
        let gone = try #require(try await w.engine.withStore { try $0.linkedRecord(replica: "hubspot", objectType: "company", externalID: b) })
        // HubSpot moves associations on a merge without touching the associated contact.
        await w.hs.userMerge("companies", survivor: a, loser: b)
        _ = await w.engine.syncToConvergence()
        let survivor = try #require(try await w.engine.withStore { try $0.linkedRecord(replica: "hubspot", objectType: "company", externalID: a) })
        let sfSurvivor = try #require(try await w.engine.withStore { try $0.externalID(replica: "salesforce", record: survivor) })
        #expect(await w.sf.records("Contact").first?.value["AccountId"]?.text == sfSurvivor, "Salesforce's contact moved to the survivor")
        #expect(await w.hs.records("contacts")[c]?["associations.companies"]?.text == a, "so did HubSpot's")
        let (alive, redirect) = try await w.engine.withStore { s in (try s.record(gone)?.state.isAlive, try s.survivor(of: gone)) }
        #expect(alive == false && redirect == survivor, "the merged-away company is deleted in Concord and redirects to the survivor")
        #expect(await w.sf.records("Account").count == 2, "company deletes are ignored: Salesforce keeps its copy")
        let again = await w.engine.runPass()
        #expect(!again.wroteAnything, "and it converged")
    }

    @Test("a merge into a record already merged away elsewhere: references move to the end of the chain, not to the dead record")
    func mergeIntoMergedAwayRecord() async throws {
        let w = try World()
        defer { w.remove() }
        let a = await w.hs.userCreate("companies", ["name": .string("Acme"), "domain": .string("acme.io")])
        let b = await w.hs.userCreate("companies", ["name": .string("Acme Inc"), "domain": .string("acme-inc.io")])
        let c = await w.hs.userCreate("companies", ["name": .string("Acme Ltd"), "domain": .string("acme-ltd.io")])
        let contact = await w.hs.userCreate("contacts", ["firstname": .string("Ada"), "lastname": .string("Lovelace"), "email": .string("ada@x.io"),
                                                         "associations.companies": .string(c)])
        _ = await w.engine.syncToConvergence()
        let (ga, gb) = try await w.engine.withStore { s in
            (try s.linkedRecord(replica: "hubspot", objectType: "company", externalID: a)!, try s.linkedRecord(replica: "hubspot", objectType: "company", externalID: b)!)
        }
        let (sfA, sfB) = try await w.engine.withStore { s in (try s.externalID(replica: "salesforce", record: ga)!, try s.externalID(replica: "salesforce", record: gb)!) }
        // Between two passes: B merged into A in Salesforce, and C into B in HubSpot (where
        // B lives on: company deletes are ignored), moving the contact to B there.
        await w.sf.userMerge("Account", survivor: sfA, loser: sfB)
        await w.hs.userMerge("companies", survivor: b, loser: c, movingReferences: true)
        _ = await w.engine.syncToConvergence()
        #expect(await w.sf.records("Contact").first?.value["AccountId"]?.text == sfA, "Salesforce's contact belongs to A, where B went")
        #expect(await w.hs.records("contacts")[contact]?["associations.companies"]?.text == a, "so does HubSpot's")
        let again = await w.engine.runPass()
        #expect(!again.wroteAnything, "and it converged")
    }

    @Test("a record merged into one Concord has not seen yet continues as the survivor: what referred to it still does, everywhere")
    func mergeIntoANewSurvivor() async throws {
        let w = try World()
        defer { w.remove() }
        let a = await w.hs.userCreate("companies", ["name": .string("Acme"), "domain": .string("acme.io")])
        let c = await w.hs.userCreate("contacts", ["firstname": .string("Ada"), "lastname": .string("Lovelace"), "email": .string("ada@x.io"),
                                                   "associations.companies": .string(a)])
        _ = await w.engine.syncToConvergence()
        let known = try #require(try await w.engine.withStore { try $0.linkedRecord(replica: "hubspot", objectType: "company", externalID: a) })
        // Between two pulls: a new company, and the known one merged into it (its contact's
        // association moves to the survivor, unseen).
        let s = await w.hs.userCreate("companies", ["name": .string("Acme Holdings"), "domain": .string("acme-holdings.io")])
        await w.hs.userMerge("companies", survivor: s, loser: a, movingReferences: true)
        _ = await w.engine.syncToConvergence()
        let survivor = try await w.engine.withStore { try $0.linkedRecord(replica: "hubspot", objectType: "company", externalID: s) }
        #expect(survivor == known, "the record Concord held continues as the survivor")
        let accounts = await w.sf.records("Account")
        #expect(accounts.count == 1, "no second account for the survivor: \(accounts)")
        #expect(accounts.first?.value["Name"]?.text == "Acme Holdings", "the merge result reached Salesforce")
        #expect(await w.sf.records("Contact").first?.value["AccountId"]?.text == accounts.first?.key, "the contact still names it")
        #expect(await w.hs.records("contacts")[c]?["associations.companies"]?.text == s)
        let again = await w.engine.runPass()
        #expect(!again.wroteAnything, "and it converged")
    }

    @Test("a new survivor Concord refuses (quarantined) takes over nothing: Concord writes none of the merged-away record's values over it")
    func refusedSurvivorIsNotWritten() async throws {
        let w = try World()
        defer { w.remove() }
        let k = await w.hs.userCreate("contacts", ["firstname": .string("Ada"), "lastname": .string("Lovelace"), "email": .string("ada@x.io")])
        _ = await w.engine.syncToConvergence()
        let s = await w.hs.userCreate("contacts", ["firstname": .string("George"), "lastname": .string("Byron"), "email": .string("not an email")])
        await w.hs.userMerge("contacts", survivor: s, loser: k)
        _ = await w.engine.syncToConvergence()
        #expect(try await w.engine.withStore { try $0.linkedRecord(replica: "hubspot", objectType: "contact", externalID: s) } == nil,
                "the survivor is not linked while its values are refused")
        let survivor = await w.hs.records("contacts")[s]
        #expect(survivor?["firstname"]?.text == "George" && survivor?["lastname"]?.text == "Byron",
                "nothing of the merged-away record was written over it: \(String(describing: survivor))")
    }

    @Test("a write HubSpot took without its association (that call failed) is recorded for the rest: it never reads back as an edit made there, and the association goes again")
    func partlyWrittenIsRecorded() async throws {
        let w = try World()
        defer { w.remove() }
        let c = await w.sf.userCreate("Contact", ["FirstName": .string("Ada"), "LastName": .string("Lovelace"), "Email": .string("ada@x.io"),
                                                  "Title": .string("Analyst")])
        let a = await w.sf.userCreate("Account", ["Name": .string("Acme")])
        _ = await w.engine.syncToConvergence()
        // HubSpot's clock runs ahead: its write times are later than Salesforce's next edit.
        await w.hs.advance(by: 60_000)
        await w.hs.setFaults(failWritesOf: ["associations.companies"])
        await w.sf.userUpdate("Contact", c, ["Title": .string("Director"), "AccountId": .string(a)])
        _ = await w.engine.runPass()
        // A later edit in Salesforce, stamped before HubSpot's write of "Director".
        await w.sf.userUpdate("Contact", c, ["Title": .string("VP")])
        await w.hs.setFaults(failWritesOf: [])
        _ = await w.engine.syncToConvergence()
        let hsContact = await w.hs.records("contacts").first?.value
        #expect(await w.sf.records("Contact")[c]?["Title"]?.text == "VP", "Salesforce's later edit stands")
        #expect(hsContact?["jobtitle"]?.text == "VP", "HubSpot's copy of Concord's own write was no edit there")
        let hsAccount = try await w.engine.withStore { s in
            try s.linkedRecord(replica: "salesforce", objectType: "company", externalID: a).flatMap { try s.externalID(replica: "hubspot", record: $0) }
        }
        #expect(hsAccount != nil && hsContact?["associations.companies"]?.text == hsAccount, "the association went again")
    }

    @Test("a reference to a record a CRM refused is cleared there and blocked, not retried forever; it is set once the record exists")
    func unheldReference() async throws {
        let w = try World()
        defer { w.remove() }
        let x = await w.sf.userCreate("Account", ["Name": .string("First Co")])
        let c = await w.sf.userCreate("Contact", ["FirstName": .string("Ada"), "LastName": .string("Lovelace"), "Email": .string("ada@x.io"),
                                                  "AccountId": .string(x)])
        _ = await w.engine.syncToConvergence()
        #expect(await w.hs.records("contacts").first?.value["associations.companies"] != nil)
        let y = await w.sf.userCreate("Account", ["Name": .string("Refused Co")])
        await w.hs.setFaults(rejectValue: .some(.string("Refused Co")))
        await w.sf.userUpdate("Contact", c, ["AccountId": .string(y)])
        _ = await w.engine.syncToConvergence()
        let cleared = await w.hs.records("contacts").first?.value["associations.companies"]
        let outbox = try await w.engine.withStore { s in try [OutboxItem.State.pending, .failed, .blocked].flatMap { try s.outbox(replica: "hubspot", state: $0) } }
        #expect(cleared != nil && (cleared?.text ?? "").isEmpty, "HubSpot cannot hold the new company: its stale one is cleared (\(String(describing: cleared)); \(outbox))")
        let (depth, blocked) = try await w.engine.withStore { s in (try s.outboxDepth()["hubspot"] ?? 0, try s.outbox(replica: "hubspot", state: .blocked).count) }
        #expect(depth == 0 && blocked == 1, "no open work is left (depth \(depth)); one write waits, blocked (\(blocked))")

        await w.hs.setFaults(rejectValue: .some(nil))
        await w.sf.userUpdate("Account", y, ["Name": .string("Accepted Co")])
        _ = await w.engine.syncToConvergence()
        let hsCompany = try #require(await w.hs.records("companies").first { $0.value["name"]?.text == "Accepted Co" }?.key)
        #expect(await w.hs.records("contacts").first?.value["associations.companies"]?.text == hsCompany, "set once the company exists")
        #expect(try await w.engine.withStore { try $0.outbox(replica: "hubspot", state: .blocked).count } == 0)
    }

    @Test("deletes a CRM can no longer list (its delete log was purged) are found by looking every linked record up")
    func purgedDeleteLog() async throws {
        let w = try World()
        defer { w.remove() }
        let gone = await w.sf.userCreate("Contact", ["FirstName": .string("Ada"), "LastName": .string("Lovelace"), "Email": .string("ada@x.io")])
        await w.sf.userCreate("Contact", ["FirstName": .string("Alan"), "LastName": .string("Turing"), "Email": .string("alan@b.uk")])
        _ = await w.engine.syncToConvergence()
        #expect(await w.hs.records("contacts").count == 2)
        await w.sf.purge("Contact", gone)
        let reports = await w.engine.syncToConvergence()
        #expect(reports.compactMap { $0.replicas["salesforce"]?.reconciledDeletes }.reduce(0, +) == 1)
        let (hs, dv) = (await w.hs.records("contacts"), await w.dv.records("contacts"))
        #expect(hs.count == 1 && dv.count == 1, "the delete reached the others (contacts propagate)")
        #expect(hs.first?.value["email"]?.text == "alan@b.uk")
    }

    @Test("a create HubSpot refuses as a duplicate ('already exists') links the existing contact instead")
    func existingRecordIsLinked() async throws {
        let w = try World()
        defer { w.remove() }
        await w.hs.setFaults(uniqueFields: ["contacts": "email"])
        // HubSpot's Ada lacks a last name (required): quarantined, so not matched by email.
        let h = await w.hs.userCreate("contacts", ["firstname": .string("Ada"), "email": .string("ada@x.io"), "phone": .string("+15550100")])
        await w.sf.userCreate("Contact", ["FirstName": .string("Ada"), "LastName": .string("Lovelace"), "Email": .string("ada@x.io")])
        _ = await w.engine.syncToConvergence()
        #expect(await w.hs.records("contacts").count == 1, "no second Ada in HubSpot")
        let linked = try await w.engine.withStore { try $0.linkedRecord(replica: "hubspot", objectType: "contact", externalID: h) }
        #expect(linked != nil, "HubSpot's existing Ada is linked")
        #expect(await w.hs.records("contacts")[h]?["lastname"]?.text == "Lovelace", "and gets what Salesforce knows")
        #expect(try await w.engine.withStore { try $0.outbox(replica: "hubspot", state: .failed) }.isEmpty)
    }

    @Test("a create refused because a deleted record's copy still holds the email goes again once that delete lands (chaos seed 33)")
    func createWaitsForTheDeleteOfTheCopy() async throws {
        let w = try World()
        defer { w.remove() }
        await w.hs.setFaults(uniqueFields: ["contacts": "email"])
        await w.dv.setFaults(offline: true)
        let sfAda = await w.sf.userCreate("Contact", ["FirstName": .string("Ada"), "LastName": .string("Lovelace"), "Email": .string("ada@x.io")])
        _ = await w.engine.runPass()
        #expect(await w.hs.records("contacts").count == 1)
        // Salesforce's Ada is deleted; Dynamics, back, holds an Ada of its own (seeded there
        // before, never linked): she no longer matches the deleted record, so she is new to
        // Concord, and her create reaches HubSpot in the same push as the archive of the
        // deleted Ada's copy, before it.
        await w.sf.userDelete("Contact", sfAda)
        await w.dv.userCreate("contacts", ["firstname": .string("Ada"), "lastname": .string("Lovelace"), "emailaddress1": .string("ada@x.io"),
                                           "jobtitle": .string("Countess")])
        await w.dv.setFaults(offline: false)
        _ = await w.engine.syncToConvergence()
        let hs = await w.hs.records("contacts")
        #expect(hs.count == 1 && hs.first?.value["jobtitle"]?.text == "Countess", "Dynamics' Ada reached HubSpot: \(hs)")
        #expect(try await w.engine.withStore { try $0.outbox(replica: "hubspot", state: .failed) }.isEmpty, "nothing refused for good")
        #expect(await w.sf.records("Contact").count == 1, "and Salesforce")
    }
}
