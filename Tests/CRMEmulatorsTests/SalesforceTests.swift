import CRMEmulators
import Foundation
import Testing

@Suite struct SalesforceTests {
    @Test func tokenEndpointClientCredentialsAndJWT() async throws {
        try await withServer(SalesforceEmulator()) { client in
            let basic = Data("sf-client-id:sf-client-secret".utf8).base64EncodedString()
            let reply = try await client.send("POST", "/services/oauth2/token", body: Data("grant_type=client_credentials".utf8),
                                              headers: ["Authorization": "Basic \(basic)", "Content-Type": "application/x-www-form-urlencoded"])
            #expect(reply.status == 200)
            let token = try #require(reply.json?["access_token"]?.stringValue)
            #expect(reply.json?["instance_url"]?.stringValue == client.baseURL)
            #expect(reply.json?["issued_at"] != nil)
            var authed = client
            authed.token = token
            #expect(try await authed.send("GET", "/services/data/v59.0/sobjects").status == 200)
            let payload = Data(#"{"iss":"sf-client-id","sub":"user@example.com","aud":"https://login.salesforce.com"}"#.utf8)
                .base64EncodedString().replacingOccurrences(of: "=", with: "")
            let jwt = "eyJhbGciOiJSUzI1NiJ9.\(payload).c2ln"
            let jwtReply = try await client.send("POST", "/services/oauth2/token",
                body: Data("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=\(jwt)".utf8))
            #expect(jwtReply.status == 200)
            let bad = try await client.send("POST", "/services/oauth2/token", body: Data("grant_type=password".utf8))
            #expect(bad.status == 400)
            #expect(bad.json?["error"]?.stringValue == "unsupported_grant_type")
            var wrong = client
            wrong.token = "nope"
            let unauthorised = try await wrong.send("GET", "/services/data/v59.0/sobjects")
            #expect(unauthorised.status == 401)
            #expect(unauthorised.json?.arrayValue?.first?["errorCode"]?.stringValue == "INVALID_SESSION_ID")
        }
    }

    @Test func crudUpsertAndErrors() async throws {
        try await withServer(SalesforceEmulator()) { client in
            let base = "/services/data/v59.0/sobjects/Contact"
            let created = try await client.send("POST", base, json: ["LastName": "Smith", "Email": "a@x.com"])
            #expect(created.status == 201)
            #expect(created.header("Sforce-Limit-Info")?.hasPrefix("api-usage=") == true)
            let id = try #require(created.json?["id"]?.stringValue)
            #expect(id.count == 18 && id.hasPrefix("003"))
            let read = try await client.send("GET", "\(base)/\(id)?fields=Id,LastName,SystemModstamp,IsDeleted")
            #expect(read.json?["LastName"] == "Smith")
            #expect(read.json?["IsDeleted"] == false)
            #expect(read.json?["SystemModstamp"]?.stringValue?.hasSuffix("+0000") == true)
            #expect(try await client.send("PATCH", "\(base)/\(id)", json: ["FirstName": "Ann"]).status == 204)
            let missing = try await client.send("POST", base, json: ["FirstName": "NoLast"])
            #expect(missing.status == 400)
            #expect(missing.json?.arrayValue?.first?["errorCode"] == "REQUIRED_FIELD_MISSING")
            let unknown = try await client.send("POST", base, json: ["LastName": "X", "Bogus__c": 1])
            #expect(unknown.json?.arrayValue?.first?["errorCode"] == "INVALID_FIELD")
            let long = try await client.send("POST", base, json: ["LastName": .string(String(repeating: "x", count: 81))])
            #expect(long.json?.arrayValue?.first?["errorCode"] == "STRING_TOO_LONG")
            let stage = try await client.send("POST", "/services/data/v59.0/sobjects/Opportunity",
                                              json: ["Name": "D", "StageName": "Bogus", "CloseDate": "2024-01-01"])
            #expect(stage.json?.arrayValue?.first?["errorCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST")
            let upsertNew = try await client.send("PATCH", "\(base)/External_Id__c/EXT-1", json: ["LastName": "Up"])
            #expect(upsertNew.status == 201)
            #expect(upsertNew.json?["created"] == true)
            let upsertOld = try await client.send("PATCH", "\(base)/External_Id__c/EXT-1", json: ["LastName": "Up2"])
            #expect(upsertOld.status == 200)
            #expect(upsertOld.json?["created"] == false)
            #expect(try await client.send("PATCH", "/services/data/v42.0/sobjects/Contact/External_Id__c/EXT-1", json: ["LastName": "Up3"]).status == 204)
            #expect(try await client.send("DELETE", "\(base)/\(id)").status == 204)
            #expect(try await client.send("GET", "\(base)/\(id)").status == 404)
            let all = try await client.send("GET", "/services/data/v59.0/queryAll/?q=SELECT+Id,IsDeleted+FROM+Contact+WHERE+IsDeleted+=+true")
            #expect(all.json?["totalSize"] == 1)
            let describe = try await client.send("GET", "\(base)/describe")
            #expect(describe.json?["fields"]?.arrayValue?.contains { $0["name"] == "LastName" } == true)
        }
    }

    @Test func accountETagsAndUnmodifiedSince() async throws {
        try await withServer(SalesforceEmulator()) { client in
            let base = "/services/data/v59.0/sobjects/Account"
            let id = try #require(try await client.send("POST", base, json: ["Name": "Tagged"]).json?["id"]?.stringValue)
            let read = try await client.send("GET", "\(base)/\(id)")
            let etag = try #require(read.header("ETag"))
            #expect(try await client.send("GET", "\(base)/\(id)", headers: ["If-None-Match": etag]).status == 304)
            #expect(try await client.send("PATCH", "\(base)/\(id)", json: ["Phone": "1"], headers: ["If-Match": etag]).status == 204)
            let stale = try await client.send("PATCH", "\(base)/\(id)", json: ["Phone": "2"], headers: ["If-Match": etag])
            #expect(stale.status == 412)
            #expect(stale.json?.arrayValue?.first?["errorCode"] == "PRECONDITION_FAILED")
            let old = try await client.send("PATCH", "\(base)/\(id)", json: ["Phone": "3"], headers: ["If-Unmodified-Since": "Thu, 08 Sep 2022 16:54:10 GMT"])
            #expect(old.status == 412)
            #expect(try await client.send("PATCH", "\(base)/\(id)", json: ["Phone": "4"], headers: ["If-Unmodified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"]).status == 204)
        }
    }
}
