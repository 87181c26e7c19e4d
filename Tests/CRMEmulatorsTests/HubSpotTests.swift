import CRMEmulators
import Foundation
import Testing

@Suite struct HubSpotTests {
    static func unlimited() -> HubSpotEmulator {
        let emulator = HubSpotEmulator()
        var patch = FaultSettings.Patch()
        patch.rateLimitsEnabled = false
        emulator.control.applyFaults(patch)
        return emulator
    }

    @Test func crudListPagingAndHistory() async throws {
        try await withServer(Self.unlimited()) { client in
            let base = "/crm/v3/objects/contacts"
            var ids: [String] = []
            for i in 0..<25 {
                let reply = try await client.send("POST", base, json: ["properties": ["email": .string("p\(i)@x.com"), "firstname": "Ann"]])
                #expect(reply.status == 201)
                ids.append(try #require(reply.json?["id"]?.stringValue))
            }
            #expect(ids.allSatisfy { Int64($0) != nil })
            var seen: [String] = []
            var after: String?
            for _ in 0..<10 {
                let reply = try await client.send("GET", "\(base)?limit=10&properties=email&properties=firstname&archived=False" + (after.map { "&after=\($0)" } ?? ""))
                let results = reply.json?["results"]?.arrayValue ?? []
                seen += results.compactMap { $0["id"]?.stringValue }
                #expect(results.first?["properties"]?["lastmodifieddate"] != nil)
                after = reply.json?["paging"]?["next"]?["after"]?.stringValue
                if after == nil { break }
            }
            #expect(seen == ids)
            let patched = try await client.send("PATCH", "\(base)/\(ids[0])", json: ["properties": ["firstname": "Bea"]])
            #expect(patched.status == 200)
            let read = try await client.send("GET", "\(base)/\(ids[0])?propertiesWithHistory=firstname")
            let history = read.json?["propertiesWithHistory"]?["firstname"]?.arrayValue ?? []
            #expect(history.map { $0["value"] } == ["Bea", "Ann"])
            let byEmail = try await client.send("GET", "\(base)/p3@x.com?idProperty=email")
            #expect(byEmail.json?["id"]?.stringValue == ids[3])
            let conflict = try await client.send("POST", base, json: ["properties": ["email": "p1@x.com"]])
            #expect(conflict.status == 409)
            #expect(conflict.json?["category"] == "CONFLICT")
            let unknown = try await client.send("POST", base, json: ["properties": ["nope": "1"]])
            #expect(unknown.status == 400)
            #expect(unknown.json?["category"] == "VALIDATION_ERROR")
            let badOption = try await client.send("POST", base, json: ["properties": ["lifecyclestage": "bogus"]])
            #expect(badOption.json?["errors"]?.arrayValue?.first?["code"] == "INVALID_OPTION")
            #expect(try await client.send("DELETE", "\(base)/\(ids[1])").status == 204)
            let archived = try await client.send("GET", "\(base)?archived=true")
            #expect(archived.json?["results"]?.arrayValue?.first?["archived"] == true)
            #expect(archived.json?["results"]?.arrayValue?.first?["archivedAt"] != nil)
            #expect(try await client.send("GET", "/crm/objects/2026-03/contacts/\(ids[0])").json?["id"]?.stringValue == ids[0])
            let company = try await client.send("POST", "/crm/v3/objects/companies", json: ["properties": ["name": "Acme"]])
            #expect(company.json?["properties"]?["hs_lastmodifieddate"] != nil)
        }
    }

    @Test func batchPartialFailureIs207() async throws {
        try await withServer(Self.unlimited()) { client in
            let created = try await client.send("POST", "/crm/v3/objects/contacts/batch/create", json: ["inputs": [
                ["properties": ["email": "a@x.com"]], ["properties": ["email": "b@x.com"]],
            ]])
            #expect(created.status == 201)
            let ids = created.json?["results"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
            #expect(ids.count == 2)
            let read = try await client.send("POST", "/crm/v3/objects/contacts/batch/read", json: [
                "properties": ["email"], "inputs": [["id": .string(ids[0])], ["id": "999"]],
            ])
            #expect(read.status == 207)
            #expect(read.json?["numErrors"] == 1)
            #expect(read.json?["errors"]?.arrayValue?.first?["category"] == "OBJECT_NOT_FOUND")
            let upsert = try await client.send("POST", "/crm/v3/objects/contacts/batch/upsert", json: ["inputs": [
                ["id": "a@x.com", "idProperty": "email", "properties": ["firstname": "A"]],
                ["id": "c@x.com", "idProperty": "email", "properties": ["firstname": "C"]],
            ]])
            #expect(upsert.status == 200)
            #expect(upsert.json?["results"]?.arrayValue?.compactMap { $0["new"]?.boolValue }.sorted { !$0 && $1 } == [false, true])
            let tooMany = try await client.send("POST", "/crm/v3/objects/contacts/batch/read", json: ["inputs": .array((0..<101).map { ["id": .string(String($0))] })])
            #expect(tooMany.status == 400)
        }
    }

    @Test func searchFiltersSortsAndCap() async throws {
        let emulator = Self.unlimited()
        emulator.control.store.transaction { tx in
            for i in 0..<10_050 { tx.create("contacts", id: String(1000 + i), fields: ["email": .string("s\(i)@x.com"), "firstname": i % 2 == 0 ? "Even" : "Odd"]) }
        }
        try await withServer(emulator) { client in
            let path = "/crm/v3/objects/contacts/search"
            let filtered = try await client.send("POST", path, json: [
                "filterGroups": [["filters": [["propertyName": "firstname", "operator": "EQ", "value": "odd"]]]],
                "sorts": [["propertyName": "lastmodifieddate", "direction": "ASCENDING"]], "limit": 200,
            ])
            #expect(filtered.json?["total"] == 5025)
            #expect(filtered.json?["paging"]?["next"]?["after"] == "200")
            let last = try await client.send("POST", path, json: ["limit": 200, "after": "9800"])
            #expect(last.status == 200)
            #expect(last.json?["paging"]?["next"]?["after"] == "10000")
            let beyond = try await client.send("POST", path, json: ["limit": 200, "after": "10000"])
            #expect(beyond.status == 400)
            #expect(beyond.json?["category"] == "VALIDATION_ERROR")
        }
    }

    @Test func rateLimitGives429WithHeaders() async throws {
        let emulator = HubSpotEmulator(limits: [RateLimit(name: "TEN_SECONDLY_ROLLING", limit: 3, windowMs: 60_000)])
        try await withServer(emulator) { client in
            for _ in 0..<3 {
                let ok = try await client.send("GET", "/crm/v3/objects/contacts")
                #expect(ok.status == 200)
                #expect(ok.header("X-HubSpot-RateLimit-Max") == "3")
            }
            let limited = try await client.send("GET", "/crm/v3/objects/contacts")
            #expect(limited.status == 429)
            #expect(limited.json?["category"] == "RATE_LIMITS")
            #expect(limited.json?["policyName"] == "TEN_SECONDLY_ROLLING")
            #expect(limited.header("X-HubSpot-RateLimit-Remaining") == "0")
            #expect(limited.header("Retry-After") != nil)
        }
    }

    @Test func associationsMergeAndOAuthRefresh() async throws {
        try await withServer(Self.unlimited()) { client in
            let a = try await client.send("POST", "/crm/v3/objects/contacts", json: ["properties": ["email": "m1@x.com", "firstname": "M"]])
            let b = try await client.send("POST", "/crm/v3/objects/contacts", json: ["properties": ["email": "m2@x.com", "lastname": "Two"]])
            let c = try await client.send("POST", "/crm/v3/objects/companies", json: ["properties": ["name": "Acme"]])
            let (aID, bID, cID) = (a.json?["id"]?.stringValue ?? "", b.json?["id"]?.stringValue ?? "", c.json?["id"]?.stringValue ?? "")
            #expect(try await client.send("PUT", "/crm/v4/objects/contacts/\(bID)/associations/default/companies/\(cID)").status == 200)
            let fromCompany = try await client.send("GET", "/crm/v4/objects/companies/\(cID)/associations/contacts")
            #expect(fromCompany.json?["results"]?.arrayValue?.first?["toObjectId"]?.stringValue == bID)
            #expect(fromCompany.json?["results"]?.arrayValue?.first?["associationTypes"]?.arrayValue?.first?["typeId"] == 280)
            let merged = try await client.send("POST", "/crm/v3/objects/contacts/merge", json: ["primaryObjectId": .string(aID), "objectIdToMerge": .string(bID)])
            #expect(merged.status == 200)
            let after = try await client.send("GET", "/crm/v3/objects/contacts/\(aID)?properties=lastname,hs_merged_object_ids")
            #expect(after.json?["properties"]?["lastname"] == "Two")
            #expect(after.json?["properties"]?["hs_merged_object_ids"]?.stringValue == bID)
            let moved = try await client.send("GET", "/crm/v4/objects/contacts/\(aID)/associations/companies")
            #expect(moved.json?["results"]?.arrayValue?.count == 1)
            let form = "grant_type=authorization_code&client_id=hs-client-id&client_secret=hs-client-secret&code=abc&redirect_uri=http://x"
            let token = try await client.send("POST", "/oauth/v1/token", body: Data(form.utf8))
            let refresh = try #require(token.json?["refresh_token"]?.stringValue)
            let refreshed = try await client.send("POST", "/oauth/v1/token", body: Data("grant_type=refresh_token&client_id=hs-client-id&client_secret=hs-client-secret&refresh_token=\(refresh)".utf8))
            var oauthClient = client
            oauthClient.token = try #require(refreshed.json?["access_token"]?.stringValue)
            #expect(try await oauthClient.send("GET", "/crm/v3/objects/contacts").status == 200)
            let prop = try await client.send("POST", "/crm/v3/properties/contacts", json: ["name": "favorite_color", "label": "Favorite", "type": "enumeration", "fieldType": "select", "groupName": "contactinformation", "options": [["label": "Red", "value": "red"]]])
            #expect(prop.status == 201)
            #expect(try await client.send("PATCH", "/crm/v3/objects/contacts/\(aID)", json: ["properties": ["favorite_color": "red"]]).status == 200)
            #expect(try await client.send("PATCH", "/crm/v3/objects/contacts/\(aID)", json: ["properties": ["favorite_color": "blue"]]).status == 400)
        }
    }
}
