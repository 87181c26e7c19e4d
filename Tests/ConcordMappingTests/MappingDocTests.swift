import Testing
import ConcordMapping

@Suite("Mapping documentation")
struct MappingDocTests {
    @Test func rendersOneTablePerObjectWithEachCRMsFieldAndTransform() throws {
        let doc = try MappingDoc.render(try ConfigLoader.defaults())
        #expect(doc.hasPrefix("# Concord field mappings\n"))
        for o in ["contact", "company", "deal", "task", "call", "email", "meeting", "note"] {
            #expect(doc.contains("\n## \(o)\n"), "\(o)")
        }
        #expect(doc.contains("| Field | Type | Rule | Validation | salesforce (`Contact`) | hubspot (`contacts`) | dynamics (`contacts`) |"))
        #expect(doc.contains("| email | email | two-way | max 80; email | `Email`: email (trim, lowercase) [max 80] | `email`: email (trim, lowercase) | `emailaddress1`: email (trim, lowercase) [max 100] |"))
        #expect(doc.contains("`_parentcustomerid_value` (writes `parentcustomerid_account@odata.bind`): reference (bind `/accounts({id})`)"))
        #expect(doc.contains("closed_won→Closed Won"))
        #expect(doc.contains("salesforce records where TaskSubtype = Call."))
        #expect(doc.contains("Deletes: propagate. Match keys: email."))
        #expect(doc.contains("## contact\n\nA person.\n"))
        // Slashes and pipes in values cannot break the table.
        #expect(doc.contains("proposal→Proposal/Price Quote"))
    }

    @Test func oneObjectOnlyAndDeclaredCRMsOnly() throws {
        let config = try ConfigLoader.load(text: """
        crms:
          hubspot: {base_url: https://api.hubapi.com}
          dynamics: {base_url: https://acme.crm.dynamics.com}
        objects:
          deal:
            fields:
              name: {type: string, rule: {prefer: hubspot}, label: "Deal | name"}
        """, file: "concord.yaml")
        let doc = try MappingDoc.render(config, object: "deal")
        #expect(!doc.contains("## contact"))
        #expect(!doc.contains("salesforce"))
        #expect(doc.contains("| name (Deal \\| name) | string | prefer hubspot unless blank | required; max 120 | `dealname`: trim, NFC | `name`: trim, NFC [max 300, required] |"))
        #expect(throws: MappingDoc.UnknownObject.self) { try MappingDoc.render(config, object: "opportunity") }
    }
}
