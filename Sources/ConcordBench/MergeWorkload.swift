import ConcordCore
import ConcordStore

/// Seeded data for the merge benchmarks: `records` records of `fields` fields each.
public struct MergeWorkload: Sendable {
    /// The records as first written, sorted by global id (or shuffled).
    public var initial: [RecordChange]
    /// The same records with every register re-stamped later (every conflict wins).
    public var allWin: [RecordChange]
    /// The same records with a share `conflictRate` of registers re-stamped later and the
    /// rest re-stamped earlier (those lose).
    public var mixed: [RecordChange]
    /// Number of registers in each batch list.
    public var registerCount: Int

    /// Builds the workload from `seed`.
    public init(records: Int, fields: Int, conflictRate: Double, shuffle: Bool, seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let names = (0..<fields).map { "field" + ($0 < 10 ? "0" : "") + String($0) }
        let sites = (0..<4).map { _ in SiteID.random(using: &rng) }
        let base: UInt64 = 1_700_000_000_000
        var initial: [RecordChange] = [], allWin: [RecordChange] = [], mixed: [RecordChange] = []
        initial.reserveCapacity(records); allWin.reserveCapacity(records); mixed.reserveCapacity(records)
        let threshold = UInt64(max(0, min(1, conflictRate)) * Double(UInt32.max))
        for r in 0..<records {
            let id = RecordID.random(using: &rng)
            var a: [String: FieldRegister] = [:], b: [String: FieldRegister] = [:], c: [String: FieldRegister] = [:]
            a.reserveCapacity(fields); b.reserveCapacity(fields); c.reserveCapacity(fields)
            for (k, name) in names.enumerated() {
                let t = base + UInt64(r % 1000) * 10 + UInt64(k)
                let site = sites[Int(rng.next() % 4)]
                a[name] = FieldRegister(value: Self.value(k, &rng), stamp: Stamp(hlc: HLCTimestamp(millis: t), site: site))
                b[name] = FieldRegister(value: Self.value(k, &rng), stamp: Stamp(hlc: HLCTimestamp(millis: t + 50_000), site: site))
                let wins = rng.next() & 0xffff_ffff < threshold
                c[name] = FieldRegister(value: Self.value(k, &rng),
                                        stamp: Stamp(hlc: HLCTimestamp(millis: wins ? t + 50_000 : t - 5), site: site))
            }
            initial.append(RecordChange(id: id, objectType: "contact", state: RecordState(fields: a)))
            allWin.append(RecordChange(id: id, objectType: "contact", state: RecordState(fields: b)))
            mixed.append(RecordChange(id: id, objectType: "contact", state: RecordState(fields: c)))
        }
        if shuffle {
            var order = Array(0..<records)
            order.shuffle(using: &rng)
            initial = order.map { initial[$0] }; allWin = order.map { allWin[$0] }; mixed = order.map { mixed[$0] }
        } else {
            let order = (0..<records).sorted { initial[$0].id < initial[$1].id }
            initial = order.map { initial[$0] }; allWin = order.map { allWin[$0] }; mixed = order.map { mixed[$0] }
        }
        self.initial = initial
        self.allWin = allWin
        self.mixed = mixed
        self.registerCount = records * fields
    }

    /// A mix of realistic short values: names, amounts, counts, flags, dates.
    static func value(_ field: Int, _ rng: inout SplitMix64) -> Value {
        let r = rng.next()
        switch field % 5 {
        case 0: return .string("n" + String(r % 1_000_000_000, radix: 36))
        case 1: return .int(Int64(r % 100_000))
        case 2: return .decimal(ExactDecimal(Int64(r % 1_000_000)))
        case 3: return .bool(r & 1 == 0)
        default: return .dateTime(Int64(1_600_000_000_000 + r % 100_000_000_000))
        }
    }
}
