import ConcordCore
import Foundation
import Testing
import ConcordMapping

@Suite("Validation and quarantine")
struct ValidationQuarantineTests {
    let defaults: ConcordConfig
    init() throws { defaults = try ConfigLoader.defaults() }

    func rejected(_ outcome: InboundOutcome, sourceLocation: SourceLocation = #_sourceLocation) -> [ValidationFailure] {
        guard case .rejected(let f) = outcome else {
            Issue.record("expected a rejection, got \(outcome)", sourceLocation: sourceLocation); return []
        }
        return f
    }

    @Test func unmappedPicklistValueIsQuarantinedWithItsValueAndReason() {
        let p = MappingPipeline(config: defaults)
        let f = rejected(p.inbound(crm: "hubspot", object: "deal", recordKey: "900",
                                   raw: ["dealname": .string("Big"), "dealstage": .string("1234567")], isCreate: false))
        #expect(f.count == 1)
        #expect(f.first?.rule == .restrictedPicklist)
        #expect(f.first?.fields == ["stage"])
        #expect(f.first?.values == ["stage": "\"1234567\""])
        #expect(f.first?.crm == "hubspot")
        #expect(f.first?.reason.contains("dealstage") == true)
        #expect(f.first?.recordKey == "900")
    }

    @Test func valueAnotherCRMCannotTakeIsStoppedBeforeItIsMerged() throws {
        let config = try ConfigLoader.load(text: """
        objects:
          deal:
            fields:
              stage:
                values: [prospecting, qualification, needs_analysis, value_proposition, decision_makers,
                         perception_analysis, proposal, negotiation, closed_won, closed_lost, on_hold]
        mappings:
          hubspot:
            deal:
              fields:
                stage:
                  field: dealstage
                  transform:
                    kind: picklist
                    values: {prospecting: appointmentscheduled, qualification: qualifiedtobuy, proposal: contractsent,
                             closed_won: closedwon, closed_lost: closedlost, on_hold: "77001"}
        """, file: "concord.yaml")
        let f = rejected(MappingPipeline(config: config).inbound(
            crm: "hubspot", object: "deal", recordKey: "900", raw: ["dealstage": .string("77001")], isCreate: false))
        #expect(Set(f.compactMap(\.crm)) == ["salesforce", "dynamics"])
        #expect(f.allSatisfy { $0.rule == .restrictedPicklist && $0.values == ["stage": "\"on_hold\""] })
        // Restricting the targets to HubSpot alone, it passes.
        let ok = MappingPipeline(config: config).inbound(crm: "hubspot", object: "deal", recordKey: "900",
                                                         raw: ["dealstage": .string("77001")], isCreate: false, targets: [])
        #expect(ok == .accepted(["stage": .string("on_hold")]))
    }

    @Test func tooLongValuesFailCanonicalAndTargetCRMLimits() {
        let p = MappingPipeline(config: defaults)
        let long = String(repeating: "é", count: 200)
        let f = rejected(p.inbound(crm: "salesforce", object: "contact", recordKey: "003A",
                                   raw: ["Title": .string(long)], isCreate: false))
        #expect(f.contains { $0.rule == .maxLength && $0.crm == nil && $0.reason.contains("200 characters, at most 128") })
        // 110 characters fit Concord (128) and Salesforce, not Dataverse's jobtitle (100).
        let g = rejected(p.inbound(crm: "salesforce", object: "contact", recordKey: "003A",
                                   raw: ["Title": .string(String(repeating: "x", count: 110))], isCreate: false))
        #expect(g.count == 1)
        #expect(g.first?.rule == .crmMaxLength)
        #expect(g.first?.crm == "dynamics")
        #expect(g.first?.reason.contains("jobtitle holds at most 100 characters") == true)
    }

