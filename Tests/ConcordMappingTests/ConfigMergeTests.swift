import Foundation
import ConcordCore
import Testing
import ConcordMapping

@Suite("A configuration states only what differs from the defaults")
struct ConfigMergeTests {
    @Test func userFileOverridesOneKeyAndKeepsTheRest() throws {
        let config = try ConfigLoader.load(text: """
        version: 1
        crms:
          salesforce:
            base_url: https://acme.my.salesforce.com
            token_url: https://login.salesforce.com/services/oauth2/token
            credentials:
              client_id: {env: SF_CLIENT_ID}
              client_secret: {env: SF_CLIENT_SECRET}
            rate_limit: {daily_budget: 5000}
          hubspot:
            base_url: https://api.hubapi.com
            credentials: {token: {env: HUBSPOT_TOKEN}}
        objects:
          contact:
            fields:
              job_title: {type: string, max_length: 60, rule: {prefer: salesforce}}
        mappings:
          salesforce:
            contact:
              fields:
                job_title: {field: Title, max_length: 60}
        sync:
          poll_interval_seconds: 30
        """, file: "concord.yaml")
        #expect(config.crms.map(\.name) == ["salesforce", "hubspot"])
        let sf = try #require(config.crms.first)
        #expect(sf.kind == .salesforce)
        #expect(sf.credentials["client_secret"] == .environment("SF_CLIENT_SECRET"))
        #expect(sf.rateLimit.dailyBudget == 5000)
        #expect(sf.rateLimit.requests == RateLimit.defaults(for: .salesforce).requests)
        #expect(config.crms[1].rateLimit == RateLimit.defaults(for: .hubspot))
        let title = try #require(config.object("contact")?.field("job_title"))
        #expect(title.maxLength == 60)
        #expect(title.rule == .prefer("salesforce"))
        // Untouched defaults survive the merge.
        #expect(config.object("contact")?.field("email")?.type == .email)
        #expect(config.mapping(crm: "salesforce", object: "contact")?.field("email")?.crmField == "Email")
        #expect(config.mapping(crm: "salesforce", object: "contact")?.crmObject == "Contact")
        #expect(config.sync.pollIntervalSeconds == 30)
        #expect(config.sync.objects["contact"]?.matchKeys == ["email"])
        #expect(config.activeCRMs == ["salesforce", "hubspot"])
    }

    @Test func aTransformIsReplacedWholeNotMergedWithTheDefaultTable() throws {
        let config = try ConfigLoader.load(text: """
        mappings:
          hubspot:
            deal:
              fields:
                stage:
                  field: dealstage
                  transform: {kind: picklist, values: {prospecting: "1001", closed_won: "1002"}, unmapped: pass-through}
        """, file: "concord.yaml")
        guard case .picklist(let t)? = config.mapping(crm: "hubspot", object: "deal")?.field("stage")?.transform else {
            Issue.record("no picklist"); return
        }
        #expect(t.outbound.map(\.crm) == ["1001", "1002"])
        #expect(t.inbound == ["1001": "prospecting", "1002": "closed_won"])
        #expect(t.unmapped == .passThrough)
    }

    @Test func nullRemovesADefaultMapping() throws {
        let config = try ConfigLoader.load(text: """
        mappings:
          hubspot:
            contact:
              fields:
                mobile_phone: ~
        """, file: "concord.yaml")
        #expect(config.mapping(crm: "hubspot", object: "contact")?.field("mobile_phone") == nil)
        #expect(config.mapping(crm: "hubspot", object: "contact")?.field("phone") != nil)
    }

