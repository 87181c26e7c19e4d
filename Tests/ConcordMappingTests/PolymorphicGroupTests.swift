import ConcordCore
import Testing
import ConcordMapping

/// Reference fields that share one CRM field (Salesforce `ParentId`/`WhatId`, Dataverse
/// `regardingobjectid`/`objectid`): read into the member the id resolves under, written from
/// the first non-blank member.
@Suite("Polymorphic reference groups")
struct PolymorphicGroupTests {
    static let activities = ["task", "call", "email", "meeting", "note"]
    static let dynamicsEntity = ["task": "task", "call": "phonecall", "email": "email", "meeting": "appointment"]
    static let entitySets = ["deal": "opportunities", "contact": "contacts", "company": "accounts"]
    static let logicalNames = ["deal": "opportunity", "contact": "contact", "company": "account"]

    @Test func theDefaultsGroupActivityReferencesInPriorityOrder() throws {
        let note = Poly.mapping("salesforce", "note")
        #expect(note.groups == [["deal", "contact", "company"]])
        #expect(note.group(of: "contact") == ["deal", "contact", "company"])
        #expect(note.group(of: "title") == nil)
        #expect(note.group(of: "no_such_field") == nil)
        #expect(note.fields.contains { $0.crmField == "ParentId" } && note.fields.filter { $0.crmField == "ParentId" }.allSatisfy { $0.required && $0.writeField == "ParentId" })
        for object in ["task", "call", "email", "meeting"] {
            let m = Poly.mapping("salesforce", object)
            #expect(m.groups == [["deal", "company"]], "\(object)")
            #expect(m.field("deal")?.crmField == "WhatId" && m.field("contact")?.crmField == "WhoId", "\(object)")
            #expect(!m.fields.contains { $0.crmField == "AccountId" }, "Salesforce derives \(object) AccountId; it is not mapped")
        }
        for object in Self.activities {
            let m = Poly.mapping("dynamics", object)
            #expect(m.groups == [["deal", "contact", "company"]], "\(object)")
            for member in Poly.objects {
                let fm = try #require(m.field(member))
                let nav = Self.logicalNames[member]!
                if let entity = Self.dynamicsEntity[object] {
                    #expect(fm.crmField == "_regardingobjectid_value")
                    #expect(fm.writeField == "regardingobjectid_\(nav)_\(entity)@odata.bind")
                } else {
                    #expect(fm.crmField == "_objectid_value")
                    #expect(fm.writeField == "objectid_\(nav)@odata.bind")
                }
                #expect(fm.transform == .reference(bind: "/\(Self.entitySets[member]!)({id})"), "\(object).\(member)")
            }
            let hubspot = Poly.mapping("hubspot", object)
            #expect(hubspot.groups.isEmpty)
            #expect(hubspot.field("contact")?.crmField == "associations.contacts", "\(object)")
            #expect(hubspot.field("company")?.crmField == "associations.companies", "\(object)")
            #expect(hubspot.field("deal")?.crmField == "associations.deals", "\(object)")
        }
        // Objects without shared fields have no groups.
        #expect(Poly.mapping("dynamics", "contact").groups.isEmpty)
    }

    // MARK: Inbound

    @Test(arguments: Poly.objects)
    func anIDResolvesUnderItsMembersObjectAndTheOthersReadBlank(member: String) throws {
        for (crm, object) in [("salesforce", "note"), ("dynamics", "task"), ("dynamics", "note"), ("salesforce", "meeting")] {
            let m = Poly.mapping(crm, object)
            guard let fm = m.field(member), m.group(of: member) != nil else { continue }
            let raw: [String: WireValue] = [fm.crmField: .string(Poly.ext(crm, member, 2))]
            let got = try Poly.mapper.inbound(crm: crm, object: object, raw: raw)
            #expect(got.failures.isEmpty, "\(got.failures)")
            var expected: [String: Value] = [:]
            for other in m.group(of: member) ?? [] { expected[other] = other == member ? Poly.ref(member, 2) : .null }
            #expect(got.values == expected, "\(crm) \(object)")
        }
    }

    @Test func aBlankGroupFieldBlanksEveryMember() throws {
        for wire in [WireValue.null, .string(""), .string("  ")] {
            let got = try Poly.mapper.inbound(crm: "dynamics", object: "task",
                                              raw: ["_regardingobjectid_value": wire, "subject": .string("Call back")])
            #expect(got.failures.isEmpty)
            #expect(got.values == ["deal": .null, "contact": .null, "company": .null, "subject": .string("Call back")], "\(wire)")
        }
        // Absent stays absent: a record read without the field says nothing about its members.
        let absent = try Poly.mapper.inbound(crm: "salesforce", object: "note", raw: ["Title": .string("Hi")])
        #expect(absent.values == ["title": .string("Hi")])
    }

