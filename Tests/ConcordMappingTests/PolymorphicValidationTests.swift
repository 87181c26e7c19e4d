import ConcordCore
import Testing
import ConcordMapping

/// A required polymorphic group (Salesforce `Note.ParentId`) and the loader's checks of groups.
@Suite("Polymorphic groups: validation and configuration errors")
struct PolymorphicValidationTests {
    static let reason = "salesforce requires Note.ParentId: the note is about no company, contact or deal"

    func salesforceFailures(_ values: [String: Value], isCreate: Bool) -> [ValidationFailure] {
        Validator(config: Poly.config).validate(for: "salesforce", object: "note", recordKey: "g1", values: values, isCreate: isCreate)
    }

    @Test func aNoteAboutNothingCannotGoToSalesforce() throws {
        let base: [String: Value] = ["title": .string("Hi"), "body": .string("Met at the fair")]
        let blank = base.merging(["deal": .null, "contact": .null, "company": .null]) { $1 }
        for (values, isCreate) in [(base, true), (blank, true), (blank, false)] {
            let failures = salesforceFailures(values, isCreate: isCreate)
            #expect(failures.count == 1, "\(failures)")
            let f = try #require(failures.first)
            #expect(f.rule == .crmRequired && f.crm == "salesforce")
            #expect(f.reason == Self.reason)
            #expect(f.fields == ["deal", "contact", "company"])
            #expect(f.values["deal"] == (values["deal"] == nil ? "(absent)" : "null"))
        }
        for member in Poly.objects {
            #expect(salesforceFailures(base.merging([member: Poly.ref(member)]) { $1 }, isCreate: true).isEmpty, "\(member)")
            #expect(salesforceFailures(blank.merging([member: Poly.ref(member)]) { $1 }, isCreate: false).isEmpty, "\(member)")
        }
        // An update that does not touch every member says nothing about the parent.
        #expect(salesforceFailures(base.merging(["deal": .null]) { $1 }, isCreate: false).isEmpty)
        // Dataverse annotations need no parent.
        let dv = Validator(config: Poly.config).validate(for: "dynamics", object: "note", recordKey: "g1", values: base, isCreate: true)
        #expect(dv.isEmpty, "\(dv)")
    }

    @Test func aHubSpotNoteWithNoAssociationIsQuarantinedWithTheReason() throws {
        let pipeline = MappingPipeline(config: Poly.config, resolver: Poly.links)
        var raw: [String: WireValue] = ["hs_note_body": .string("Met at the fair"), "hs_timestamp": .string("2024-05-01T10:00:00.000Z"),
                                        "associations.contacts": .null, "associations.companies": .null, "associations.deals": .null]
        guard case .rejected(let failures) = pipeline.inbound(crm: "hubspot", object: "note", recordKey: "901", raw: raw, isCreate: true) else {
            Issue.record("a note about nothing was accepted"); return
        }
        #expect(failures.map(\.reason) == [Self.reason], "\(failures)")
        raw["associations.contacts"] = .string(Poly.ext("hubspot", "contact"))
        let outcome = pipeline.inbound(crm: "hubspot", object: "note", recordKey: "901", raw: raw, isCreate: true)
        guard case .accepted(let values) = outcome else { Issue.record("\(outcome)"); return }
        #expect(values["contact"] == Poly.ref("contact") && values["deal"] == .null)
        // What Salesforce will hold of it: the contact as ParentId.
        let out = try Poly.mapper.outbound(crm: "salesforce", object: "note", values: values, isCreate: true)
        #expect(out.fields["ParentId"] == .string(Poly.ext("salesforce", "contact")))
    }

    @Test func aRequiredSingleReferenceIsCheckedForPresenceToo() throws {
        let config = try ConfigLoader.load(text: """
        mappings:
          salesforce:
            deal:
              fields:
                company: {field: AccountId, required: true}
        """, file: "concord.yaml")
        let v = Validator(config: config)
        let missing = v.validate(for: "salesforce", object: "deal", recordKey: "d1", values: ["name": .string("Big")], isCreate: true)
        #expect(missing.map(\.reason).contains("salesforce requires Opportunity.AccountId: the deal has no company"), "\(missing)")
        // Resolution is not checked here: a link may appear during the push.
        let unlinked = v.validate(for: "salesforce", object: "deal", recordKey: "d1",
                                  values: ["name": .string("Big"), "company": .reference(RecordID(high: 5, low: 5))], isCreate: true)
        #expect(!unlinked.contains { $0.fields == ["company"] }, "\(unlinked)")
    }

    // MARK: Loader

    func expectConflict(_ yaml: String, line: Int, column: Int, contains text: String,
                        sourceLocation: SourceLocation = #_sourceLocation) {
        guard let e = configError(yaml) else { Issue.record("expected an error", sourceLocation: sourceLocation); return }
        #expect(e.code == .conflict, "\(e)", sourceLocation: sourceLocation)
        #expect(e.location == SourcePosition(file: "concord.yaml", line: line, column: column), "\(e)", sourceLocation: sourceLocation)
        #expect(e.message.contains(text), "\(e)", sourceLocation: sourceLocation)
        #expect(e.description.hasPrefix("concord.yaml:\(line):\(column): error: "), sourceLocation: sourceLocation)
    }

    @Test func onlyReferencesToDifferentObjectsMayShareACRMField() {
        // Two text fields on one CRM field.
        expectConflict("""
        objects:
          note:
            fields:
              summary: {type: string}
        mappings:
          salesforce:
            note:
              fields:
                summary: Title
        """, line: 9, column: 18, contains: "Title is already mapped to title; canonical fields may share a CRM field only as a polymorphic group of references, and note.summary is a string field")
        // A number joining a reference group.
        expectConflict("""
        objects:
          note:
            fields:
              rank: {type: int}
        mappings:
          salesforce:
            note:
              fields:
                rank: ParentId
        """, line: 9, column: 15, contains: "ParentId is already mapped to deal, contact, company; canonical fields may share")
        // A reference joining a text field.
        expectConflict("""
        objects:
          note:
            fields:
              about: {type: reference(task)}
        mappings:
          salesforce:
            note:
              fields:
                about: Body
        """, line: 9, column: 16, contains: "and note.body is a string field")
        // Two references to one object: reading could not tell them apart.
        expectConflict("""
        objects:
          note:
            fields:
              account: {type: reference(company)}
        mappings:
          salesforce:
            note:
              fields:
                account: ParentId
        """, line: 9, column: 18, contains: "account and company both reference company")
        // Read-only and writable members.
        expectConflict("""
        objects:
          note:
            fields:
              about: {type: reference(task)}
        mappings:
          salesforce:
            note:
              fields:
                about: {field: ParentId, read_only: true}
        """, line: 9, column: 16, contains: "all read-only or none")
    }
}
