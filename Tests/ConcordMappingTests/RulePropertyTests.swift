import ConcordCore
import ConcordMapping
import Foundation
import PropertyBased
import Testing

/// Property tests: with rules applied as write filters, merge stays a lattice join and
/// every rule means what it says, on random write histories. PropertyBased draws the seeds
/// (and prints the failing one); stamps come from a small pool, so equal stamps (also with
/// different values, the tie broken by value bytes) occur in most histories.
@Suite("Per-field rules keep merge a join")
struct RulePropertyTests {
    static let crms = ["salesforce", "hubspot", "dynamics"]
    static let rules: [SyncRule] = [.twoWay, .oneWay(from: "salesforce"), .prefer("salesforce"), .dontSync]
    static let values: [Value] = [.null, .string(""), .string("a"), .string("b"), .int(1)]

    struct Write {
        var writer: String
        var register: FieldRegister
    }

    /// Writes with stamps drawn from 3 millis x 2 counters x the writer's site (or, one time
    /// in four, another CRM's site, so equal stamps also come from different writers).
    static func randomWrites(_ rng: inout SplitMix64, count: Int) -> [Write] {
        (0..<count).map { _ in
            let w = Int(rng.next() % 3)
            let hlc = HLCTimestamp(millis: 1_000 + rng.next() % 3, counter: rng.next() % 2)
            let site = rng.next() % 4 == 0 ? rng.next() % 3 : UInt64(w)
            let stamp = Stamp(hlc: hlc, site: SiteID(rawValue: site + 1))
            return Write(writer: crms[w], register: FieldRegister(value: values[Int(rng.next() % 5)], stamp: stamp))
        }
    }

    static func state(_ writes: [Write], rule: SyncRule) -> RecordState {
        writes.reduce(RecordState()) { s, w in
            RuleFilter.apply(field: "f", rule: rule, writer: w.writer, register: w.register, to: s)
        }
    }

    /// Whether a history holds two writes with one stamp and different values.
    static func hasTie(_ writes: [Write]) -> Bool {
        let byStamp = Dictionary(grouping: writes, by: \.register.stamp)
        return byStamp.values.contains { Set($0.map(\.register.value.canonicalBytes)).count > 1 }
    }

    @Test("merge of rule-filtered states is commutative, associative, idempotent and order-independent", arguments: rules)
    func mergeIsCommutativeAssociativeIdempotent(rule: SyncRule) async {
        let ties = RuleTieCounter()
        await propertyCheck(count: 500, input: Gen.uint64()) { seed in
            var rng = SplitMix64(seed: seed)
            let writes = Self.randomWrites(&rng, count: Int(rng.next() % 12))
            if Self.hasTie(writes) { ties.increment() }
            let a = Self.state(writes.filter { _ in rng.next() % 2 == 0 }, rule: rule)
            let b = Self.state(writes.filter { _ in rng.next() % 2 == 0 }, rule: rule)
            let c = Self.state(writes.filter { _ in rng.next() % 2 == 0 }, rule: rule)
            let m = { (x: RecordState, y: RecordState) in merge(local: x, remote: y).state }
            #expect(m(a, b) == m(b, a), "commutativity, rule \(rule), seed \(seed)")
            #expect(m(m(a, b), c) == m(a, m(b, c)), "associativity, rule \(rule), seed \(seed)")
            #expect(m(a, a) == a, "idempotence, rule \(rule), seed \(seed)")
            // Any delivery order of all writes converges to the same state and value.
            let all = Self.state(writes, rule: rule)
            let shuffled = Self.state(writes.shuffled(using: &rng), rule: rule)
            #expect(all == shuffled, "order independence, rule \(rule), seed \(seed)")
            #expect(m(m(a, b), m(c, all)) == all, "convergence, rule \(rule), seed \(seed)")
        }
        #expect(ties.value >= 100, "equal stamps with different values were drawn often (\(ties.value) of 500 histories)")
    }

    @Test("the effective value is what the rule says, equal stamps included", arguments: rules)
    func effectiveValueFollowsTheRule(rule: SyncRule) async {
        let ties = RuleTieCounter()
        await propertyCheck(count: 500, input: Gen.uint64()) { seed in
            var rng = SplitMix64(seed: seed)
            let writes = Self.randomWrites(&rng, count: Int(rng.next() % 12))
            if Self.hasTie(writes) { ties.increment() }
            let state = Self.state(writes.shuffled(using: &rng), rule: rule)
            let got = RuleFilter.effective(field: "f", rule: rule, in: state)
            // The latest write by (stamp, then value bytes), written out independently of
            // FieldRegister's own comparison.
            let latest = { (ws: [Write]) in
                ws.map(\.register).max { x, y in
                    x.stamp != y.stamp ? x.stamp < y.stamp : x.value.canonicalBytes.lexicographicallyPrecedes(y.value.canonicalBytes)
                }
            }
            let expected: FieldRegister?
            switch rule {
            case .twoWay: expected = latest(writes)
            case .oneWay(let x): expected = latest(writes.filter { $0.writer == x })
            case .dontSync: expected = nil
            case .prefer(let x):
                if let own = latest(writes.filter { $0.writer == x }), !own.value.isBlank {
                    expected = own
                } else {
                    expected = latest(writes.filter { $0.writer != x || !$0.register.value.isBlank })
                }
            }
            #expect(got == expected, "rule \(rule), seed \(seed)")
        }
        #expect(ties.value >= 100, "equal stamps with different values were drawn often (\(ties.value) of 500 histories)")
    }