    @Test func anIDNoMemberResolvesIsOneFailureAndLeavesTheWholeGroupAbsent() throws {
        let guid = "0f8fad5b-d9cb-469f-a165-70867728950e"
        let got = try Poly.mapper.inbound(crm: "dynamics", object: "task",
                                          raw: ["_regardingobjectid_value": .string(guid), "subject": .string("Call back")])
        #expect(got.values == ["subject": .string("Call back")])
        #expect(got.failures.count == 1)
        let failure = try #require(got.failures.first)
        #expect(failure.field == "deal")
        #expect(failure.crmField == "_regardingobjectid_value")
        #expect(failure.error.code == .unresolvedReference)
        #expect(failure.error.message.contains(guid) && failure.error.message.contains("_regardingobjectid_value"), "\(failure.error)")
        #expect(failure.error.message.contains("deal, contact or company"), "\(failure.error)")

        // Through the pipeline: one unresolved-reference failure, nothing merged.
        let pipeline = MappingPipeline(config: Poly.config, resolver: Poly.links)
        let outcome = pipeline.inbound(crm: "dynamics", object: "task", recordKey: "t1",
                                       raw: ["_regardingobjectid_value": .string(guid), "subject": .string("x")], isCreate: false)
        guard case .rejected(let failures) = outcome else { Issue.record("accepted \(outcome)"); return }
        #expect(failures.map(\.rule) == [.unresolvedReference])
    }

    @Test func aWireValueOfTheWrongTypeIsOneConversionFailure() throws {
        let got = try Poly.mapper.inbound(crm: "salesforce", object: "note", raw: ["ParentId": .number("5")])
        #expect(got.values.isEmpty)
        #expect(got.failures.map(\.error.code) == [.typeMismatch])
        #expect(got.failures.map(\.field) == ["deal"])
    }

    @Test func aMemberTheCRMMayNotWriteIsLeftOutButStillSaysWhatTheRecordIsAbout() throws {
        let config = try ConfigLoader.load(text: """
        objects:
          note:
            fields:
              deal: {type: reference(deal), rule: {one-way: salesforce}}
        """, file: "concord.yaml")
        let mapper = RecordMapper(config: config, resolver: Poly.links)
        let got = try mapper.inbound(crm: "dynamics", object: "note", raw: ["_objectid_value": .string(Poly.ext("dynamics", "deal"))])
        #expect(got.failures.isEmpty)
        #expect(got.values == ["contact": .null, "company": .null])
        let fromSalesforce = try mapper.inbound(crm: "salesforce", object: "note", raw: ["ParentId": .string(Poly.ext("salesforce", "deal"))])
        #expect(fromSalesforce.values == ["deal": Poly.ref("deal"), "contact": .null, "company": .null])
    }

    // MARK: Outbound

    @Test func theFirstNonBlankMemberIsWrittenInPriorityOrder() throws {
        func parent(_ values: [String: Value]) throws -> WireValue? {
            let out = try Poly.mapper.outbound(crm: "salesforce", object: "note", values: values, isCreate: true)
            #expect(out.failures.isEmpty, "\(out.failures)")
            return out.fields["ParentId"]
        }
        let all: [String: Value] = ["deal": Poly.ref("deal"), "contact": Poly.ref("contact"), "company": Poly.ref("company")]
        #expect(try parent(all) == .string("salesforce-deal-1"))
        #expect(try parent(all.merging(["deal": .null]) { $1 }) == .string("salesforce-contact-1"))
        #expect(try parent(["contact": Poly.ref("contact", 2), "company": Poly.ref("company")]) == .string("salesforce-contact-2"))
        #expect(try parent(["company": Poly.ref("company")]) == .string("salesforce-company-1"))
        #expect(try parent(["deal": .null, "contact": .null, "company": .null]) == .null)
        #expect(try parent(["company": .null]) == .null)
        #expect(try parent(["title": .string("No group member")]) == nil)
    }

