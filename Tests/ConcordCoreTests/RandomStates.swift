import ConcordCore

/// Random values, registers and record states for property tests, drawn from a seeded
/// generator so that every failure can be replayed from its seed.
///
/// Stamps come from a small pool of HLCs and sites, so equal stamps (and equal stamps with
/// different values, the integrity-alarm case) occur often.
struct RandomStates {
    var rng: SplitMix64
    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    mutating func int(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }

    mutating func value() -> Value {
        switch int(10) {
        case 0: return .null
        case 1: return .bool(int(2) == 0)
        case 2: return .int(Int64(int(7)) - 3)
        case 3: return .decimal(ExactDecimal(["0.1", "0.10", "2.5", "-0.3", "1e2", "100"][int(6)])!)
        case 4: return .string(["", "a", "b", "Zoë", "A"][int(5)])
        case 5: return .dateTime(Int64(int(3)) * 1000)
        case 6: return .date(CalendarDate(daysSinceEpoch: Int32(int(3))))
        case 7: return .reference(RecordID(high: UInt64(int(2)), low: 7))
        case 8: return .multiSelect(Set(["x", "y", "z"].filter { _ in int(2) == 0 }))
        default: return .string(String(int(4)))
        }
    }

    mutating func stamp() -> Stamp {
        Stamp(hlc: HLCTimestamp(millis: UInt64(int(4)), counter: UInt64(int(3))), site: SiteID(rawValue: UInt64(int(3))))
    }

    mutating func register() -> FieldRegister { FieldRegister(value: value(), stamp: stamp()) }

    mutating func state() -> RecordState {
        var fields: [String: FieldRegister] = [:]
        for name in ["email", "phone", "title", "name", "owner"] where int(3) != 0 {
            fields[name] = register()
        }
        return RecordState(fields: fields, causalLength: UInt64(int(5)))
    }
}