    @Test func preferUnlessBlankHandsPrecedenceBackWhenThePreferredCRMClears() {
        let rule = SyncRule.prefer("salesforce")
        func w(_ crm: String, _ v: Value, _ t: UInt64) -> FieldRegister {
            FieldRegister(value: v, stamp: Stamp(hlc: HLCTimestamp(millis: t), site: SiteID(rawValue: crm == "salesforce" ? 1 : 2)))
        }
        var s = RecordState()
        s = RuleFilter.apply(field: "phone", rule: rule, writer: "hubspot", register: w("hubspot", .string("+1 hs"), 1), to: s)
        #expect(RuleFilter.effective(field: "phone", rule: rule, in: s)?.value == .string("+1 hs"))
        s = RuleFilter.apply(field: "phone", rule: rule, writer: "salesforce", register: w("salesforce", .string("+1 sf"), 2), to: s)
        // A later HubSpot edit does not beat Salesforce's non-blank value.
        s = RuleFilter.apply(field: "phone", rule: rule, writer: "hubspot", register: w("hubspot", .string("+1 hs2"), 3), to: s)
        #expect(RuleFilter.effective(field: "phone", rule: rule, in: s)?.value == .string("+1 sf"))
        // Salesforce blanks it: the latest other edit wins again, and nobody is blanked.
        s = RuleFilter.apply(field: "phone", rule: rule, writer: "salesforce", register: w("salesforce", .null, 4), to: s)
        #expect(RuleFilter.effective(field: "phone", rule: rule, in: s)?.value == .string("+1 hs2"))
        // A blank value is different from never set: a one-way field from a CRM that never wrote is absent.
        #expect(RuleFilter.effective(field: "phone", rule: .oneWay(from: "dynamics"), in: RecordState()) == nil)
    }

    @Test func mapperSkipsFieldsACRMMayNotWrite() throws {
        let config = try ConfigLoader.load(text: """
        objects:
          contact:
            fields:
              email: {type: email, rule: {one-way: hubspot}}
              job_title: {type: string, rule: none}
        """, file: "concord.yaml")
        let mapper = RecordMapper(config: config)
        // A bad email from Salesforce is not even read: Salesforce may not write it.
        let r = try mapper.inbound(crm: "salesforce", object: "contact",
                                   raw: ["Email": .number("12"), "Title": .string("CTO"), "LastName": .string("Lee")])
        #expect(r.failures.isEmpty)
        #expect(r.values == ["last_name": .string("Lee")])
        let h = try mapper.inbound(crm: "hubspot", object: "contact", raw: ["email": .string("A@X.COM")])
        #expect(h.values == ["email": .string("a@x.com")])
        #expect(try mapper.outbound(crm: "salesforce", object: "contact", values: ["job_title": .string("CTO")]).fields.isEmpty)
    }
}

@Suite("Record-level rules for the engine")
struct RecordRulesTests {
    @Test func inboundChangesFromTwoCRMsMergeByRule() throws {
        let config = try ConfigLoader.load(text: """
        objects:
          contact:
            fields:
              job_title: {type: string, rule: {prefer: salesforce}}
              email: {type: email, rule: {one-way: hubspot}}
              city: {type: string, rule: none}
        """, file: "concord.yaml")
        let rules = RecordRules(config: config)
        func stamp(_ ms: UInt64, _ site: UInt64) -> Stamp { Stamp(hlc: HLCTimestamp(millis: ms), site: SiteID(rawValue: site)) }
        let sf = rules.registers(object: "contact", writer: "salesforce",
                                 values: ["job_title": .string("CTO"), "email": .string("sf@x.com"),
                                          "phone": .string("+1"), "city": .string("Paris")], stamp: stamp(10, 1))
        #expect(Set(sf.keys) == ["job_title", "job_title@salesforce", "phone"])
        let hs = rules.registers(object: "contact", writer: "hubspot",
                                 values: ["job_title": .string("Chief"), "email": .string("hs@x.com"), "phone": .string("+2")],
                                 stamp: stamp(20, 2))
        let a = merge(local: RecordState(fields: sf), remote: RecordState(fields: hs)).state
        let b = merge(local: RecordState(fields: hs), remote: RecordState(fields: sf)).state
        #expect(a == b)
        let values = rules.effectiveValues(object: "contact", in: a)
        #expect(values == ["job_title": .string("CTO"), "email": .string("hs@x.com"), "phone": .string("+2")])
        #expect(rules.effectiveRegisters(object: "contact", in: a)["job_title"]?.stamp.site == SiteID(rawValue: 1))
    }
}

/// Counts property-test inputs with a given trait (the check closure is @Sendable).
final class RuleTieCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    var value: Int { lock.withLock { n } }
    func increment() { lock.withLock { n += 1 } }
}