    @Test func customFieldsInEachCRM() throws {
        let config = try ConfigLoader.load(text: """
        objects:
          contact:
            fields:
              company_name: {type: string, max_length: 255}
              interests: {type: multipicklist, values: [golf, sailing, chess]}
        mappings:
          salesforce:
            contact:
              fields:
                company_name: Company__c
                interests: Interests__c
          hubspot:
            contact:
              fields:
                company_name: company
                interests: {field: interests, transform: {kind: multiselect, separator: ";"}}
          dynamics:
            contact:
              fields:
                company_name: {field: new_companyname, max_length: 100}
                interests:
                  field: new_interests
                  transform: {kind: multiselect, integers: true, values: {golf: 100000000, sailing: 100000001, chess: 100000002}}
        """, file: "concord.yaml")
        let mapper = RecordMapper(config: config)
        let v: [String: Value] = ["company_name": .string("Acme"), "interests": .multiSelect(["chess", "golf"])]
        #expect(try mapper.outbound(crm: "salesforce", object: "contact", values: v).fields
                == ["Company__c": .string("Acme"), "Interests__c": .string("chess;golf")])
        #expect(try mapper.outbound(crm: "dynamics", object: "contact", values: v).fields
                == ["new_companyname": .string("Acme"), "new_interests": .string("100000000,100000002")])
        let back = try mapper.inbound(crm: "dynamics", object: "contact",
                                      raw: ["new_companyname": .string("Acme"), "new_interests": .string("100000002,100000000")])
        #expect(back.values == v)
        #expect(back.failures.isEmpty)
    }

    @Test func customObjectsMapOntoEachCRMsCustomObject() throws {
        let config = try ConfigLoader.load(text: """
        objects:
          project:
            fields:
              name: {type: string, required: true}
              budget: {type: currency, scale: 2}
              client: {type: reference(company)}
              kickoff: {type: date}
        mappings:
          salesforce:
            project:
              object: Project__c
              fields: {name: Name, budget: Budget__c, client: Client__c, kickoff: Kickoff__c}
          hubspot:
            project:
              object: 2-1234567
              fields: {name: project_name, budget: budget, client: associations.companies, kickoff: kickoff}
          dynamics:
            project:
              object: new_projects
              fields:
                name: new_name
                budget: {field: new_budget, transform: {kind: decimal, scale: 2}}
                kickoff: new_kickoff
                client: {field: _new_clientid_value, write_field: new_ClientId@odata.bind, transform: {kind: reference, bind: "/accounts({id})"}}
        sync:
          objects:
            project: {delete: ignore, match: [name]}
        """, file: "concord.yaml")
        #expect(config.mapping(crm: "hubspot", object: "project")?.crmObject == "2-1234567")
        let dv = try #require(config.mapping(crm: "dynamics", object: "project")?.field("client"))
        #expect(dv.writeField == "new_ClientId@odata.bind")
        #expect(config.sync.objects["project"]?.deletePolicy == .ignore)
        var links = TableReferenceResolver()
        let acme = RecordID(high: 7, low: 7)
        links.link(crm: "dynamics", object: "company", externalID: "aaaa-1", to: acme)
        let mapper = RecordMapper(config: config, resolver: links)
        let out = try mapper.outbound(crm: "dynamics", object: "project",
                                      values: ["name": .string("Apollo"), "budget": .decimal(try #require(ExactDecimal("1200.5"))),
                                               "client": .reference(acme)])
        #expect(out.fields == ["new_name": .string("Apollo"), "new_budget": .number("1200.50"),
                               "new_ClientId@odata.bind": .string("/accounts(aaaa-1)")])
    }

    @Test func ownersMapThroughUserTables() throws {
        let config = try ConfigLoader.load(text: """
        objects:
          contact:
            fields:
              owner: {type: picklist, values: [ann@acme.com, bob@acme.com]}
        mappings:
          salesforce:
            contact:
              fields:
                owner:
                  field: OwnerId
                  transform: {kind: picklist, values: {ann@acme.com: 005000000000001AAA, bob@acme.com: 005000000000002AAA}}
          hubspot:
            contact:
              fields:
                owner: {field: hubspot_owner_id, transform: {kind: picklist, values: {ann@acme.com: "101", bob@acme.com: "102"}}}
        """, file: "concord.yaml")
        let mapper = RecordMapper(config: config)
        let read = try mapper.inbound(crm: "hubspot", object: "contact", raw: ["hubspot_owner_id": .string("102")])
        #expect(read.values == ["owner": .string("bob@acme.com")])
        #expect(try mapper.outbound(crm: "salesforce", object: "contact", values: read.values).fields
                == ["OwnerId": .string("005000000000002AAA")])
        // An owner nobody mapped is not guessed: the change is rejected with the value.
        let outcome = MappingPipeline(config: config).inbound(crm: "hubspot", object: "contact", recordKey: "1",
                                                              raw: ["hubspot_owner_id": .string("999")], isCreate: false)
        guard case .rejected(let f) = outcome else { Issue.record("accepted"); return }
        #expect(f.first?.rule == .restrictedPicklist)
        #expect(f.first?.values == ["owner": "\"999\""])
    }

    @Test func aSecondOrgOfOneKindInheritsThatKindsMappings() throws {
        let config = try ConfigLoader.load(text: """
        crms:
          sf-eu:
            kind: salesforce
            base_url: https://acme-eu.my.salesforce.com
        mappings:
          sf-eu:
            contact:
              fields:
                job_title: {field: Job_Title_EU__c, max_length: 64}
        """, file: "concord.yaml")
        let m = try #require(config.mapping(crm: "sf-eu", object: "contact"))
        #expect(m.kind == .salesforce)
        #expect(m.crmObject == "Contact")
        #expect(m.field("email")?.crmField == "Email")
        #expect(m.field("job_title")?.crmField == "Job_Title_EU__c")
        #expect(config.mapping(crm: "salesforce", object: "contact")?.field("job_title")?.crmField == "Title")
        #expect(config.activeCRMs == ["sf-eu"])
    }
}