    @Test func missingAndBlankedRequiredFields() {
        let p = MappingPipeline(config: defaults)
        // Create without LastName: Concord requires it (and so do Salesforce and Dataverse).
        let f = rejected(p.inbound(crm: "hubspot", object: "contact", recordKey: "512",
                                   raw: ["email": .string("a@x.com")], isCreate: true))
        #expect(f.contains { $0.rule == .required && $0.fields == ["last_name"] && $0.values == ["last_name": "(absent)"] })
        #expect(f.contains { $0.rule == .crmRequired && $0.crm == "salesforce" && $0.fields == ["last_name"] })
        // An update that leaves LastName out is fine; one that blanks it is not.
        #expect(p.inbound(crm: "hubspot", object: "contact", recordKey: "512",
                          raw: ["email": .string("a@x.com")], isCreate: false) == .accepted(["email": .string("a@x.com")]))
        let g = rejected(p.inbound(crm: "hubspot", object: "contact", recordKey: "512",
                                   raw: ["lastname": .string("")], isCreate: false))
        #expect(g.contains { $0.rule == .required && $0.reason.contains("blank") })
        // A Salesforce opportunity requires CloseDate on create; a HubSpot deal without one cannot go there.
        let h = rejected(p.inbound(crm: "hubspot", object: "deal", recordKey: "77",
                                   raw: ["dealname": .string("X"), "dealstage": .string("closedwon")], isCreate: true))
        #expect(h.contains { $0.rule == .required && $0.fields == ["close_date"] })
    }

    @Test func formatsPicklistMembershipAndConversions() {
        let p = MappingPipeline(config: defaults)
        let f = rejected(p.inbound(crm: "hubspot", object: "contact", recordKey: "1",
                                   raw: ["email": .string("not-an-email"), "lifecyclestage": .string("vip")], isCreate: false))
        #expect(f.contains { $0.rule == .format && $0.fields == ["email"] })
        #expect(f.contains { $0.rule == .picklist && $0.values == ["lifecycle_stage": "\"vip\""] })
        let g = rejected(p.inbound(crm: "salesforce", object: "company", recordKey: "001",
                                   raw: ["NumberOfEmployees": .string("many"), "AnnualRevenue": .number("10.005")], isCreate: false))
        #expect(g.contains { $0.rule == .conversion && $0.fields == ["employees"] })
        #expect(g.contains { $0.rule == .scale && $0.fields == ["annual_revenue"] })
        // Dataverse's closeprobability is a whole number: a fractional probability is stopped before merge.
        let h = p.inbound(crm: "salesforce", object: "deal", recordKey: "006", raw: ["Probability": .number("12.5")], isCreate: false)
        #expect(h == .rejected([ValidationFailure(object: "deal", recordKey: "006", crm: "dynamics", fields: ["probability"],
                                                  values: ["probability": "12.5"], rule: .conversion,
                                                  reason: "dynamics opportunities.closeprobability: 12.5 has more than 0 decimal places")]))
        #expect(Validator.matches("ann@example.co.uk", .email))
        #expect(!Validator.matches("ann@@example.com", .email))
        #expect(!Validator.matches("ann @example.com", .email))
        #expect(Validator.matches("https://example.com/path", .url))
        #expect(!Validator.matches("ftp://example.com", .url))
        #expect(Validator.matches("bücher.de", .domain))
        #expect(!Validator.matches("-bad.com", .domain))
    }

    @Test func quarantineKeepsTheExactInputAndReleasesItAfterTheMappingIsFixed() async throws {
        let store = InMemoryQuarantineStore()
        let raw: [String: WireValue] = ["dealname": .string("Zoë’s deal 🚀"), "amount": .string("1000.50"),
                                        "dealstage": .string("1234567"), "closedate": .string("2024-03-31T00:00:00.000Z")]
        let before = MappingPipeline(config: defaults)
        let f = rejected(before.inbound(crm: "hubspot", object: "deal", recordKey: "900", raw: raw, isCreate: false))
        let entry = try await before.quarantine(crm: "hubspot", object: "deal", recordKey: "900", raw: raw, isCreate: false,
                                                failures: f, id: "q1", nowMillis: 1_700_000_000_000, in: store)
        // Stored exactly, and exactly through a JSON round trip (what a SQLite store would keep).
        let stored = try #require(await store.get(id: "q1"))
        #expect(stored.raw == raw)
        let json = try JSONEncoder().encode(entry)
        #expect(try JSONDecoder().decode(QuarantineEntry.self, from: json) == entry)
        #expect(await store.list(object: "deal").map(\.id) == ["q1"])
        #expect(QuarantineReport.show(stored).contains("amount: \"1000.50\""))
        // Retrying with the same mapping keeps it, one attempt more.
        #expect(try await before.retry(id: "q1", in: store) == .stillFailing(f))
        #expect(await store.get(id: "q1")?.attempts == 2)
        #expect(await store.get(id: "q1")?.firstSeenMillis == 1_700_000_000_000)
        // Fix the mapping: the custom pipeline stage means "negotiation".
        let fixed = try ConfigLoader.load(text: """
        mappings:
          hubspot:
            deal:
              fields:
                stage:
                  field: dealstage
                  transform:
                    kind: picklist
                    values:
                      prospecting: appointmentscheduled
                      qualification: qualifiedtobuy
                      needs_analysis: qualifiedtobuy
                      value_proposition: presentationscheduled
                      decision_makers: decisionmakerboughtin
                      perception_analysis: decisionmakerboughtin
                      proposal: contractsent
                      negotiation: "1234567"
                      closed_won: closedwon
                      closed_lost: closedlost
                    inbound: {qualifiedtobuy: qualification, decisionmakerboughtin: decision_makers}
        """, file: "concord.yaml")
        let outcome = try await MappingPipeline(config: fixed).retry(id: "q1", in: store)
        guard case .released(let values) = outcome else { Issue.record("not released: \(outcome)"); return }
        #expect(values["stage"] == .string("negotiation"))
        #expect(values["amount"] == .decimal(try #require(ExactDecimal("1000.5"))))
        #expect(values["name"] == .string("Zoë’s deal 🚀"))
        #expect(await store.get(id: "q1") == nil)
        #expect(try await MappingPipeline(config: fixed).retry(id: "q1", in: store) == .notFound)
    }

    @Test func storeListsOldestFirstAndDrops() async throws {
        let store = InMemoryQuarantineStore()
        var rng = SplitMix64(seed: 7)
        let ids = (0..<3).map { _ in QuarantineEntry.makeID(using: &rng) }
        for (i, id) in ids.enumerated() {
            await store.add(QuarantineEntry(id: id, object: i == 1 ? "contact" : "deal", crm: "hubspot", recordKey: "\(i)",
                                                raw: [:], isCreate: false, failures: [], firstSeenMillis: Int64(100 - i)))
        }
        #expect(await store.list(object: nil).map(\.recordKey) == ["2", "1", "0"])
        #expect(await store.list(object: "contact").count == 1)
        #expect(await store.remove(id: ids[0]))
        #expect(!(await store.remove(id: ids[0])))
        #expect(ids.allSatisfy { $0.count == 32 })
        #expect(QuarantineReport.list(await store.list(object: nil)).hasPrefix("2 quarantined changes:"))
    }
}

