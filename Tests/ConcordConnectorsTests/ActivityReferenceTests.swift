import ConcordConnectors
import ConcordCore
import ConcordHTTP
import ConcordMapping
import CRMEmulators
import Testing

/// Activities about a deal, a contact or a company, through the shipped mappings, each
/// connector and its emulator: what the mapper writes is accepted and reads back as the
/// projection of what was written (polymorphic groups in Salesforce and Dataverse, one
/// association per type in HubSpot).
@Suite struct ActivityReferenceTests {
    static let config: ConcordConfig = {
        do { return try ConfigLoader.defaults() } catch { fatalError("the shipped defaults do not load: \(error)") }
    }()
    static let activities = ["task", "call", "email", "meeting", "note"]
    static let targets = ["deal", "contact", "company"]

    static func rid(_ object: String) -> RecordID { RecordID(high: 0xAC, low: UInt64(targets.firstIndex(of: object) ?? 9) + 1) }

    /// Canonical values every activity needs besides its references.
    static func base(_ object: String) -> [String: Value] {
        let at = Value.dateTime(1_790_000_000_000)
        switch object {
        case "task": return ["subject": .string("Follow up"), "due_date": .date(CalendarDate(daysSinceEpoch: 20_700))]
        case "call": return ["subject": .string("Intro call"), "occurred_at": at]
        case "email": return ["subject": .string("Proposal"), "sent_at": at]
        case "meeting": return ["subject": .string("Demo"), "start_at": at, "end_at": .dateTime(1_790_001_800_000)]
        default: return ["title": .string("Met"), "body": .string("Met at the fair"), "noted_at": at]
        }
    }

    /// Creates one activity per case through `connector`: for each member of the reference
    /// group (or every reference when the CRM has no group), the earlier members blank and the
    /// later ones set; reads each back and checks it against the projection.
    static func roundTrip(_ connector: any CRMConnector, crm: String, linked: [String: String]) async throws -> Int {
        var links = TableReferenceResolver()
        for (object, id) in linked { links.link(crm: crm, object: object, externalID: id, to: rid(object)) }
        let mapper = RecordMapper(config: config, resolver: links)
        var checked = 0
        for object in activities {
            let m = try #require(config.mapping(crm: crm, object: object))
            let group = m.groups.first ?? []
            for chosen in group.isEmpty ? [nil] : group.map(Optional.some) {
                var values = base(object)
                for target in targets where m.field(target) != nil {
                    let blank = chosen.map { c in group.firstIndex(of: target).map { $0 < group.firstIndex(of: c)! } ?? false } ?? false
                    values[target] = blank ? .null : .reference(rid(target))
                }
                let out = try mapper.outbound(crm: crm, object: object, values: values, isCreate: true)
                #expect(out.failures.isEmpty, "\(crm) \(object): \(out.failures)")
                var fields = out.fields
                for (k, v) in m.discriminator where fields[k] == nil { fields[k] = .string(v) }
                let pushed = try await connector.push(object: m.crmObject, items: [PushItem(key: 1, operation: .create(fields: fields, upsertKey: nil))])
                let id: String
                switch pushed.first?.outcome {
                case .success(let created)?: id = created
                case .failure(let error)?: Issue.record("\(crm) \(object) about \(chosen ?? "all"): \(error)"); continue
                case nil: Issue.record("\(crm) \(object): no push result"); continue
                }
                var read: [String] = []
                for fm in m.fields where !read.contains(fm.crmField) { read.append(fm.crmField) }
                let record = try #require(try await connector.fetch(object: m.crmObject, ids: [id], fields: read).first)
                let back = try mapper.inbound(crm: crm, object: object, raw: record.fields)
                #expect(back.failures.isEmpty, "\(crm) \(object): \(back.failures)")
                let expected = m.projectGroups(values)
                for target in targets where m.field(target) != nil {
                    #expect(back.values[target] == expected[target], "\(crm) \(object).\(target), chosen \(chosen ?? "-"): \(record.fields)")
                }
                checked += 1
            }
        }
        return checked
    }

    static func created(_ results: [PushResult]) throws -> String {
        guard case .success(let id)? = results.first?.outcome else { throw ConnectorError(.validation, crm: "test", message: "create failed: \(results)") }
        return id
    }

    @Test func dataverseActivitiesRegardEachTable() async throws {
        try await EmulatorHarness.with(DataverseEmulator(limits: [])) { h in
            let dv = dynamicsConnector(h)
            func make(_ set: String, _ fields: [String: WireValue]) async throws -> String {
                try Self.created(try await dv.push(object: set, items: [PushItem(key: 1, operation: .create(fields: fields, upsertKey: nil))]))
            }
            let linked = [
                "company": try await make("accounts", ["name": .string("Acme")]),
                "contact": try await make("contacts", ["lastname": .string("Lee")]),
                "deal": try await make("opportunities", ["name": .string("Big")]),
            ]
            #expect(try await Self.roundTrip(dv, crm: "dynamics", linked: linked) == 15)
        }
    }

    @Test func salesforceActivitiesHangOffWhatIdAndParentId() async throws {
        try await EmulatorHarness.with(SalesforceEmulator(limits: [])) { h in
            let sf = SalesforceConnector(config: salesforceConfig(h.server.baseURL), http: h.http, environment: salesforceTestEnvironment)
            func make(_ object: String, _ fields: [String: WireValue]) async throws -> String {
                try Self.created(try await sf.push(object: object, items: [PushItem(key: 1, operation: .create(fields: fields, upsertKey: nil))]))
            }
            let company = try await make("Account", ["Name": .string("Acme")])
            let linked = [
                "company": company,
                "contact": try await make("Contact", ["LastName": .string("Lee"), "AccountId": .string(company)]),
                "deal": try await make("Opportunity", ["Name": .string("Big"), "StageName": .string("Prospecting"), "CloseDate": .string("2026-01-31")]),
            ]
            // Tasks, calls, emails and meetings: WhatId [deal, company]; notes: ParentId [deal, contact, company].
            #expect(try await Self.roundTrip(sf, crm: "salesforce", linked: linked) == 4 * 2 + 3)
        }
    }

    @Test func hubSpotActivitiesAssociateWithDealsContactsAndCompanies() async throws {
        try await HubSpotTestSupport.withServer(HubSpotTestSupport.emulator()) { hs, _ in
            func make(_ object: String, _ fields: [String: WireValue]) async throws -> String {
                try Self.created(try await hs.push(object: object, items: [PushItem(key: 1, operation: .create(fields: fields, upsertKey: nil))]))
            }
            let linked = [
                "company": try await make("companies", ["name": .string("Acme")]),
                "contact": try await make("contacts", ["email": .string("lee@acme.test")]),
                "deal": try await make("deals", ["dealname": .string("Big"), "dealstage": .string("appointmentscheduled"), "pipeline": .string("default")]),
            ]
            #expect(try await Self.roundTrip(hs, crm: "hubspot", linked: linked) == 5)
        }
    }
}
