import ConcordCore
import Testing
import ConcordMapping

@Suite("Every default mapping round-trips through each CRM's representation")
struct DefaultRoundTripTests {
    /// Sample canonical values for a field that the field's transform can represent.
    static func samples(_ f: CanonicalField, _ fm: FieldMapping) -> [Value] {
        allSamples(f, fm).filter { v in
            // An integer column (`decimal` with `scale: 0`) cannot hold 0.1: validation stops such values.
            if case .decimal(let d) = v, case .decimal(let scale?) = fm.transform { return d.scale <= scale }
            return true
        }
    }

    static func allSamples(_ f: CanonicalField, _ fm: FieldMapping) -> [Value] {
        switch f.type {
        case .string where f.format == .domain: return [.string("example.com"), .string("bücher.de"), .null]
        case .string: return [.string("Ada Lovelace"), .string("Zoë Ångström 🚀"), .null]
        case .email: return [.string("ann.lee@example.com"), .null]
        case .phone: return [.string("+14155550132"), .string("+442079460958"), .null]
        case .bool: return [.bool(true), .bool(false), .null]
        case .int: return [.int(0), .int(42), .int(-7), .null]
        case .decimal: return ["0.1", "0.3", "12345.678", "-2"].compactMap { ExactDecimal($0).map(Value.decimal) } + [.null]
        case .currency: return ["0.1", "0.3", "1000.5", "7"].compactMap { ExactDecimal($0).map(Value.decimal) } + [.null]
        case .date:
            return [CalendarDate(year: 2024, month: 2, day: 29), CalendarDate(year: 1999, month: 12, day: 31)]
                .compactMap { $0.map(Value.date) } + [.null]
        case .datetime: return [.dateTime(utc(2024, 3, 31, 1, 30)), .dateTime(utc(1999, 12, 31, 23, 59, 59, ms: 250)), .null]
        case .picklist:
            var values = f.values ?? []
            switch fm.transform {
            case .picklist(let t), .optionSet(let t): values = t.outbound.map(\.canonical)
            default: break
            }
            return (values.isEmpty ? ["anything"] : values).map(Value.string) + [.null]
        case .multipicklist:
            let v = f.values ?? ["a", "b"]
            return [.multiSelect(Set(v.prefix(2))), .multiSelect([]), .null]
        case .reference: return [.reference(RecordID(high: 0xC0FFEE, low: 42)), .null]
        }
    }

    static func resolver(_ config: ConcordConfig) -> TableReferenceResolver {
        var links = TableReferenceResolver()
        for crm in config.activeCRMs {
            for o in config.objects {
                links.link(crm: crm, object: o.name, externalID: "ext-\(o.name)-42", to: RecordID(high: 0xC0FFEE, low: 42))
            }
        }
        return links
    }

    @Test(arguments: CRMKind.allCases)
    func fieldByField(kind: CRMKind) throws {
        let config = try ConfigLoader.defaults()
        let links = Self.resolver(config)
        var checked = 0
        for o in config.objects {
            let m = try #require(config.mapping(crm: kind.rawValue, object: o.name))
            for fm in m.fields {
                let f = try #require(o.field(fm.canonical))
                let ctx = TransformContext(crm: kind.rawValue, kind: kind, type: f.type, resolver: links)
                for v in Self.samples(f, fm) {
                    let w = try fm.transform.encode(v, context: ctx)
                    let back = try fm.transform.decode(w, context: ctx)
                    // The CRM value survives reading and writing back, always.
                    #expect(try fm.transform.encode(back, context: ctx) == w, "\(kind) \(o.name).\(f.name) \(v) -> \(w)")
                    // The canonical value survives too, except where a table maps several values onto one.
                    if back != v {
                        guard case .string(let c) = v, let table = fm.transform.table, let crmValue = table.crmValue(for: c),
                              table.outbound.filter({ $0.crm == crmValue }).count > 1 else {
                            Issue.record("\(kind) \(o.name).\(f.name): \(v) came back as \(back)"); continue
                        }
                        #expect(back == .string(table.inbound[crmValue] ?? ""))
                    }
                    checked += 1
                }
            }
        }
        #expect(checked > 150)
    }

    @Test(arguments: CRMKind.allCases)
    func wholeRecordsThroughTheMapper(kind: CRMKind) throws {
        let config = try ConfigLoader.defaults()
        let mapper = RecordMapper(config: config, resolver: Self.resolver(config))
        var groupsChecked = 0
        for o in config.objects {
            let m = try #require(config.mapping(crm: kind.rawValue, object: o.name))
            var full: [String: Value] = [:]
            for fm in m.fields where !fm.readOnly {
                guard let f = o.field(fm.canonical), RuleFilter.mayWrite(f.rule, writer: kind.rawValue) else { continue }
                full[f.name] = Self.samples(f, fm).first
            }
            // Round `b` blanks the first `b` members of every polymorphic group, so each member
            // in turn is the one written, and finally none is.
            let depth = m.groups.map(\.count).max() ?? 0
            for blanked in 0...depth {
                var values = full
                for group in m.groups { for name in group.prefix(blanked) where values[name] != nil { values[name] = .null } }
                groupsChecked += m.groups.count
                // (As a create: create-only fields are written then.)
                let out = try mapper.outbound(crm: kind.rawValue, object: o.name, values: values, isCreate: true)
                #expect(out.failures.isEmpty, "\(out.failures)")
                // What the CRM stores under its write names, it returns under its read names.
                var raw: [String: WireValue] = [:]
                for fm in m.fields where !fm.readOnly { if let w = out.fields[fm.writeField] { raw[fm.crmField] = w } }
                let back = try mapper.inbound(crm: kind.rawValue, object: o.name, raw: raw)
                #expect(back.failures.isEmpty, "\(back.failures)")
                // A group holds one of its members: the CRM returns the projection of what was written.
                let expected = m.projectGroups(values)
                for (name, v) in expected {
                    let got = back.values[name]
                    if got != v, case .string(let c) = v, let t = m.field(name)?.transform.table, let w = t.crmValue(for: c) {
                        #expect(got == .string(t.inbound[w] ?? ""), "\(kind) \(o.name).\(name)")
                    } else {
                        #expect(got == v, "\(kind) \(o.name).\(name), first \(blanked) group members blank")
                    }
                }
                let again = try mapper.outbound(crm: kind.rawValue, object: o.name, values: back.values, isCreate: true)
                #expect(again.fields == out.fields, "\(kind) \(o.name): writing back changed the CRM record")
            }
        }
        // Salesforce and Dataverse keep activities' references in polymorphic fields.
        #expect(kind == .hubspot ? groupsChecked == 0 : groupsChecked > 10)
    }
}

extension Transform {
    /// The value table of a picklist or option-set transform.
    var table: PicklistTable? {
        switch self {
        case .picklist(let t), .optionSet(let t): return t
        case .multiSelect(_, let t, _): return t
        default: return nil
        }
    }
}
