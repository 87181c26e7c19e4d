import ConcordCore
import PropertyBased
import Testing

/// The CRDT laws of the merge, on random inputs. PropertyBased draws the seeds (and prints
/// the failing one); each seed builds states with frequent equal stamps.
@Suite("Merge laws")
struct MergeLawTests {
    @Test("registers: commutative, associative, idempotent")
    func registerLaws() async {
        await propertyCheck(count: 2_000, input: Gen.uint64()) { seed in
            var r = RandomStates(seed: seed)
            let a = r.register(), b = r.register(), c = r.register()
            #expect(a.merged(with: b) == b.merged(with: a), "seed \(seed)")
            #expect(a.merged(with: b).merged(with: c) == a.merged(with: b.merged(with: c)), "seed \(seed)")
            #expect(a.merged(with: a) == a, "seed \(seed)")
        }
    }

    @Test("record states: commutative, associative, idempotent")
    func stateLaws() async {
        await propertyCheck(count: 2_000, input: Gen.uint64()) { seed in
            var r = RandomStates(seed: seed)
            let a = r.state(), b = r.state(), c = r.state()
            #expect(merge(local: a, remote: b).state == merge(local: b, remote: a).state, "seed \(seed)")
            let left = merge(local: merge(local: a, remote: b).state, remote: c).state
            let right = merge(local: a, remote: merge(local: b, remote: c).state).state
            #expect(left == right, "seed \(seed)")
            let same = merge(local: a, remote: a)
            #expect(same.state == a && !same.changed, "seed \(seed)")
        }
    }

    @Test("whole states: any delivery order of many states gives one result")
    func wholeStateOrderIndependence() async {
        await propertyCheck(count: 300, input: Gen.uint64()) { seed in
            var r = RandomStates(seed: seed)
            let states = (0..<6).map { _ in r.state() }
            var orders = [states, states.reversed()]
            var shuffled = states + states.prefix(2)   // duplicated deliveries
            shuffled.shuffle(using: &r.rng)
            orders.append(shuffled)
            let results = orders.map { order in order.reduce(RecordState(causalLength: 0)) { merge(local: $0, remote: $1).state } }
            #expect(results.allSatisfy { $0 == results[0] }, "seed \(seed)")
        }
    }

    @Test("changedFields lists exactly the fields whose register differs from local")
    func changedFieldsAreExact() async {
        await propertyCheck(count: 1_000, input: Gen.uint64()) { seed in
            var r = RandomStates(seed: seed)
            let a = r.state(), b = r.state()
            let outcome = merge(local: a, remote: b)
            let expected = Set(outcome.state.fields.keys.filter { outcome.state[$0] != a[$0] })
            #expect(Set(outcome.changedFields) == expected, "seed \(seed)")
            #expect(outcome.existenceChanged == (outcome.state.causalLength != a.causalLength), "seed \(seed)")
        }
    }

    @Test("equal stamps with different values resolve by value bytes and raise an alarm")
    func integrityAlarm() {
        let s = Stamp(hlc: HLCTimestamp(millis: 10), site: SiteID(rawValue: 1))
        let a = RecordState(fields: ["f": FieldRegister(value: .string("a"), stamp: s)])
        let b = RecordState(fields: ["f": FieldRegister(value: .string("b"), stamp: s)])
        let ab = merge(local: a, remote: b), ba = merge(local: b, remote: a)
        #expect(ab.state == ba.state)
        #expect(ab.state["f"]?.value == .string("b"))
        #expect(ab.integrityAlarms == 1 && ba.integrityAlarms == 1)
    }

    @Test("a concurrent update does not resurrect a delete; restore does")
    func existence() {
        let s1 = Stamp(hlc: HLCTimestamp(millis: 1), site: SiteID(rawValue: 1))
        let s2 = Stamp(hlc: HLCTimestamp(millis: 2), site: SiteID(rawValue: 2))
        var deleted = RecordState(fields: ["f": FieldRegister(value: .string("old"), stamp: s1)])
        deleted.delete()
        let update = RecordState(fields: ["f": FieldRegister(value: .string("new"), stamp: s2)])
        let merged = merge(local: deleted, remote: update).state
        #expect(!merged.isAlive)
        #expect(merged["f"]?.value == .string("new"), "the deleted record keeps its last state")
        var restored = merged
        restored.restore()
        #expect(restored.isAlive && restored.causalLength == 3)
        #expect(merge(local: merged, remote: restored).state.isAlive)
    }

    @Test("two edits of different fields both survive; the same field goes to the later edit")
    func fieldLevel() {
        let hubspot = SiteID(rawValue: 10), salesforce = SiteID(rawValue: 20)
        let base = RecordState(fields: [
            "phone": FieldRegister(value: .string("+1 555 0100"), stamp: Stamp(hlc: HLCTimestamp(millis: 100), site: hubspot)),
            "title": FieldRegister(value: .string("Engineer"), stamp: Stamp(hlc: HLCTimestamp(millis: 100), site: hubspot)),
        ])
        var fromHubSpot = base, fromSalesforce = base
        fromHubSpot["phone"] = FieldRegister(value: .string("+1 555 0199"), stamp: Stamp(hlc: HLCTimestamp(millis: 200), site: hubspot))
        fromSalesforce["title"] = FieldRegister(value: .string("CTO"), stamp: Stamp(hlc: HLCTimestamp(millis: 150), site: salesforce))
        fromSalesforce["phone"] = FieldRegister(value: .string("+1 555 0111"), stamp: Stamp(hlc: HLCTimestamp(millis: 120), site: salesforce))
        let merged = merge(local: fromHubSpot, remote: fromSalesforce).state
        #expect(merged["phone"]?.value == .string("+1 555 0199"))
        #expect(merged["title"]?.value == .string("CTO"))
    }
}