@Suite("CRM defaults on create")
struct CreateDefaultTests {
    @Test func salesforceTaskGetsItsRequiredPicklistDefaultsOnCreate() throws {
        let config = try ConfigLoader.defaults()
        // A HubSpot task without priority or status can still be created in Salesforce.
        let p = MappingPipeline(config: config)
        let outcome = p.inbound(crm: "hubspot", object: "task", recordKey: "t1",
                                raw: ["hs_task_subject": .string("Call back"), "hs_timestamp": .string("2024-05-01T00:00:00.000Z")],
                                isCreate: true, targets: ["salesforce"])
        guard case .accepted(let values) = outcome else { Issue.record("\(outcome)"); return }
        let out = try RecordMapper(config: config).outbound(crm: "salesforce", object: "task", values: values, isCreate: true)
        #expect(out.fields["Priority"] == .string("Normal"))
        #expect(out.fields["Status"] == .string("Not Started"))
        #expect(out.fields["ActivityDate"] == .string("2024-05-01"))
        // Updates never send defaults.
        let upd = try RecordMapper(config: config).outbound(crm: "salesforce", object: "task", values: values)
        #expect(upd.fields["Priority"] == nil)
        // A default must be a value the field's transform can read.
        let e = configError("""
        mappings:
          salesforce:
            task:
              fields:
                priority: {field: Priority, default: Urgent}
        """)
        #expect(e?.code == .invalidValue)
        #expect(e?.location.line == 5)
    }
}

extension CreateDefaultTests {
    @Test func optionSetDefaultsAreWrittenAsIntegers() throws {
        let config = try ConfigLoader.load(text: """
        mappings:
          dynamics:
            task:
              fields:
                priority: {field: prioritycode, default: "1"}
        """, file: "concord.yaml")
        let out = try RecordMapper(config: config).outbound(crm: "dynamics", object: "task",
                                                            values: ["subject": .string("x")], isCreate: true)
        #expect(out.fields["prioritycode"] == .number("1"))
    }
}

@Suite("Field notes: picklist and validation mismatches land in quarantine with a reason")
struct FieldNotesQuarantineTests {
    @Test func unmappedPicklistTooLongStringAndMissingRequiredFieldEachLandInQuarantine() async throws {
        let p = MappingPipeline(config: try ConfigLoader.defaults())
        let store = InMemoryQuarantineStore()
        let changes: [(String, String, String, [String: WireValue], Bool, ValidationFailure.Rule, String)] = [
            ("hubspot", "deal", "d1", ["dealstage": .string("custom_stage_9")], false, .restrictedPicklist, "picklist table"),
            ("salesforce", "company", "a1", ["Name": .string(String(repeating: "A", count: 200))], false, .maxLength, "at most 160"),
            ("dynamics", "contact", "c1", ["firstname": .string("Ann")], true, .required, "last_name is required"),
        ]
        for (i, (crm, object, key, raw, create, rule, reason)) in changes.enumerated() {
            guard case .rejected(let failures) = p.inbound(crm: crm, object: object, recordKey: key, raw: raw, isCreate: create) else {
                Issue.record("\(object) \(key) was accepted"); continue
            }
            _ = try await p.quarantine(crm: crm, object: object, recordKey: key, raw: raw, isCreate: create,
                                       failures: failures, id: "q\(i)", nowMillis: Int64(i), in: store)
            let entry = try #require(await store.get(id: "q\(i)"))
            #expect(entry.raw == raw)
            #expect(entry.failures.contains { $0.rule == rule && $0.reason.contains(reason) }, "\(entry.failures)")
        }
        #expect(await store.list(object: nil).count == 3)
    }
}
