import CRMEmulators
import Foundation
import Testing

/// Dataverse polymorphic lookups: an activity's `regardingobjectid` and a note's `objectid` are
/// bound through one navigation property per target table and read back as `_x_value`, with the
/// target table in an annotation when the request asks for it.
@Suite struct DataversePolymorphicLookupTests {
    let api = "/api/data/v9.2"
    static let activities = [("tasks", "task"), ("phonecalls", "phonecall"), ("emails", "email"), ("appointments", "appointment")]
    static let lookupLogicalName = "Microsoft.Dynamics.CRM.lookuplogicalname"

    /// A table with a polymorphic lookup; its navigation properties are
    /// `regardingobjectid_{target}_{entity}` for activities, `objectid_{target}` for notes.
    struct Table {
        var set: String
        var lookup: String
        var entity: String?
        func navigation(_ target: String) -> String { lookup + "_" + target + (entity.map { "_" + $0 } ?? "") }
    }

    /// The id from a 204's `OData-EntityId` header.
    func created(_ reply: TestClient.Reply) throws -> String {
        #expect(reply.status == 204, "\(reply.text)")
        let location = try #require(reply.header("OData-EntityId"))
        return String(location.split(separator: "(").last?.dropLast() ?? "")
    }

    @Test func aTaskBoundToAContactReadsBackThatContact() async throws {
        try await withServer(DataverseEmulator()) { client in
            let contact = try created(try await client.send("POST", "\(api)/contacts", json: ["lastname": "Lee"]))
            let task = try created(try await client.send("POST", "\(api)/tasks", json: [
                "subject": "Call Ann", "regardingobjectid_contact_task@odata.bind": .string("/contacts(\(contact))"),
            ]))
            let read = try await client.send("GET", "\(api)/tasks(\(task))?$select=subject,_regardingobjectid_value",
                                             headers: ["Prefer": "odata.include-annotations=\"\(Self.lookupLogicalName)\""])
            #expect(read.status == 200)
            #expect(read.json?["_regardingobjectid_value"]?.stringValue == contact)
            #expect(read.json?["_regardingobjectid_value@\(Self.lookupLogicalName)"] == "contact")
            // Only the annotation asked for.
            #expect(read.json?["_regardingobjectid_value@Microsoft.Dynamics.CRM.associatednavigationproperty"] == nil)
            // Without the preference there is no annotation, only the id.
            let bare = try await client.send("GET", "\(api)/tasks(\(task))?$select=_regardingobjectid_value")
            #expect(bare.json?["_regardingobjectid_value"]?.stringValue == contact)
            #expect(bare.json?["_regardingobjectid_value@\(Self.lookupLogicalName)"] == nil)
        }
    }

