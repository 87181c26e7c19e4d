@testable import ConcordStore
import ConcordCore
import Foundation
import Testing

/// A seeded convergence simulation: replicas make random inserts, updates, deletes and
/// restores on file stores, exchange "changes since" pages over a network that drops,
/// duplicates and reorders them, crash and reopen, and run on skewed wall clocks. After a
/// final full exchange every store must hold the same records (equal digests, equal dumps).
///
/// CI runs a few seeds quickly. For a longer run:
/// `CONCORD_SIM_SEEDS=200 CONCORD_SIM_STEPS=3000 swift test --filter ConvergenceSimulation`.
@Suite("Convergence simulation")
struct ConvergenceSimulationTests {
    static var seeds: [UInt64] {
        let n = UInt64(ProcessInfo.processInfo.environment["CONCORD_SIM_SEEDS"] ?? "") ?? 4
        return Array(1...max(1, n))
    }
    static var steps: Int { Int(ProcessInfo.processInfo.environment["CONCORD_SIM_STEPS"] ?? "") ?? 600 }

    @Test("5 replicas converge despite drops, duplicates, reordering, crashes and skew", arguments: seeds)
    func converge(seed: UInt64) throws {
        var sim = try Simulation(seed: seed, replicas: 5)
        defer { sim.dir.remove() }
        for _ in 0..<Self.steps { try sim.step() }
        try sim.finalExchange()
        let digests = try sim.stores.map { try $0!.digest() }
        #expect(Set(digests).count == 1, "seed \(seed): digests differ: \(digests)")
        let dumps = try sim.stores.map { try $0!.allRecords().mapValues { [$0.objectType: $0.state] } }
        let differing = Set(dumps.flatMap { d in d.keys.filter { d[$0] != dumps[0][$0] } } + dumps[0].keys.filter { id in dumps.contains { $0[id] == nil } })
        #expect(differing.isEmpty, "seed \(seed): \(differing.count) records differ; first: \(differing.sorted().first.map { id in dumps.map { $0[id].map { "\($0)" } ?? "missing" } } ?? [])")
        #expect(dumps[0].count == sim.created.count, "seed \(seed): every created record reached every replica")
        #expect(try sim.stores.allSatisfy { try $0!.quarantined().isEmpty }, "seed \(seed): skew within limits quarantines nothing")
        #expect(sim.stats.delivered > 0 && sim.stats.dropped > 0 && sim.stats.duplicated > 0 && sim.stats.crashes > 0,
                "seed \(seed): the faults were exercised: \(sim.stats)")
    }
}

/// The simulated world: replicas, their clocks, the network queue and the cursors.
struct Simulation {
    struct Message { var from: Int; var to: Int; var cursor: ChangeCursor; var next: ChangeCursor; var changes: [RecordChange] }
    struct Stats { var delivered = 0, dropped = 0, duplicated = 0, crashes = 0, edits = 0 }

    var rng: SplitMix64
    let seed: UInt64
    let dir: TempDirectory
    var stores: [ConcordStore?]
    var clocks: [ManualClock]
    var skews: [Int64]
    var time: UInt64 = 1_700_000_000_000
    var cursors: [[ChangeCursor]]
    var queue: [Message] = []
    var created: [RecordID] = []
    var stats = Stats()
    let fields = ["email", "phone", "title", "owner", "stage", "amount"]

    init(seed: UInt64, replicas: Int) throws {
        self.seed = seed
        rng = SplitMix64(seed: seed)
        dir = try TempDirectory()
        clocks = []; skews = []; stores = []
        cursors = Array(repeating: Array(repeating: .start, count: replicas), count: replicas)
        for i in 0..<replicas {
            let skew = Int64(rng.next() % 40_001) - 20_000   // ±20 s, within the 60 s guard
            skews.append(skew)
            let clock = ManualClock(UInt64(Int64(time) + skew))
            clocks.append(clock)
            stores.append(try ConcordStore.open(path: dir.file("r\(i).sqlite"), wallClock: clock.wallClock,
                                                siteID: SiteID.random(using: &rng)))
        }
    }

    mutating func pick(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }

    mutating func value() -> Value {
        switch pick(4) {
        case 0: return .null
        case 1: return .int(Int64(pick(100)))
        default: return .string("v\(pick(1000))")
        }
    }

    mutating func step() throws {
        time += UInt64(pick(400))
        for (i, c) in clocks.enumerated() {
            // occasionally a clock steps back a little (NTP correction)
            c.now = UInt64(Int64(time) + skews[i]) - (pick(50) == 0 ? 2_000 : 0)
        }
        let r = pick(stores.count)
        let store = stores[r]!
        switch pick(100) {
        case 0..<15:
            let id = RecordID.random(using: &rng)
            created.append(id)
            var f: [String: Value] = [:]
            for name in fields where pick(2) == 0 { f[name] = value() }
            try store.write(id, objectType: pick(2) == 0 ? "contact" : "company", fields: f)
            stats.edits += 1
        case 15..<45:
            guard !created.isEmpty else { return }
            let id = created[pick(created.count)]
            guard let rec = try store.record(id) else { return }
            var f: [String: Value] = [:]
            for name in fields where pick(3) == 0 { f[name] = value() }
            try store.write(id, objectType: rec.objectType, fields: f)
            stats.edits += 1
        case 45..<52:
            guard !created.isEmpty else { return }
            let id = created[pick(created.count)]
            if pick(2) == 0 { try store.delete(id) } else { try store.restore(id) }
        case 52..<80:
            let to = pick(stores.count)
            guard to != r else { return }
            let page = try store.changes(after: cursors[to][r], limit: 1 + pick(40))
            guard !page.changes.isEmpty else { return }
            let m = Message(from: r, to: to, cursor: cursors[to][r], next: page.next, changes: page.changes)
            switch pick(10) {
            case 0, 1: stats.dropped += 1
            case 2, 3: queue.append(m); queue.append(m); stats.duplicated += 1
            default: queue.append(m)
            }
        case 80..<97:
            guard !queue.isEmpty else { return }
            let m = queue.remove(at: pick(queue.count))   // any order: reordering
            try deliver(m)
        default:
            stores[r] = nil   // crash: drop the connection, reopen from the file
            stores[r] = try ConcordStore.open(path: dir.file("r\(r).sqlite"), wallClock: clocks[r].wallClock)
            stats.crashes += 1
        }
    }

    mutating func deliver(_ m: Message) throws {
        let result = try stores[m.to]!.merge(m.changes, origin: "replica-\(m.from)")
        #expect(result.quarantined.isEmpty, "seed \(seed): unexpected quarantine \(result.quarantined)")
        // A message moves the cursor only if it was read from where the receiver stands;
        // a stale (reordered or duplicated) one is merged for its data alone.
        if cursors[m.to][m.from] == m.cursor { cursors[m.to][m.from] = m.next }
        stats.delivered += 1
    }

    /// Every pair exchanges everything until a whole round moves nothing.
    mutating func finalExchange() throws {
        for _ in 0..<6 {
            var moved = false
            for from in stores.indices {
                for to in stores.indices where to != from {
                    while true {
                        let page = try stores[from]!.changes(after: cursors[to][from], limit: 1 + pick(60))
                        try deliver(Message(from: from, to: to, cursor: cursors[to][from], next: page.next, changes: page.changes))
                        if page.changes.isEmpty { break }
                        moved = true
                    }
                }
            }
            if !moved { return }
        }
    }
}