@Suite("The documented example configuration")
struct ExampleConfigTests {
    @Test func exampleFileLoadsAndMeansWhatItSays() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../docs/concord.example.yaml").standardized.path
        let config = try ConfigLoader.load(path: path)
        #expect(config.crms.map(\.kind) == [.salesforce, .hubspot, .dynamics])
        #expect(config.crms[2].credentials["tenant_id"] == .environment("DV_TENANT"))
        #expect(config.object("contact")?.field("job_title")?.rule == .prefer("salesforce"))
        #expect(config.mapping(crm: "hubspot", object: "contact")?.field("mobile_phone") == nil)
        #expect(config.mapping(crm: "hubspot", object: "contact")?.field("phone")?.transform == .phone(country: "GB"))
        #expect(config.sync.pollIntervalSeconds == 120)
    }
}

@Suite("Configuration warnings")
struct ConfigLintTests {
    @Test func warnsAboutUnsetVariablesLiteralSecretsUnusedRuleCRMsAndUnmappedMatchKeys() throws {
        let config = try ConfigLoader.load(text: """
        crms:
          salesforce:
            base_url: https://acme.my.salesforce.com
            credentials: {client_id: {env: SF_ID}, client_secret: s3cret}
          hubspot:
            base_url: https://api.hubapi.com
            credentials: {token: {env: HS_TOKEN}}
        objects:
          contact:
            fields:
              job_title: {type: string, rule: {prefer: dynamics}}
        """, file: "concord.yaml")
        let w = ConfigLint.warnings(config, environment: ["HS_TOKEN": "x"])
        #expect(w.contains("crms.salesforce.credentials.client_id: environment variable SF_ID is not set"))
        #expect(w.contains("crms.salesforce.credentials.client_secret: a secret is written in the file; prefer {env: NAME}"))
        #expect(!w.contains { $0.contains("HS_TOKEN") })
        #expect(w.contains { $0.hasPrefix("objects.contact.fields.job_title: rule prefer dynamics unless blank names a CRM") })
        #expect(w.contains("sync.objects.company.match: domain is not mapped in salesforce; new salesforce records match by external id only"))
        #expect(!w.contains { $0.contains("contact.match") })
    }
}

@Suite("One canonical field, several CRM fields")
struct CopyToTests {
    @Test func hubSpotMeetingsWriteTheStartTimeToHsTimestampToo() throws {
        let config = try ConfigLoader.defaults()
        let out = try RecordMapper(config: config).outbound(crm: "hubspot", object: "meeting",
                                                            values: ["start_at": .dateTime(utc(2024, 5, 1, 9))])
        #expect(out.fields == ["hs_meeting_start_time": .string("2024-05-01T09:00:00.000Z"),
                               "hs_timestamp": .string("2024-05-01T09:00:00.000Z")])
        #expect(config.mapping(crm: "hubspot", object: "deal")?.discriminator == ["pipeline": "default"])
        let e = configError("""
        mappings:
          hubspot:
            meeting:
              fields:
                end_at: {field: hs_meeting_end_time, copy_to: [hs_timestamp]}
        """)
        #expect(e?.code == .conflict)
        #expect(e?.message.contains("hs_timestamp is already written by start_at") == true)
    }
}
