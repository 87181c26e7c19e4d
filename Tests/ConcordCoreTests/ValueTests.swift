import ConcordCore
import PropertyBased
import Testing

@Suite("Canonical values")
struct ValueTests {
    @Test("canonical bytes round-trip and are injective")
    func roundTrip() async {
        await propertyCheck(count: 1_000, input: Gen.uint64()) { seed in
            var r = RandomStates(seed: seed)
            let a = r.value(), b = r.value()
            #expect(Value(canonicalBytes: a.canonicalBytes) == a, "seed \(seed)")
            #expect((a.canonicalBytes == b.canonicalBytes) == (a == b), "seed \(seed)")
        }
        let edge: [Value] = [.int(.min), .int(.max), .dateTime(-1), .date(CalendarDate(daysSinceEpoch: .min)),
                             .string("\u{0}nul"), .multiSelect([]), .multiSelect([""]), .string("🙂 ünïcode")]
        for v in edge { #expect(Value(canonicalBytes: v.canonicalBytes) == v, "\(v)") }
    }

    @Test("malformed bytes are rejected, not trapped on")
    func malformed() {
        for bytes: [UInt8] in [[], [99], [3, 1], [0, 0], [7, 1, 2], [9, 65], [5, 0xff, 0xfe]] {
            #expect(Value(canonicalBytes: bytes) == nil, "\(bytes)")
        }
    }

    @Test("exact decimals: equal numbers have one representation, no binary rounding")
    func decimals() {
        #expect(ExactDecimal("1.50") == ExactDecimal("1.5"))
        #expect(ExactDecimal("0.1")!.description == "0.1")
        #expect(ExactDecimal("-0.000")!.description == "0")
        #expect(ExactDecimal("1e3")!.description == "1000")
        #expect(ExactDecimal("12.5e-3")!.description == "0.0125")
        #expect(ExactDecimal("00012.340")!.description == "12.34")
        #expect(ExactDecimal("123456789012345678901234567890.000000000000000001")!.description
                == "123456789012345678901234567890.000000000000000001")
        for bad in ["", ".", "1.2.3", "abc", "1e", "--1", "1,5", "1e99999"] { #expect(ExactDecimal(bad) == nil, "\(bad)") }
    }

    @Test("calendar dates: validity and round trip through day numbers")
    func dates() {
        #expect(CalendarDate(iso: "2024-02-29")?.description == "2024-02-29")
        #expect(CalendarDate(iso: "2023-02-29") == nil)
        #expect(CalendarDate(iso: "1970-01-01")?.daysSinceEpoch == 0)
        #expect(CalendarDate(iso: "1969-12-31")?.daysSinceEpoch == -1)
        for d in stride(from: -800_000, through: 800_000, by: 997) {
            let c = CalendarDate.civilFromDays(d)
            #expect(CalendarDate.daysFromCivil(c.year, c.month, c.day) == d)
        }
    }

    @Test("record ids print as 32 hex digits and parse back")
    func recordIDs() {
        var rng = SplitMix64(seed: 9)
        for _ in 0..<100 {
            let id = RecordID.random(using: &rng)
            #expect(RecordID(id.description) == id)
        }
        #expect(RecordID("xyz") == nil)
    }
}