    @Test(arguments: ["task", "call", "email", "meeting", "note"])
    func aDataverseMemberIsWrittenThroughItsOwnBindAndNoOtherBindIsSent(object: String) throws {
        let m = Poly.mapping("dynamics", object)
        let binds = Set(m.fields.filter { m.group(of: $0.canonical) != nil }.map(\.writeField))
        #expect(binds.count == 3)
        for (i, member) in Poly.objects.enumerated() {
            var values: [String: Value] = [:]
            for (j, other) in Poly.objects.enumerated() { values[other] = j < i ? .null : Poly.ref(other) }
            let out = try Poly.mapper.outbound(crm: "dynamics", object: object, values: values)
            #expect(out.failures.isEmpty)
            let fm = try #require(m.field(member))
            #expect(out.fields[fm.writeField] == .string("/\(Self.entitySets[member]!)(dynamics-\(member)-1)"))
            #expect(out.fields.keys.filter(binds.contains) == [fm.writeField], "\(object): only \(member) is written")
        }
        let none = try Poly.mapper.outbound(crm: "dynamics", object: object, values: ["contact": .null])
        let first = try #require(m.field("deal"))
        #expect(none.fields == [first.writeField: .null], "a blank group clears through the first member's bind")
    }

    @Test func anUnresolvableChosenMemberFailsAndNoOtherMemberIsWrittenInstead() throws {
        let out = try Poly.mapper.outbound(crm: "salesforce", object: "note",
                                           values: ["deal": .reference(RecordID(high: 77, low: 77)), "contact": Poly.ref("contact")], isCreate: true)
        #expect(out.fields["ParentId"] == nil)
        #expect(out.failures.map(\.field) == ["deal"])
        #expect(out.failures.map(\.error.code) == [.unresolvedReference])
        #expect(out.failures.first?.crmField == "ParentId")
    }

    // MARK: Projection

    @Test func projectionKeepsTheChosenMemberAndBlanksTheRest() {
        let m = Poly.mapping("salesforce", "note")
        let all: [String: Value] = ["deal": Poly.ref("deal"), "contact": Poly.ref("contact"), "company": Poly.ref("company"), "title": .string("T")]
        #expect(m.projectGroups(all) == ["deal": Poly.ref("deal"), "contact": .null, "company": .null, "title": .string("T")])
        #expect(m.projectGroups(["contact": Poly.ref("contact")]) == ["deal": .null, "contact": Poly.ref("contact"), "company": .null])
        #expect(m.projectGroups(["deal": .null]) == ["deal": .null, "contact": .null, "company": .null])
        #expect(m.projectGroups(["title": .string("T")]) == ["title": .string("T")])
        #expect(m.projectGroups([:]) == [:])
        // Task: WhatId is [deal, company]; the contact (WhoId) is no member and keeps its value.
        let task = Poly.mapping("salesforce", "task")
        #expect(task.projectGroups(["deal": Poly.ref("deal"), "company": Poly.ref("company"), "contact": Poly.ref("contact")])
                == ["deal": Poly.ref("deal"), "company": .null, "contact": Poly.ref("contact")])
        // HubSpot keeps each reference in its own association: nothing to project.
        #expect(Poly.mapping("hubspot", "note").projectGroups(all) == all)
    }

    // MARK: Configuration and documentation

    @Test func aCreateOnlyGroupIsWrittenOnCreateOnly() throws {
        let values = ["deal": .null, "contact": Poly.ref("contact"), "company": .null] as [String: Value]
        let created = try Poly.mapper.outbound(crm: "salesforce", object: "note", values: values, isCreate: true)
        #expect(created.fields["ParentId"] == .string("salesforce-contact-1"))
        let updated = try Poly.mapper.outbound(crm: "salesforce", object: "note", values: values, isCreate: false)
        #expect(updated.fields["ParentId"] == nil, "Note.ParentId cannot be updated in Salesforce")
    }

    @Test func theMappingDocumentShowsTheGroup() throws {
        let doc = try MappingDoc.render(Poly.config, object: "note")
        #expect(doc.contains("salesforce `ParentId` holds one of deal, contact, company"), "\(doc)")
        #expect(doc.contains("dynamics `_objectid_value` holds one of deal, contact, company"))
        #expect(doc.contains("`ParentId`: reference [required, create-only, group priority 1 of 3]"), "\(doc)")
        #expect(doc.contains("`_objectid_value` (writes `objectid_contact@odata.bind`): reference (bind `/contacts({id})`) [group priority 2 of 3]"))
    }

    @Test func aUserCanDeclareAGroupOfTheirOwn() throws {
        let config = try ConfigLoader.load(text: """
        objects:
          project:
            fields:
              name: {type: string}
              owner_company: {type: reference(company)}
              owner_contact: {type: reference(contact)}
        mappings:
          salesforce:
            project:
              object: Project__c
              fields:
                name: Name
                owner_contact: Owner__c
                owner_company: Owner__c
        """, file: "concord.yaml")
        let m = try #require(config.mapping(crm: "salesforce", object: "project"))
        #expect(m.groups == [["owner_contact", "owner_company"]], "file order of the mapping, not of the object, is the priority")
    }
}
