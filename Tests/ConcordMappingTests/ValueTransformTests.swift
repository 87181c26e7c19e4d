import ConcordCore
import Testing
import ConcordMapping

@Suite("Decimal, picklist, option-set, multi-select and reference transforms")
struct ValueTransformTests {
    @Test func decimalsAreExactAndNeverBinaryFractions() throws {
        let t = Transform.decimal(scale: nil)
        for text in ["0.1", "0.2", "0.3", "1000.5", "-0.000001", "12345678901234567890.123456789", "0"] {
            for kind in CRMKind.allCases {
                let v = try dec(t, .number(text), .decimal, kind)
                #expect(v == .decimal(try #require(ExactDecimal(text))))
                let w = try enc(t, v, .decimal, kind)
                #expect(w == (kind == .hubspot ? .string(text) : .number(text)))
            }
        }
        // 0.1 + 0.2 from one CRM and 0.3 from another are the same canonical value.
        #expect(try dec(t, .number("0.30"), .decimal) == .decimal(try #require(ExactDecimal("0.3"))))
        #expect(try dec(t, .string("3e-1"), .decimal, .hubspot) == .decimal(try #require(ExactDecimal("0.3"))))
        #expect(try dec(t, .number("-0.00"), .decimal) == .decimal(ExactDecimal(0)))
        #expect(errorCode { try dec(t, .string("1,000.50"), .decimal) } == .invalidFormat)
        #expect(errorCode { try dec(t, .string("NaN"), .decimal) } == .invalidFormat)
    }

    @Test func currencyScalePadsAndNeverRounds() throws {
        let t = Transform.decimal(scale: 2)
        #expect(try enc(t, .decimal(try #require(ExactDecimal("1000.5"))), .currency) == .number("1000.50"))
        #expect(try enc(t, .decimal(try #require(ExactDecimal("7"))), .currency, .hubspot) == .string("7.00"))
        let w = WireValue.number("1000.50")
        #expect(try enc(t, try dec(t, w, .currency), .currency) == w)
        #expect(errorCode { try enc(t, .decimal(try #require(ExactDecimal("0.125"))), .currency) } == .invalidFormat)
    }

    @Test func picklistUnmappedPolicies() throws {
        let pairs: [(canonical: String, crm: String)] = [("open", "Open"), ("won", "Closed Won")]
        let reject = Transform.picklist(PicklistTable(outbound: pairs))
        #expect(try dec(reject, .string("Closed Won"), .picklist) == .string("won"))
        #expect(try enc(reject, .string("won"), .picklist) == .string("Closed Won"))
        #expect(errorCode { try dec(reject, .string("Stalled"), .picklist) } == .unmappedValue)
        #expect(errorCode { try enc(reject, .string("stalled"), .picklist) } == .unmappedValue)
        let pass = Transform.picklist(PicklistTable(outbound: pairs, unmapped: .passThrough))
        #expect(try dec(pass, .string("Stalled"), .picklist) == .string("Stalled"))
        #expect(try enc(pass, .string("Stalled"), .picklist) == .string("Stalled"))
        let def = Transform.picklist(PicklistTable(outbound: pairs, unmapped: .useDefault(canonical: "open", crm: "Open")))
        #expect(try dec(def, .string("Stalled"), .picklist) == .string("open"))
        #expect(try enc(def, .string("stalled"), .picklist) == .string("Open"))
    }

    @Test func manyToOneTablesReadBackToTheSameCRMValue() throws {
        let table = PicklistTable(outbound: [("qualification", "qualifiedtobuy"), ("needs_analysis", "qualifiedtobuy")],
                                  inbound: ["qualifiedtobuy": "qualification"])
        let t = Transform.picklist(table)
        let w = try enc(t, .string("needs_analysis"), .picklist, .hubspot)
        #expect(w == .string("qualifiedtobuy"))
        #expect(try dec(t, w, .picklist, .hubspot) == .string("qualification"))
        #expect(try enc(t, try dec(t, w, .picklist, .hubspot), .picklist, .hubspot) == w)
    }

    @Test func optionSetsAreIntegersOnTheWire() throws {
        let t = Transform.optionSet(PicklistTable(outbound: [("low", "0"), ("normal", "1"), ("high", "2"),
                                                             ("custom", "100000000")]))
        #expect(try dec(t, .number("2"), .picklist, .dynamics) == .string("high"))
        #expect(try dec(t, .string("100000000"), .picklist, .dynamics) == .string("custom"))
        #expect(try enc(t, .string("normal"), .picklist, .dynamics) == .number("1"))
        #expect(errorCode { try dec(t, .number("7"), .picklist, .dynamics) } == .unmappedValue)
        #expect(errorCode { try dec(t, .string("High"), .picklist, .dynamics) } == .typeMismatch)
    }

    @Test func multiSelectJoinsSortsAndDedupes() throws {
        let t = Transform.multiSelect(separator: ";", table: nil, integers: false)
        #expect(try dec(t, .string("B; A;;A "), .multipicklist) == .multiSelect(["A", "B"]))
        #expect(try enc(t, .multiSelect(["B", "A"]), .multipicklist) == .string("A;B"))
        #expect(try enc(t, .multiSelect([]), .multipicklist, .hubspot) == .string(""))
        let w = WireValue.string("A;B")
        #expect(try enc(t, try dec(t, w, .multipicklist), .multipicklist) == w)
        // Dataverse multi-select option sets: "1,2", translated item by item, in table order.
        let dv = Transform.multiSelect(separator: ",", table: PicklistTable(outbound: [("red", "2"), ("blue", "1")]), integers: true)
        #expect(try dec(dv, .string("1,2"), .multipicklist, .dynamics) == .multiSelect(["red", "blue"]))
        #expect(try enc(dv, .multiSelect(["blue", "red"]), .multipicklist, .dynamics) == .string("2,1"))
    }

    @Test func referencesGoThroughTheResolver() throws {
        let company = RecordID(high: 1, low: 2)
        var links = TableReferenceResolver()
        links.link(crm: "dynamics", object: "company", externalID: "6d81a0c2-0000-0000-0000-000000000001", to: company)
        let t = Transform.reference(bind: "/accounts({id})")
        let type = FieldType.reference(to: "company")
        #expect(try dec(t, .string("6d81a0c2-0000-0000-0000-000000000001"), type, .dynamics, resolver: links) == .reference(company))
        #expect(try dec(t, .string("/accounts(6d81a0c2-0000-0000-0000-000000000001)"), type, .dynamics, resolver: links)
                == .reference(company))
        #expect(try enc(t, .reference(company), type, .dynamics, resolver: links)
                == .string("/accounts(6d81a0c2-0000-0000-0000-000000000001)"))
        #expect(errorCode { try dec(t, .string("unknown-guid"), type, .dynamics, resolver: links) } == .unresolvedReference)
        #expect(errorCode { try enc(t, .reference(RecordID(high: 9, low: 9)), type, .dynamics, resolver: links) }
                == .unresolvedReference)
        #expect(errorCode { try dec(t, .string("x"), type, .dynamics) } == .unresolvedReference)
    }
}
