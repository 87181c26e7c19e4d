import CRMEmulators
import ConcordMapping
import Foundation
import Testing

/// What a real org prepared for Concord has: Concord's external-id fields, and the objects and
/// fields the shipped default mappings use.
@Suite struct InstalledSchemaTests {
    let sf = "/services/data/v59.0"
    let dv = "/api/data/v9.2"

    @Test func salesforceConcordIdIsAnExternalIdOnEveryCustomizableObject() async throws {
        try await withServer(SalesforceEmulator()) { client in
            for object in ["Account", "Contact", "Opportunity", "Task", "Event"] {
                let describe = try await client.send("GET", "\(sf)/sobjects/\(object)/describe")
                let field = try #require(describe.json?["fields"]?.arrayValue?.first { $0["name"] == "Concord_Id__c" }, "\(object)")
                #expect(field["externalId"] == true)
                #expect(field["unique"] == true)
                #expect(field["custom"] == true)
                #expect(field["length"] == 32)
            }
            let note = try await client.send("GET", "\(sf)/sobjects/Note/describe")
            #expect(note.status == 200)
            #expect(note.json?["fields"]?.arrayValue?.contains { $0["name"] == "Concord_Id__c" } == false)
            let upsert = try await client.send("PATCH", "\(sf)/sobjects/Account/Concord_Id__c/0123456789abcdef0123456789abcdef", json: ["Name": "Acme"])
            #expect(upsert.status == 201)
            let again = try await client.send("PATCH", "\(sf)/sobjects/Account/Concord_Id__c/0123456789abcdef0123456789abcdef", json: ["Name": "Acme 2"])
            #expect(again.status == 204 || again.status == 200)
            let query = try await client.send("GET", "\(sf)/query?q=" + "SELECT Id, Name FROM Account WHERE Concord_Id__c = '0123456789abcdef0123456789abcdef'"
                .addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
            #expect(query.json?["totalSize"] == 1)
            #expect(query.json?["records"]?.arrayValue?.first?["Name"] == "Acme 2")
            let tooLong = try await client.send("POST", "\(sf)/sobjects/Contact", json: ["LastName": "X", "Concord_Id__c": .string(String(repeating: "a", count: 33))])
            #expect(tooLong.json?.arrayValue?.first?["errorCode"] == "STRING_TOO_LONG")
        }
    }

    @Test func salesforceActivitiesDeriveAccountAndNotesExist() async throws {
        try await withServer(SalesforceEmulator()) { client in
            let account = try #require(try await client.send("POST", "\(sf)/sobjects/Account", json: ["Name": "Acme"]).json?["id"]?.stringValue)
            let contact = try #require(try await client.send("POST", "\(sf)/sobjects/Contact", json: ["LastName": "Lee", "AccountId": .string(account)]).json?["id"]?.stringValue)
            let task = try await client.send("POST", "\(sf)/sobjects/Task", json: [
                "Subject": "Call", "Status": "Completed", "Priority": "Normal", "TaskSubtype": "Call", "CallType": "Outbound", "WhoId": .string(contact),
            ])
            #expect(task.status == 201)
            let taskID = try #require(task.json?["id"]?.stringValue)
            let read = try await client.send("GET", "\(sf)/sobjects/Task/\(taskID)?fields=AccountId,CallType,CompletedDateTime")
            #expect(read.json?["AccountId"] == .string(account))
            #expect(read.json?["CompletedDateTime"]?.stringValue?.hasSuffix("+0000") == true)
            let defaulted = try await client.send("POST", "\(sf)/sobjects/Task", json: ["Subject": "Todo"])
            let defaultedID = try #require(defaulted.json?["id"]?.stringValue)
            let todo = try await client.send("GET", "\(sf)/sobjects/Task/\(defaultedID)?fields=Status,Priority,CompletedDateTime,AccountId")
            #expect(todo.json?["Status"] == "Not Started" && todo.json?["Priority"] == "Normal")
            #expect(todo.json?["CompletedDateTime"] == .null && todo.json?["AccountId"] == .null)
            let taskFields = try await client.send("GET", "\(sf)/sobjects/Task/describe").json?["fields"]?.arrayValue ?? []
            let priority = try #require(taskFields.first { $0["name"] == "Priority" })
            #expect(priority["defaultedOnCreate"] == true)
            #expect(priority["picklistValues"]?.arrayValue?.first { $0["defaultValue"] == true }?["value"] == "Normal")
            #expect(taskFields.first { $0["name"] == "CompletedDateTime" }?["updateable"] == false)
            #expect(read.json?["CallType"] == "Outbound")
            let readOnly = try await client.send("PATCH", "\(sf)/sobjects/Task/\(taskID)", json: ["AccountId": .string(account)])
            #expect(readOnly.status == 400)
            let event = try await client.send("POST", "\(sf)/sobjects/Event", json: [
                "Subject": "Lunch", "StartDateTime": "2026-01-05T12:00:00.000+0000", "EndDateTime": "2026-01-05T13:00:00.000+0000",
                "IsAllDayEvent": false, "WhatId": .string(account), "Concord_Id__c": "e1",
            ])
            #expect(event.status == 201)
            let eventRead = try await client.send("GET", "\(sf)/sobjects/Event/Concord_Id__c/e1")
            #expect(eventRead.json?["AccountId"] == .string(account))
            let note = try await client.send("POST", "\(sf)/sobjects/Note", json: ["Title": "Hi", "Body": "Text", "ParentId": .string(account)])
            #expect(note.status == 201)
            let noteID = try #require(note.json?["id"]?.stringValue)
            #expect(noteID.hasPrefix("002"))
            let notes = try await client.send("GET", "\(sf)/query?q=" + "SELECT Id, Title, Body, ParentId FROM Note"
                .addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
            #expect(notes.json?["records"]?.arrayValue?.first?["Body"] == "Text")
            let reparent = try await client.send("PATCH", "\(sf)/sobjects/Note/\(noteID)", json: ["ParentId": .string(contact)])
            #expect(reparent.json?.arrayValue?.first?["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE")
            #expect(try await client.send("PATCH", "\(sf)/sobjects/Note/\(noteID)", json: ["Body": "Edited"]).status == 204)
            let noteFields = try await client.send("GET", "\(sf)/sobjects/Note/describe").json?["fields"]?.arrayValue ?? []
            let parentField = try #require(noteFields.first { $0["name"] == "ParentId" })
            #expect(parentField["createable"] == true && parentField["updateable"] == false)
            let noParent = try await client.send("POST", "\(sf)/sobjects/Note", json: ["Title": "Orphan"])
            #expect(noParent.json?.arrayValue?.first?["errorCode"] == "REQUIRED_FIELD_MISSING")
            let noExternalID = try await client.send("PATCH", "\(sf)/sobjects/Note/Concord_Id__c/n1", json: ["Title": "X", "ParentId": .string(account)])
            #expect(noExternalID.status == 404)
        }
    }

    @Test func hubSpotConcordIdIsAUniqueIdProperty() async throws {
        try await withServer(HubSpotEmulator()) { client in
            for type in ["contacts", "companies", "deals", "calls", "emails", "meetings", "notes", "tasks"] {
                let property = try await client.send("GET", "/crm/v3/properties/\(type)/concord_id")
                #expect(property.status == 200, "\(type)")
                #expect(property.json?["hasUniqueValue"] == true)
                #expect(property.json?["type"] == "string")
            }
            let upsert = try await client.send("POST", "/crm/v3/objects/companies/batch/upsert", json: ["inputs": [
                ["id": "c0ffee00c0ffee00c0ffee00c0ffee00", "idProperty": "concord_id", "properties": ["name": "Acme", "website": "https://acme.example"]],
            ]])
            #expect(upsert.status == 200)
            #expect(upsert.json?["results"]?.arrayValue?.first?["new"] == true)
            let second = try await client.send("POST", "/crm/v3/objects/companies/batch/upsert", json: ["inputs": [
                ["id": "c0ffee00c0ffee00c0ffee00c0ffee00", "idProperty": "concord_id", "properties": ["name": "Acme Ltd"]],
            ]])
            #expect(second.json?["results"]?.arrayValue?.first?["new"] == false)
            let read = try await client.send("GET", "/crm/v3/objects/companies/c0ffee00c0ffee00c0ffee00c0ffee00?idProperty=concord_id&properties=name,website")
            #expect(read.json?["properties"]?["name"] == "Acme Ltd")
            #expect(read.json?["properties"]?["website"] == "https://acme.example")
            let meeting = try await client.send("POST", "/crm/v3/objects/meetings", json: ["properties": [
                "hs_meeting_title": "Lunch", "hs_meeting_location": "Cafe", "hs_timestamp": "2026-01-05T12:00:00Z", "concord_id": "m1",
            ]])
            #expect(meeting.status == 201)
            let duplicate = try await client.send("POST", "/crm/v3/objects/meetings", json: ["properties": ["hs_timestamp": "2026-01-05T12:00:00Z", "concord_id": "m1"]])
            #expect(duplicate.status == 409 || duplicate.status == 400)
        }
    }

    @Test func dataverseConcordIdIsAnAlternateKeyAndNotesAndAppointmentsExist() async throws {
        try await withServer(DataverseEmulator()) { client in
            for entity in ["account", "contact", "opportunity", "task", "phonecall", "email", "appointment"] {
                let keys = try await client.send("GET", "\(dv)/EntityDefinitions(LogicalName='\(entity)')/Keys")
                #expect(keys.json?["value"]?.arrayValue?.contains { $0["KeyAttributes"] == ["new_concordid"] } == true, "\(entity)")
                let attribute = try await client.send("GET", "\(dv)/EntityDefinitions(LogicalName='\(entity)')/Attributes(LogicalName='new_concordid')")
                #expect(attribute.json?["MaxLength"] == 32)
            }
            let upsert = try await client.send("PATCH", "\(dv)/accounts(new_concordid='c1')", json: ["name": "Acme"])
            #expect(upsert.status == 204)
            let account = try await client.send("GET", "\(dv)/accounts(new_concordid='c1')?$select=name,accountid")
            #expect(account.json?["name"] == "Acme")
            let accountID = try #require(account.json?["accountid"]?.stringValue)
            let call = try await client.send("PATCH", "\(dv)/phonecalls(new_concordid='p1')", json: ["subject": "Call"])
            #expect(call.status == 204)
            let callRead = try await client.send("GET", "\(dv)/phonecalls(new_concordid='p1')?$select=prioritycode,statecode")
            #expect(callRead.json?["prioritycode"] == 1 && callRead.json?["statecode"] == 0)
            let meeting = try await client.send("PATCH", "\(dv)/appointments(new_concordid='a1')", json: [
                "subject": "Lunch", "location": "Cafe", "isalldayevent": false, "scheduledstart": "2026-01-05T12:00:00Z",
                "regardingobjectid_account_appointment@odata.bind": .string("/accounts(\(accountID))"),
            ])
            #expect(meeting.status == 204)
            let note = try await client.send("POST", "\(dv)/annotations?$select=subject,_objectid_value,objecttypecode", json: [
                "subject": "Hi", "notetext": "Text", "objectid_account@odata.bind": .string("/accounts(\(accountID))"),
            ], headers: ["Prefer": "return=representation"])
            #expect(note.status == 201)
            #expect(note.json?["_objectid_value"] == .string(accountID))
            #expect(note.json?["objecttypecode"] == "account")
            let noKey = try await client.send("PATCH", "\(dv)/annotations(new_concordid='n1')", json: ["subject": "X"])
            #expect(noKey.status == 400)
            let unknownColumn = try await client.send("GET", "\(dv)/annotations?$select=subject,new_concordid")
            #expect(unknownColumn.status == 400)
            #expect(unknownColumn.json?["error"]?["message"]?.stringValue?.contains("new_concordid") == true)
        }
    }

    @Test func seededWorldsHaveNotesMeetingsAndLoggedCalls() {
        let world = SyntheticWorld.generate(seed: 3, options: .init(size: 60))
        let salesforce = SalesforceEmulator(seed: 3)
        salesforce.seed(world)
        let notes = salesforce.control.store.all("Note")
        #expect(!notes.isEmpty)
        #expect(notes.allSatisfy { $0.fields["ParentId"]?.stringValue != nil })
        let calls = salesforce.control.store.all("Task").filter { $0.fields["TaskSubtype"] == "Call" }
        #expect(!calls.isEmpty && calls.allSatisfy { $0.fields["CompletedDateTime"] != nil && $0.fields["Status"] == "Completed" })
        let dataverse = DataverseEmulator(seed: 3)
        dataverse.seed(world)
        #expect(!dataverse.control.store.all("annotation").isEmpty)
        #expect(!dataverse.control.store.all("appointment").isEmpty)
    }

    @Test func clusterConfigIsAValidConcordConfiguration() async throws {
        let cluster = try await EmulatorCluster.start(ClusterOptions(crms: ["salesforce", "hubspot", "dynamics"], records: 5))
        let yaml = cluster.configYAML
        await cluster.stop()
        let config = try ConfigLoader.load(text: yaml, file: "emulators.yaml")
        #expect(config.crms.map(\.name).sorted() == ["dynamics", "hubspot", "salesforce"])
        for crm in config.crms {
            #expect(crm.baseURL.hasPrefix("http://127.0.0.1:"))
            #expect(crm.tokenURL != nil)
            #expect(crm.credentials["client_id"] != nil && crm.credentials["client_secret"] != nil)
        }
        #expect(config.crms.first { $0.name == "hubspot" }?.credentials["token"] != nil)
    }
}
