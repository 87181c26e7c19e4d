import ConcordConnectors
import ConcordCore
import ConcordDemo
import ConcordEngine
import ConcordMapping
import CRMEmulators
import Foundation
import Synchronization
import Testing

/// Deletes by policy, restore, and merges, through the real connectors and emulators.
@Suite("End to end: deletes and merges", .serialized)
struct EndToEndIdentityTests {
    /// A record linked in all three CRMs: (global id, Salesforce id, HubSpot id, Dataverse id).
    func linkedEverywhere(_ engine: SyncEngine, object: String) async throws -> (RecordID, String, String, String) {
        let found = try await engine.withStore { try $0.linkedEverywhere([object], orderedBy: "salesforce").first }
        let r = try #require(found, "a \(object) linked in all three CRMs")
        return (r.gid, r.ids["salesforce"]!, r.ids["hubspot"]!, r.ids["dynamics"]!)
    }

    @Test("a contact deleted in Salesforce is deleted everywhere; a company deleted in HubSpot stays elsewhere and is not re-created; restore brings the contact back")
    func deletesByPolicy() async throws {
        let stack = try await Stack.start(people: 20, seed: 21)
        defer { Task { await stack.stop() } }
        let (engine, connectors) = try stack.engine()
        _ = await engine.syncToConvergence(maxPasses: 8)
        let (contact, sfContact, hsContact, dvContact) = try await linkedEverywhere(engine, object: "contact")
        let (_, sfCompany, hsCompany, dvCompany) = try await linkedEverywhere(engine, object: "company")
        _ = try stack.emulator("salesforce").control.store.transaction { tx in try tx.delete("Contact", id: sfContact, source: "CRM_UI") }
        _ = try stack.emulator("hubspot").control.store.transaction { tx in try tx.delete("companies", id: hsCompany, source: "CRM_UI") }
        _ = await engine.syncToConvergence(maxPasses: 8)
        #expect(!stack.ids("hubspot", "contacts").contains(hsContact) && !stack.ids("dynamics", "contact").contains(dvContact),
                "the contact's delete propagated")
        #expect(stack.ids("salesforce", "Account").contains(sfCompany) && stack.ids("dynamics", "account").contains(dvCompany),
                "the company's delete was ignored elsewhere")
        let hsCompanies = stack.ids("hubspot", "companies")
        let again = await engine.runPass()
        #expect(!again.wroteAnything && stack.ids("hubspot", "companies") == hsCompanies, "and the deleted company is not re-created in HubSpot")

        #expect(try await engine.restore(contact))
        _ = await engine.syncToConvergence(maxPasses: 8)
        let links = try await engine.withStore { try $0.links(of: contact) }
        #expect(stack.ids("salesforce", "Contact").contains(links["salesforce"] ?? "-"), "restored in Salesforce")
        #expect(stack.ids("hubspot", "contacts").contains(links["hubspot"] ?? "-"), "restored in HubSpot")
        #expect(stack.ids("dynamics", "contact").contains(links["dynamics"] ?? "-"), "restored in Dataverse")
        let v = try await Verification.check(config: stack.config, connectors: connectors, engine: engine)
        #expect(v.converged, "\(v.divergences.prefix(5)) \(v.unlinked.prefix(5))")
    }

    /// Two companies linked in all three CRMs (global id, HubSpot id): one with contacts, to be
    /// merged away, those contacts, and another to survive.
    func mergeCandidates(_ engine: SyncEngine) async throws -> (loser: (RecordID, String), survivor: (RecordID, String), contacts: [RecordID]) {
        let (pairs, referencing): ([(RecordID, String)], [RecordID: [RecordID]]) = try await engine.withStore { s in
            let pairs: [(RecordID, String)] = try s.links(replica: "hubspot", objectType: "company").sorted { $0.key < $1.key }.compactMap { hsID, gid in
                guard try s.externalID(replica: "salesforce", record: gid) != nil, try s.externalID(replica: "dynamics", record: gid) != nil,
                      try s.record(gid)?.state.isAlive == true else { return nil }
                return (gid, hsID)
            }
            var out: [RecordID: [RecordID]] = [:]
            for (gid, _) in pairs { out[gid] = try s.records(referencing: gid).filter { try s.record($0)?.objectType == "contact" } }
            return (pairs, out)
        }
        let loser = try #require(pairs.first { !(referencing[$0.0] ?? []).isEmpty }, "a company with contacts")
        let survivor = try #require(pairs.first { $0.0 != loser.0 })
        return (loser, survivor, referencing[loser.0] ?? [])
    }

    @Test("a HubSpot company merge: the merged-away company's contacts move to the survivor in every CRM, then an edit of the survivor syncs")
    func hubspotMerge() async throws {
        let stack = try await Stack.start(people: 30, seed: 22)
        defer { Task { await stack.stop() } }
        let (engine, connectors) = try stack.engine()
        _ = await engine.syncToConvergence(maxPasses: 8)
        let (loser, survivor, contacts) = try await mergeCandidates(engine)
        let hubspot = try #require(stack.emulator("hubspot") as? HubSpotEmulator)
        _ = try hubspot.control.store.transaction { tx in
            try DriverProfile.hubspot(hubspot).merge("companies", survivor.1, loser.1, &tx)
        }
        _ = await engine.syncToConvergence(maxPasses: 8)
        let sfSurvivor = try #require(try await engine.withStore { try $0.externalID(replica: "salesforce", record: survivor.0) })
        for contact in contacts {
            let sfID = try #require(try await engine.withStore { try $0.externalID(replica: "salesforce", record: contact) })
            #expect(stack.emulator("salesforce").control.store.get("Contact", sfID)?.fields["AccountId"] == .string(sfSurvivor),
                    "Salesforce's contact \(sfID) now belongs to the survivor")
        }
        #expect(try await engine.withStore { try $0.survivor(of: loser.0) } == survivor.0)
        // An edit of the survivor after the merge reaches the others.
        try stack.userEdit("hubspot", "companies", survivor.1, ["city": .string("Reykjavik")])
        _ = await engine.syncToConvergence(maxPasses: 8)
        #expect(stack.emulator("salesforce").control.store.get("Account", sfSurvivor)?.fields["BillingCity"] == .string("Reykjavik"))
        let v = try await Verification.check(config: stack.config, connectors: connectors, engine: engine)
        #expect(v.converged, "\(v.divergences.prefix(5)) \(v.unlinked.prefix(5))")
        #expect(!(await engine.runPass()).wroteAnything, "a pass after convergence writes nothing")
    }

    @Test("a HubSpot company merge whose survivor is deleted before Concord pulls: the merge still counts (contacts move to the survivor everywhere) and the delete is ignored as for any company")
    func hubspotMergeThenSurvivorDeleted() async throws {
        let stack = try await Stack.start(people: 30, seed: 24)
        defer { Task { await stack.stop() } }
        let (engine, connectors) = try stack.engine()
        _ = await engine.syncToConvergence(maxPasses: 8)
        let (loser, survivor, contacts) = try await mergeCandidates(engine)
        let hubspot = try #require(stack.emulator("hubspot") as? HubSpotEmulator)
        // Merged in HubSpot (its contacts move to the survivor there, unseen), then the
        // survivor deleted, both between two passes.
        _ = try hubspot.control.store.transaction { tx in try DriverProfile.hubspot(hubspot).merge("companies", survivor.1, loser.1, &tx) }
        _ = try hubspot.control.store.transaction { tx in try tx.delete("companies", id: survivor.1, source: "CRM_UI") }
        _ = await engine.syncToConvergence(maxPasses: 8)
        #expect(try await engine.withStore { try $0.survivor(of: loser.0) } == survivor.0, "the merge was taken in")
        let sfSurvivor = try #require(try await engine.withStore { try $0.externalID(replica: "salesforce", record: survivor.0) })
        #expect(stack.ids("salesforce", "Account").contains(sfSurvivor), "the survivor's delete was ignored elsewhere")
        for contact in contacts {
            let sfID = try #require(try await engine.withStore { try $0.externalID(replica: "salesforce", record: contact) })
            #expect(stack.emulator("salesforce").control.store.get("Contact", sfID)?.fields["AccountId"] == .string(sfSurvivor),
                    "Salesforce's contact \(sfID) now belongs to the survivor")
        }
        let v = try await Verification.check(config: stack.config, connectors: connectors, engine: engine)
        #expect(v.converged, "\(v.divergences.prefix(5)) \(v.unlinked.prefix(5))")
    }

    @Test("a Dataverse contact merge (the subordinate deactivated, merged, masterid set; not deleted): the merged-away person is deleted in the others, Dataverse's subordinate is left alone")
    func dataverseMerge() async throws {
        let stack = try await Stack.start(people: 20, seed: 23)
        defer { Task { await stack.stop() } }
        let (engine, connectors) = try stack.engine()
        _ = await engine.syncToConvergence(maxPasses: 8)
        let linked = try await engine.withStore { try $0.linkedEverywhere(["contact"], orderedBy: "dynamics") }
        #expect(linked.count >= 2)
        let (survivor, loser) = (linked[0], linked[1])
        let dataverse = try #require(stack.emulator("dynamics") as? DataverseEmulator)
        _ = try dataverse.control.store.transaction { tx in
            try DriverProfile.dynamics(dataverse).merge("contact", survivor.ids["dynamics"]!, loser.ids["dynamics"]!, &tx)
        }
        _ = await engine.syncToConvergence(maxPasses: 8)
        #expect(try await engine.withStore { try $0.survivor(of: loser.gid) } == survivor.gid, "taken as a merge, not a plain delete")
        #expect(!stack.ids("salesforce", "Contact").contains(loser.ids["salesforce"]!)
                && !stack.ids("hubspot", "contacts").contains(loser.ids["hubspot"]!), "the merged-away person is gone from the others")
        #expect(stack.ids("salesforce", "Contact").contains(survivor.ids["salesforce"]!), "the survivor stays")
        let subordinate = dataverse.control.store.get("contact", loser.ids["dynamics"]!)
        #expect(subordinate?.fields["merged"] == .bool(true), "Concord did not delete Dataverse's merged record")
        let v = try await Verification.check(config: stack.config, connectors: connectors, engine: engine)
        #expect(v.converged, "\(v.divergences.prefix(5)) \(v.unlinked.prefix(5))")
        #expect(!(await engine.runPass()).wroteAnything, "a pass after convergence writes nothing")
    }

    @Test("HubSpot refuses Concord's create as a duplicate (409 'Existing ID'): the existing contact is linked and completed, not duplicated")
    func hubSpotExistingIDIsLinked() async throws {
        let stack = try await Stack.start(people: 10, seed: 23)
        defer { Task { await stack.stop() } }
        // A person creates Ada in HubSpot (without the last name Concord requires) while
        // Concord writes companies there, after its reads of HubSpot: Concord has not seen her
        // and creates Dataverse's Ada in HubSpot, which refuses: her email is taken (409,
        // "Contact already exists. Existing ID: ...").
        let hubspotStore = stack.emulator("hubspot").control.store
        let created = AdaBox()
        hubspotStore.onChange { event, _ in
            guard event.type == "companies", event.source.hasPrefix("API"), created.claim() else { return }
            let id = hubspotStore.transaction { tx in
                let id = String(40_000_000_000 + tx.nextCounter())
                _ = tx.create("contacts", id: id, fields: ["firstname": .string("Ada"), "email": .string("ada@lovelace.test"),
                                                           "phone": .string("+15550100")], source: "CRM_UI")
                return id
            }
            created.set(id)
        }
        let dvAda = UUID().uuidString.lowercased()
        _ = stack.emulator("dynamics").control.store.transaction { tx in
            tx.create("contact", id: dvAda, fields: ["firstname": .string("Ada"), "lastname": .string("Lovelace"),
                                                     "emailaddress1": .string("ada@lovelace.test"), "statecode": 0], source: "CRM_UI")
        }
        let hubspot = stack.emulator("hubspot").control
        let seeded = KillNineTests.allIDs(stack)
        let (engine, connectors) = try stack.engine()
        let reports = await engine.syncToConvergence(maxPasses: 8)
        // Matched: the seeded overlap, and Ada once more (linked on HubSpot's 409).
        let overlap = SeededOverlap(seed: 23, people: 10)
        try #require(!overlap.hasDuplicatesInsideACRM, "seed 23 has a key twice inside one CRM: pick another seed")
        let hsAda = try #require(created.id, "Ada was created in HubSpot while Concord wrote companies there")
        let matched = reports.flatMap { $0.replicas.values }.map(\.matched).reduce(0, +)
        let companyMatches = try await EndToEndSyncTests.seededCompanyMatches(engine, seeded: seeded)
        #expect(matched == overlap.expectedContactMatches + companyMatches + 1,
                "matched \(matched): seeded contact overlap \(overlap.expectedContactMatches), companies \(companyMatches), and Ada")
        let adas = hubspot.store.all("contacts").filter { $0.fields["email"]?.textForm?.lowercased() == "ada@lovelace.test" }
        #expect(adas.map(\.id) == [hsAda], "no second Ada in HubSpot")
        let links = try await engine.withStore { s -> [String: String] in
            guard let gid = try s.linkedRecord(replica: "dynamics", objectType: "contact", externalID: dvAda) else { return [:] }
            return try s.links(of: gid)
        }
        #expect(links["hubspot"] == hsAda, "HubSpot's existing Ada is linked to Dataverse's: \(links)")
        #expect(hubspot.store.get("contacts", hsAda)?.fields["lastname"] == .string("Lovelace"), "and gets what Dataverse knows")
        #expect(try await engine.withStore { try $0.outbox(replica: "hubspot", state: .failed) }.isEmpty, "nothing failed for good")
        let v = try await Verification.check(config: stack.config, connectors: connectors, engine: engine)
        #expect(v.converged, "\(v.divergences.prefix(5)) \(v.unlinked.prefix(5))")
    }

    @Test("a contact Dataverse holds quarantined (no last name) is linked to the same person from HubSpot, not created beside: no duplicate, and it gets the last name")
    func quarantinedRecordKeepsItsIdentity() async throws {
        let stack = try await Stack.start(people: 10, seed: 23)
        defer { Task { await stack.stop() } }
        let dvAda = UUID().uuidString.lowercased()
        _ = stack.emulator("dynamics").control.store.transaction { tx in
            tx.create("contact", id: dvAda, fields: ["firstname": .string("Ada"), "emailaddress1": .string("ada@lovelace.test"),
                                                     "jobtitle": .string("Analyst"), "statecode": 0], source: "CRM_UI")
        }
        // Made after Dataverse's (Dataverse stamps whole seconds, so its stamp is earlier): a
        // later millisecond, or both could fall on the same whole second and tie, which the
        // replicas' site ids would decide.
        let dvStamp = try #require(stack.emulator("dynamics").control.store.get("contact", dvAda)?.modifiedAt)
        while EmulatorClock.systemMillis() <= dvStamp + 1 { try await Task.sleep(for: .milliseconds(1)) }
        let hsAda = stack.emulator("hubspot").control.store.transaction { tx in
            let id = String(40_000_000_000 + tx.nextCounter())
            _ = tx.create("contacts", id: id, fields: ["firstname": .string("Ada"), "lastname": .string("Lovelace"),
                                                       "email": .string("ada@lovelace.test"), "jobtitle": .string("Countess")],
                          source: "CRM_UI")
            return id
        }
        let (engine, connectors) = try stack.engine()
        _ = await engine.syncToConvergence(maxPasses: 8)
        let adas = stack.emulator("dynamics").control.store.all("contact").filter { $0.fields["emailaddress1"]?.textForm == "ada@lovelace.test" }
        #expect(adas.map(\.id) == [dvAda], "no second Ada in Dataverse")
        let links = try await engine.withStore { s -> [String: String] in
            guard let gid = try s.linkedRecord(replica: "hubspot", objectType: "contact", externalID: hsAda) else { return [:] }
            return try s.links(of: gid)
        }
        #expect(links["dynamics"] == dvAda, "Dataverse's quarantined Ada is HubSpot's: \(links)")
        #expect(stack.emulator("dynamics").control.store.get("contact", dvAda)?.fields["lastname"] == .string("Lovelace"),
                "and gets the last name it lacked")
        // Its quarantined input, taken in once linked, is merged by its own (earlier) time: the
        // later title from HubSpot stands everywhere, not moved back to Dataverse's.
        let why = try await engine.withStore { s -> String in
            guard let gid = try s.linkedRecord(replica: "hubspot", objectType: "contact", externalID: hsAda) else { return "not linked" }
            let title = try s.record(gid)?.state.entries.first { $0.name == "job_title" }.map { "\($0.register)" } ?? "none"
            let conflicts = try s.conflicts(of: gid).map { "\($0.field): \($0.winner) over \($0.loser)" }
            return "title register \(title); conflicts \(conflicts); Dataverse shadow \(try s.shadow(replica: "dynamics", record: gid))"
        }
        #expect(stack.emulator("dynamics").control.store.get("contact", dvAda)?.fields["jobtitle"] == .string("Countess"), "\(why)")
        #expect(stack.emulator("hubspot").control.store.get("contacts", hsAda)?.fields["jobtitle"] == .string("Countess"), "\(why)")
        #expect(try await engine.withStore { try $0.quarantined() }.filter { $0.recordKey == dvAda }.isEmpty, "and leaves the quarantine")
        let v = try await Verification.check(config: stack.config, connectors: connectors, engine: engine)
        #expect(v.converged, "\(v.divergences.prefix(5)) \(v.unlinked.prefix(5))")
    }

    @Test("a contact Dataverse holds quarantined, then merged away there: its quarantined input is dropped, not linked later to the same person from HubSpot (full demo seed 13)")
    func quarantinedThenMergedAway() async throws {
        let stack = try await Stack.start(people: 10, seed: 25)
        defer { Task { await stack.stop() } }
        let (engine, connectors) = try stack.engine()
        _ = await engine.syncToConvergence(maxPasses: 8)
        let (_, _, _, dvSurvivor) = try await linkedEverywhere(engine, object: "contact")
        let dataverse = try #require(stack.emulator("dynamics") as? DataverseEmulator)
        let dvAda = UUID().uuidString.lowercased()
        _ = dataverse.control.store.transaction { tx in
            tx.create("contact", id: dvAda, fields: ["firstname": .string("Ada"), "emailaddress1": .string("ada@lovelace.test"), "statecode": 0],
                      source: "CRM_UI")
        }
        _ = await engine.runPass()
        #expect(try await engine.withStore { try $0.quarantined() }.contains { $0.recordKey == dvAda }, "quarantined: no last name")
        _ = try dataverse.control.store.transaction { tx in try DriverProfile.dynamics(dataverse).merge("contact", dvSurvivor, dvAda, &tx) }
        let hsAda = stack.emulator("hubspot").control.store.transaction { tx in
            let id = String(40_000_000_000 + tx.nextCounter())
            _ = tx.create("contacts", id: id, fields: ["firstname": .string("Ada"), "lastname": .string("Lovelace"),
                                                       "email": .string("ada@lovelace.test")], source: "CRM_UI")
            return id
        }
        _ = await engine.syncToConvergence(maxPasses: 8)
        let links = try await engine.withStore { s -> [String: String] in
            guard let gid = try s.linkedRecord(replica: "hubspot", objectType: "contact", externalID: hsAda) else { return [:] }
            return try s.links(of: gid)
        }
        #expect(links["dynamics"] != nil && links["dynamics"] != dvAda, "HubSpot's Ada is not linked to the row merged away: \(links)")
        #expect(try await engine.withStore { try $0.quarantined() }.allSatisfy { $0.recordKey != dvAda }, "its quarantined input is gone")
        let v = try await Verification.check(config: stack.config, connectors: connectors, engine: engine)
        #expect(v.converged, "\(v.divergences.prefix(5)) \(v.unlinked.prefix(5))")
    }

    @Test("a company edited in HubSpot and deleted there before Concord read the edit: the edit reaches the others (company deletes are ignored; HubSpot's archive listing carries the last values)")
    func editThenArchiveInHubSpot() async throws {
        let stack = try await Stack.start(people: 20, seed: 26)
        defer { Task { await stack.stop() } }
        let (engine, _) = try stack.engine()
        _ = await engine.syncToConvergence(maxPasses: 8)
        let (company, sfCompany, hsCompany, dvCompany) = try await linkedEverywhere(engine, object: "company")
        _ = try stack.emulator("hubspot").control.store.transaction { tx in
            try tx.update("companies", id: hsCompany, changes: ["phone": .string("+15550199")], source: "CRM_UI")
        }
        _ = try stack.emulator("hubspot").control.store.transaction { tx in try tx.delete("companies", id: hsCompany, source: "CRM_UI") }
        _ = await engine.syncToConvergence(maxPasses: 8)
        #expect(stack.emulator("salesforce").control.store.get("Account", sfCompany)?.fields["Phone"] == .string("+15550199"))
        #expect(stack.emulator("dynamics").control.store.get("account", dvCompany)?.fields["telephone1"] == .string("+15550199"))
        #expect(try await engine.withStore { try $0.record(company)?.state.isAlive } == true, "the company lives on")
    }
}

/// The HubSpot id of the Ada a listener created, once.
final class AdaBox: Sendable {
    private let state = Mutex<(claimed: Bool, id: String?)>((false, nil))
    /// Whether this caller is the first (and so creates her).
    func claim() -> Bool { state.withLock { s in defer { s.claimed = true }; return !s.claimed } }
    func set(_ id: String) { state.withLock { $0.id = id } }
    var id: String? { state.withLock { $0.id } }
}
