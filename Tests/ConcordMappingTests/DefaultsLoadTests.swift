import ConcordCore
import Testing
import ConcordMapping

@Suite("Shipped defaults")
struct DefaultsLoadTests {
    @Test func defaultsLoadAndCoverTheStandardObjects() throws {
        let config = try ConfigLoader.defaults()
        let names = Set(config.objects.map(\.name))
        #expect(names == ["contact", "company", "deal", "task", "call", "email", "meeting", "note"])
        for kind in CRMKind.allCases {
            for object in names {
                #expect(config.mapping(crm: kind.rawValue, object: object) != nil, "\(kind) has no \(object) mapping")
            }
        }
        #expect(config.mapping(crm: "salesforce", object: "company")?.crmObject == "Account")
        #expect(config.mapping(crm: "hubspot", object: "deal")?.crmObject == "deals")
        #expect(config.mapping(crm: "dynamics", object: "deal")?.crmObject == "opportunities")
        #expect(config.sync.objects["contact"]?.matchKeys == ["email"])
        #expect(config.sync.objects["company"]?.deletePolicy == .ignore)
        #expect(config.mapping(crm: "salesforce", object: "contact")?.externalIDField == "Concord_Id__c")
    }
}
