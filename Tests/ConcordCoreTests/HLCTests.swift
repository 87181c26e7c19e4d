import ConcordCore
import PropertyBased
import Testing

@Suite("Hybrid logical clock")
struct HLCTests {
    @Test("packing: 48-bit millis, 16-bit counter, order is (millis, counter)")
    func packing() {
        let t = HLCTimestamp(millis: 1_700_000_000_123, counter: 7)
        #expect(t.millis == 1_700_000_000_123 && t.counter == 7)
        #expect(HLCTimestamp(millis: 5, counter: 65_535) < HLCTimestamp(millis: 6, counter: 0))
        #expect(HLCTimestamp(millis: 5, counter: 65_535).successor == HLCTimestamp(millis: 6, counter: 0))
    }

    @Test("tick is strictly monotonic under random wall-clock jumps, backward ones included")
    func monotonicTick() async {
        await propertyCheck(count: 200, input: Gen.uint64()) { seed in
            var rng = SplitMix64(seed: seed)
            var clock = HybridLogicalClock()
            var wall: UInt64 = 1_000_000
            var last = HLCTimestamp.zero
            for _ in 0..<500 {
                let jump = Int64(rng.next() % 2001) - 1000  // -1 s ... +1 s
                wall = UInt64(max(0, Int64(wall) + jump))
                let t = clock.tick(wallMillis: wall)
                #expect(t > last, "seed \(seed)")
                // Never behind the wall clock, never ahead of what the wall clock and the last
                // tick demand (the counter does not overflow in 500 ticks).
                #expect(t.millis >= wall, "seed \(seed)")
                #expect(t.millis == max(wall, last.millis), "seed \(seed)")
                #expect(t.millis > last.millis ? t.counter == 0 : t.counter == last.counter + 1, "seed \(seed)")
                last = t
            }
        }
    }

    @Test("a full counter carries into the milliseconds")
    func overflow() {
        var clock = HybridLogicalClock(last: HLCTimestamp(millis: 1_000, counter: HLCTimestamp.maxCounter))
        let t = clock.tick(wallMillis: 1_000)
        #expect(t == HLCTimestamp(millis: 1_001, counter: 0))
        var frozen = HybridLogicalClock()
        var prev = HLCTimestamp.zero
        for _ in 0..<70_000 {  // more ticks than the counter holds, wall clock stuck
            let next = frozen.tick(wallMillis: 50)
            #expect(next > prev)
            prev = next
        }
        #expect(prev.millis == 51)
    }

    @Test("receive follows the paper's rule")
    func receive() throws {
        var clock = HybridLogicalClock(last: HLCTimestamp(millis: 100, counter: 2))
        // remote ahead: adopt its millis, counter + 1
        #expect(try clock.receive(HLCTimestamp(millis: 150, counter: 4), wallMillis: 120) == HLCTimestamp(millis: 150, counter: 5))
        // physical time ahead of both: reset counter
        #expect(try clock.receive(HLCTimestamp(millis: 150, counter: 9), wallMillis: 200) == HLCTimestamp(millis: 200, counter: 0))
        // all equal millis: max counter + 1
        var c2 = HybridLogicalClock(last: HLCTimestamp(millis: 300, counter: 3))
        #expect(try c2.receive(HLCTimestamp(millis: 300, counter: 8), wallMillis: 250) == HLCTimestamp(millis: 300, counter: 9))
        // local ahead
        #expect(try c2.receive(HLCTimestamp(millis: 10, counter: 8), wallMillis: 250) == HLCTimestamp(millis: 300, counter: 10))
    }

    @Test("the skew guard rejects timestamps too far ahead, saying by how much, and leaves the clock alone")
    func skewGuard() {
        var clock = HybridLogicalClock(last: HLCTimestamp(millis: 1_000), maxOffsetMillis: 60_000)
        let before = clock
        #expect(throws: ClockError.aheadOfLocalClock(remote: HLCTimestamp(millis: 100_001), localMillis: 40_000,
                                                     aheadByMillis: 60_001, maxOffsetMillis: 60_000)) {
            try clock.receive(HLCTimestamp(millis: 100_001), wallMillis: 40_000)
        }
        #expect(clock == before)
        #expect((try? clock.receive(HLCTimestamp(millis: 100_000), wallMillis: 40_000)) != nil, "exactly at the limit is accepted")
        let message = ClockError.aheadOfLocalClock(remote: .zero, localMillis: 0, aheadByMillis: 61_000, maxOffsetMillis: 60_000).description
        #expect(message.contains("61000 ms ahead"))
    }

    @Test("restart: a clock restored from a persisted value never goes back")
    func restart() {
        var clock = HybridLogicalClock()
        let issued = (0..<10).map { _ in clock.tick(wallMillis: 5_000) }
        var reopened = HybridLogicalClock()
        reopened.advance(toAtLeast: clock.last)
        #expect(reopened.tick(wallMillis: 10) > issued.last!)
    }
}
