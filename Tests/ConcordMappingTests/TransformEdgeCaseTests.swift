import ConcordCore
import Testing
import ConcordMapping

/// Edge cases every transform shares: empty, blank versus absent, unicode, long values.
@Suite("Edge cases for every transform")
struct TransformEdgeCaseTests {
    static let table = PicklistTable(outbound: [("zurich", "Zürich"), ("tokyo", "東京")])
    static let all: [(Transform, FieldType)] = [
        (.plain, .string), (.plain, .bool), (.plain, .int), (.text(TextNormalization(collapse: true)), .string),
        (.email, .email), (.phone(country: "GB"), .phone), (.date(.iso, zone: nil), .date),
        (.date(.epochMillis, zone: nil), .date), (.date(.midnight, zone: "Europe/Berlin"), .date),
        (.dateTime(.salesforce, zone: nil), .datetime), (.dateTime(.local, zone: "Asia/Kolkata"), .datetime),
        (.dateTime(.offset, zone: "Australia/Sydney"), .datetime), (.decimal(scale: 2), .currency),
        (.picklist(table), .picklist), (.optionSet(PicklistTable(outbound: [("a", "1")])), .picklist),
        (.multiSelect(separator: ";", table: table, integers: false), .multipicklist),
        (.reference(bind: "/accounts({id})"), .reference(to: "company")),
    ]

    @Test func emptyAndNullReadAsBlankAndBlankWritesAsEachCRMsBlank() throws {
        for (t, type) in Self.all {
            for kind in CRMKind.allCases {
                #expect(try dec(t, .null, type, kind) == .null, "\(t)")
                #expect(try dec(t, .string(""), type, kind) == .null, "\(t)")
                let blank = try enc(t, .null, type, kind)
                #expect(blank == (kind == .hubspot ? .string("") : .null), "\(t)")
                #expect(try dec(t, blank, type, kind) == .null)
            }
        }
    }

    @Test func absentStaysAbsentAndBlankStaysBlankThroughTheMapper() throws {
        let mapper = RecordMapper(config: try ConfigLoader.defaults())
        let none = try mapper.inbound(crm: "hubspot", object: "contact", raw: ["hs_object_id": .string("512")])
        #expect(none.values.isEmpty)
        let blank = try mapper.inbound(crm: "hubspot", object: "contact", raw: ["phone": .string(""), "jobtitle": .null])
        #expect(blank.values == ["phone": .null, "job_title": .null])
        // Writing: an absent field is not sent at all, a blank one is cleared.
        #expect(try mapper.outbound(crm: "hubspot", object: "contact", values: [:]).fields.isEmpty)
        #expect(try mapper.outbound(crm: "salesforce", object: "contact", values: ["phone": .null]).fields == ["Phone": .null])
        #expect(try mapper.outbound(crm: "hubspot", object: "contact", values: ["phone": .null]).fields == ["phone": .string("")])
    }

    @Test func unicodeInTablesAndMultiSelect() throws {
        #expect(try dec(.picklist(Self.table), .string("東京"), .picklist) == .string("tokyo"))
        #expect(try dec(.picklist(Self.table), .string(" Zürich "), .picklist) == .string("zurich"))
        #expect(try enc(.picklist(Self.table), .string("zurich"), .picklist) == .string("Zürich"))
        let ms = Transform.multiSelect(separator: ";", table: Self.table, integers: false)
        #expect(try dec(ms, .string("東京;Zürich"), .multipicklist) == .multiSelect(["tokyo", "zurich"]))
        #expect(try enc(ms, .multiSelect(["tokyo", "zurich"]), .multipicklist) == .string("Zürich;東京"))
        let plain = Transform.multiSelect(separator: ";", table: nil, integers: false)
        #expect(errorCode { try enc(plain, .multiSelect(["a;b"]), .multipicklist) } == .invalidFormat)
        #expect(errorCode { try enc(plain, .multiSelect([" "]), .multipicklist) } == .invalidFormat)
    }

    @Test func longValues() throws {
        let long = String(repeating: "Ωmega ", count: 20_000)
        let t = Transform.text(TextNormalization(collapse: true))
        guard case .string(let s) = try dec(t, .string(long), .string) else { Issue.record("not text"); return }
        #expect(s.count == long.count - 1)
        #expect(try enc(t, .string(s), .string) == .string(s))
        let digits = String(repeating: "9", count: 400) + "." + String(repeating: "1", count: 400)
        #expect(try enc(.decimal(scale: nil), try dec(.decimal(scale: nil), .number(digits), .decimal), .decimal) == .number(digits))
        let many = Set((0..<5_000).map { "item\($0)" })
        let ms = Transform.multiSelect(separator: ";", table: nil, integers: false)
        #expect(try dec(ms, try enc(ms, .multiSelect(many), .multipicklist), .multipicklist) == .multiSelect(many))
        // The canonical limit counts characters, not bytes: 128 emoji fit job_title (max 128).
        let v = Validator(config: try ConfigLoader.defaults())
        #expect(v.validate(object: "contact", recordKey: "k", values: ["job_title": .string(String(repeating: "🚀", count: 128))],
                           isCreate: false).isEmpty)
        #expect(v.validate(object: "contact", recordKey: "k", values: ["job_title": .string(String(repeating: "🚀", count: 129))],
                           isCreate: false).map(\.rule) == [.maxLength])
    }
}
