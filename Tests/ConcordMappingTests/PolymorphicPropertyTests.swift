import ConcordCore
import PropertyBased
import Testing
import ConcordMapping

/// Projection laws on random group values (PropertyBased prints the seed of a failing run).
@Suite("Polymorphic group projection properties")
struct PolymorphicPropertyTests {
    /// Every default mapping with a group.
    static let grouped: [(crm: String, object: String)] = Poly.config.mappings
        .filter { !$0.groups.isEmpty && CRMKind(rawValue: $0.crm) != nil }
        .map { ($0.crm, $0.object) }

    /// A member's value from a choice: 0 absent, 1 blank, 2 and 3 two records of its object.
    static func values(_ choices: [Int], mapping: ObjectMapping) -> [String: Value] {
        var out: [String: Value] = [:]
        for (i, name) in mapping.groups.flatMap({ $0 }).enumerated() {
            let target = Poly.objects.first { name == $0 } ?? name
            switch choices[i % choices.count] {
            case 1: out[name] = .null
            case 2: out[name] = Poly.ref(target, 1)
            case 3: out[name] = Poly.ref(target, 2)
            default: break
            }
        }
        return out
    }

    @Test func thereAreGroupsToCheck() {
        #expect(Self.grouped.count == 10, "\(Self.grouped)")
    }

    @Test func projectingTwiceIsProjectingOnce() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...3).array(of: 3)) { choices in
            for (crm, object) in Self.grouped {
                let m = Poly.mapping(crm, object)
                let v = Self.values(choices, mapping: m).merging(["subject": .string("kept")]) { a, _ in a }
                let once = m.projectGroups(v)
                #expect(m.projectGroups(once) == once, "\(crm) \(object) \(choices)")
                #expect(once["subject"] == .string("kept"))
                // At most one member of a group holds a value afterwards.
                for group in m.groups {
                    #expect(group.filter { once[$0].map { !$0.isBlank } ?? false }.count <= 1, "\(crm) \(object) \(choices)")
                }
            }
        }
    }

    @Test func aRoundTripThroughTheCRMReadsBackTheProjection() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...3).array(of: 3)) { choices in
            for (crm, object) in Self.grouped {
                let m = Poly.mapping(crm, object)
                let v = Self.values(choices, mapping: m)
                let out = try Poly.mapper.outbound(crm: crm, object: object, values: v, isCreate: true)
                #expect(out.failures.isEmpty, "\(crm) \(object) \(choices): \(out.failures)")
                let back = try Poly.mapper.inbound(crm: crm, object: object, raw: Poly.readBack(out.fields, mapping: m))
                #expect(back.failures.isEmpty, "\(crm) \(object) \(choices): \(back.failures)")
                // (Written as a create, so create defaults of other fields come back too: compare the groups.)
                let grouped = Set(m.groups.flatMap { $0 })
                let read = back.values.filter { grouped.contains($0.key) }
                #expect(m.projectGroups(read) == m.projectGroups(v), "\(crm) \(object) \(choices)")
                #expect(read == m.projectGroups(v), "\(crm) \(object) \(choices)")
                // The projection is what gets written: writing it changes nothing in the CRM.
                let projected = try Poly.mapper.outbound(crm: crm, object: object, values: m.projectGroups(v), isCreate: true)
                #expect(projected.fields == out.fields, "\(crm) \(object) \(choices)")
            }
        }
    }
}