    @Test func everyActivityAndNoteBindsEachTargetTable() async throws {
        try await withServer(DataverseEmulator()) { client in
            let targets: [(set: String, logical: String, id: String)] = [
                ("accounts", "account", try created(try await client.send("POST", "\(api)/accounts", json: ["name": "Acme"]))),
                ("contacts", "contact", try created(try await client.send("POST", "\(api)/contacts", json: ["lastname": "Lee"]))),
                ("opportunities", "opportunity", try created(try await client.send("POST", "\(api)/opportunities", json: ["name": "Big"]))),
            ]
            let tables = Self.activities.map { Table(set: $0.0, lookup: "regardingobjectid", entity: $0.1) }
                + [Table(set: "annotations", lookup: "objectid", entity: nil)]
            for table in tables {
                let subject: JSONValue = table.set == "annotations" ? ["notetext": "n"] : ["subject": "s"]
                var rowID: String?
                for target in targets {
                    var body = subject.objectValue ?? [:]
                    body[table.navigation(target.logical) + "@odata.bind"] = .string("/\(target.set)(\(target.id))")
                    if let id = rowID {
                        // Re-pointing an existing row to another table.
                        let patched = try await client.send("PATCH", "\(api)/\(table.set)(\(id))", json: .object(body))
                        #expect(patched.status == 204, "\(table.set) -> \(target.set): \(patched.text)")
                    } else {
                        rowID = try created(try await client.send("POST", "\(api)/\(table.set)", json: .object(body)))
                    }
                    let read = try await client.send("GET", "\(api)/\(table.set)(\(rowID ?? ""))?$select=_\(table.lookup)_value",
                                                     headers: ["Prefer": "odata.include-annotations=\"*\""])
                    #expect(read.json?["_\(table.lookup)_value"]?.stringValue == target.id, "\(table.set) -> \(target.set)")
                    #expect(read.json?["_\(table.lookup)_value@\(Self.lookupLogicalName)"]?.stringValue == target.logical)
                    #expect(read.json?["_\(table.lookup)_value@Microsoft.Dynamics.CRM.associatednavigationproperty"]?.stringValue
                            == table.navigation(target.logical))
                }
                // A bind whose navigation property names another table than the row it points at.
                var wrong = subject.objectValue ?? [:]
                wrong[table.navigation("contact") + "@odata.bind"] = .string("/accounts(\(targets[0].id))")
                let refused = try await client.send("POST", "\(api)/\(table.set)", json: .object(wrong))
                #expect(refused.status == 400, "\(table.set): \(refused.text)")
                // Clearing through any of the navigation properties clears the lookup.
                let cleared = try await client.send("PATCH", "\(api)/\(table.set)(\(rowID ?? ""))",
                                                    json: [table.navigation("account") + "@odata.bind": .null])
                #expect(cleared.status == 204)
                let read = try await client.send("GET", "\(api)/\(table.set)(\(rowID ?? ""))?$select=_\(table.lookup)_value")
                #expect(read.json?["_\(table.lookup)_value"] == .null, "\(table.set)")
            }
        }
    }

    @Test func includeAnnotationsSelectsTermsAndNamespaces() async throws {
        try await withServer(DataverseEmulator()) { client in
            let account = try created(try await client.send("POST", "\(api)/accounts", json: ["name": "Acme", "industrycode": 33]))
            let contact = try created(try await client.send("POST", "\(api)/contacts", json: [
                "lastname": "Lee", "parentcustomerid_account@odata.bind": .string("/accounts(\(account))"),
            ]))
            func read(_ prefer: String) async throws -> JSONValue? {
                try await client.send("GET", "\(api)/contacts(\(contact))?$select=_parentcustomerid_value,statecode",
                                      headers: ["Prefer": prefer]).json
            }
            let lookup = "_parentcustomerid_value@\(Self.lookupLogicalName)"
            let navigation = "_parentcustomerid_value@Microsoft.Dynamics.CRM.associatednavigationproperty"
            let formatted = "statecode@OData.Community.Display.V1.FormattedValue"
            let star = try await read("odata.include-annotations=\"*\"")
            #expect(star?[lookup] == "account" && star?[navigation] == "parentcustomerid_account" && star?[formatted] == "Active")
            let crm = try await read("odata.include-annotations=\"Microsoft.Dynamics.CRM.*\"")
            #expect(crm?[lookup] == "account" && crm?[navigation] != nil && crm?[formatted] == nil)
            let labels = try await read("odata.include-annotations=\"OData.Community.Display.V1.FormattedValue\"")
            #expect(labels?[lookup] == nil && labels?[formatted] == "Active")
            let both = try await read("odata.maxpagesize=10, odata.include-annotations=\"OData.Community.Display.V1.FormattedValue,\(Self.lookupLogicalName)\"")
            #expect(both?[lookup] == "account" && both?[formatted] == "Active" && both?[navigation] == nil)
            let except = try await read("odata.include-annotations=\"*,-OData.Community.Display.V1.FormattedValue\"")
            #expect(except?[lookup] == "account" && except?[formatted] == nil)
        }
    }
}

/// A person's merge in Dataverse, as the simulated user makes it: the subordinate's related
/// records are re-parented to the master, and its alternate key stays its own.
@Suite struct DataverseMergeTests {
    @Test func mergeReparentsActivitiesAndKeepsKeysApart() async throws {
        let emulator = DataverseEmulator()
        let store = emulator.control.store
        let (master, subordinate, task) = ("00000000-0000-0000-0000-00000000000a", "00000000-0000-0000-0000-00000000000b",
                                           "00000000-0000-0000-0000-00000000000c")
        store.transaction { tx in
            tx.create("contact", id: master, fields: ["lastname": "Lovelace", "statecode": 0], source: "CRM_UI")
            tx.create("contact", id: subordinate, fields: ["lastname": "Lovelace", "jobtitle": "Countess", "statecode": 0,
                                                           "new_concordid": "0123456789abcdef0123456789abcdef"], source: "CRM_UI")
            tx.create("task", id: task, fields: ["subject": "Call Ada", "regardingobjectid": .object(["type": "contact", "id": .string(subordinate)])],
                      source: "CRM_UI")
        }
        let profile = DriverProfile.dynamics(emulator)
        _ = try store.transaction { tx in try profile.merge("contact", master, subordinate, &tx) }
        #expect(store.get("task", task)?.fields["regardingobjectid"] == .object(["type": "contact", "id": .string(master)]),
                "the task is regarding the master now")
        let merged = try #require(store.get("contact", master))
        #expect(merged.fields["jobtitle"] == "Countess", "a blank of the master filled from the subordinate")
        #expect(merged.fields["new_concordid"] == nil, "the subordinate's alternate key is not the master's")
        // As Dataverse's Merge does: the subordinate is deactivated, not deleted, and says so.
        let retired = try #require(store.get("contact", subordinate), "the subordinate stays in the table")
        #expect(retired.fields["statecode"] == 1 && retired.fields["merged"] == .bool(true))
        try await withServer(emulator) { client in
            let row = try await client.send("GET", "/api/data/v9.2/contacts(\(subordinate))?$select=merged,_masterid_value,statecode")
            #expect(row.status == 200, "\(row.text)")
            #expect(row.json?["merged"] == .bool(true) && row.json?["_masterid_value"] == .string(master), "\(row.text)")
        }
    }
}
