@testable import ConcordStore
import ConcordCore
import Foundation
import Testing

@Suite("Store behaviour")
struct StoreBehaviourTests {
    func register(_ v: String, _ millis: UInt64, site: UInt64 = 1) -> FieldRegister {
        FieldRegister(value: .string(v), stamp: Stamp(hlc: HLCTimestamp(millis: millis), site: SiteID(rawValue: site)))
    }

    @Test("changes after a cursor: an ordered, paged range scan carrying only newer registers")
    func changesAfter() throws {
        let clock = ManualClock(1_000_000)
        let store = try ConcordStore.open(path: ":memory:", wallClock: clock.wallClock)
        var rng = SplitMix64(seed: 5)
        let ids = (0..<25).map { _ in RecordID.random(using: &rng) }
        for id in ids { try store.write(id, objectType: "contact", fields: ["email": .string("\(id)@x.io"), "title": .string("t")]) }
        let mark = try store.changes(after: .start, limit: 10_000).next
        #expect(mark.floor == mark.after, "a complete read moves the floor")
        try store.write(ids[3], objectType: "contact", fields: ["title": .string("CTO")])
        try store.delete(ids[7])
        var cursor = mark
        var seen: [RecordChange] = []
        while true {
            let page = try store.changes(after: cursor, limit: 1)
            seen += page.changes
            cursor = page.next
            if !page.hasMore { break }
        }
        #expect(seen.map(\.id) == [ids[3], ids[7]])
        #expect(Set(seen[0].state.fields.keys) == ["title"], "only the register changed after the mark")
        #expect(seen[1].state.entries.isEmpty && !seen[1].state.isAlive)
    }

    @Test("a record updated while a reader is between pages still brings its older registers")
    func recordMovesPastPageBoundary() throws {
        let store = try ConcordStore.open(path: ":memory:", wallClock: .constant(1_000_000))
        let reader = try ConcordStore.open(path: ":memory:", wallClock: .constant(1_000_000))
        let a = RecordID(high: 1, low: 1), b = RecordID(high: 1, low: 2)
        try store.write(a, objectType: "contact", fields: ["email": .string("a@x.io")])
        try store.write(b, objectType: "contact", fields: ["email": .string("b@x.io"), "phone": .string("1")])
        let first = try store.changes(after: .start, limit: 1)      // only a
        _ = try reader.merge(first.changes)
        try store.write(b, objectType: "contact", fields: ["phone": .string("2")])  // b moves past the page
        let second = try store.changes(after: first.next, limit: 10)
        _ = try reader.merge(second.changes)
        #expect(try reader.digest() == store.digest())
        #expect(try reader.record(b)?.state["email"]?.value == .string("b@x.io"))
    }

    @Test("a record whose timestamp is too far ahead is quarantined with the reason, not merged")
    func skewQuarantine() throws {
        let now: UInt64 = 1_700_000_000_000
        let store = try ConcordStore.open(path: ":memory:", wallClock: .constant(now))
        let good = RecordChange(id: RecordID(high: 1, low: 1), objectType: "contact", state: RecordState(fields: ["a": register("ok", now)]))
        let bad = RecordChange(id: RecordID(high: 1, low: 2), objectType: "contact",
                               state: RecordState(fields: ["a": register("future", now + 120_000)]))
        let result = try store.merge([good, bad], origin: "hubspot")
        #expect(result.quarantined.map(\.id) == [bad.id] && result.recordsInserted == 1)
        #expect(try store.record(bad.id) == nil)
        let rows = try store.quarantined()
        #expect(rows.count == 1 && rows[0].rule == "clock-skew" && rows[0].replica == "hubspot")
        #expect(rows[0].reason.contains("120000 ms ahead"))
        #expect(ChangeCodec.decode(rows[0].input) == bad, "the exact input is kept")
        #expect(store.clock.last.millis < now + 120_000, "the bad clock was not adopted")
    }

    @Test("an interrupted batch leaves the store exactly as before")
    func interruptedBatch() throws {
        let store = try ConcordStore.open(path: ":memory:", wallClock: .constant(1_000))
        var rng = SplitMix64(seed: 11)
        let first = (0..<20).map { _ in RecordChange(id: .random(using: &rng), objectType: "contact", state: RecordState(fields: ["a": register("x", 5)])) }
        _ = try store.merge(first)
        let digest = try store.digest(), count = try store.count(), clock = store.clock, seq = store.nextSequence
        try store.db.execute("CREATE TEMP TRIGGER fail BEFORE INSERT ON entities WHEN NEW.cl = 99 BEGIN SELECT RAISE(ABORT, 'injected failure'); END")
        var second = (0..<20).map { _ in RecordChange(id: .random(using: &rng), objectType: "company", state: RecordState(fields: ["b": register("y", 900)])) }
        second[13].state.causalLength = 99
        #expect(throws: StoreError.self) { try store.merge(second) }
        #expect(try store.digest() == digest && store.count() == count)
        #expect(store.clock == clock && store.nextSequence == seq)
        #expect(store.typeIDs["company"] == nil, "interned names of the failed batch are forgotten")
        try store.db.execute("DROP TRIGGER fail")
        second[13].state.causalLength = 1
        #expect(try store.merge(second).recordsInserted == 20)
    }

    @Test("the clock survives a restart and never goes back")
    func restartSafety() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let clock = ManualClock(2_000_000)
        var store: ConcordStore? = try ConcordStore.open(path: dir.file("a.sqlite"), wallClock: clock.wallClock)
        let site = store!.siteID
        var last = Stamp.zero
        for i in 0..<5 { last = try store!.write(RecordID(high: 0, low: UInt64(i)), objectType: "contact", fields: ["n": .int(Int64(i))]) }
        store = nil
        clock.now = 1_000  // the wall clock went far back while we were down
        let reopened = try ConcordStore.open(path: dir.file("a.sqlite"), wallClock: clock.wallClock)
        #expect(reopened.siteID == site)
        let next = try reopened.write(RecordID(high: 0, low: 9), objectType: "contact", fields: ["n": .int(9)])
        #expect(next > last)
    }

    @Test("an object-type clash is quarantined, not merged")
    func objectTypeClash() throws {
        let store = try ConcordStore.open(path: ":memory:", wallClock: .constant(1_000))
        let id = RecordID(high: 3, low: 3)
        _ = try store.merge([RecordChange(id: id, objectType: "contact", state: RecordState(fields: ["a": register("x", 5)]))])
        let r = try store.merge([RecordChange(id: id, objectType: "deal", state: RecordState(fields: ["a": register("y", 6)]))])
        #expect(r.quarantined.first?.rule == "object-type")
        #expect(try store.record(id)?.state["a"]?.value == .string("x"))
    }
}
