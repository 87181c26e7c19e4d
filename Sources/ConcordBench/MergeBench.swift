import ConcordCore
import ConcordStore
#if canImport(Glibc)
import Glibc
#endif

/// The `concord bench merge` benchmark: in-memory merges, store bulk merges and raw SQLite
/// baselines on the same seeded registers, measured in one run.
public enum MergeBench {
    /// What to measure.
    public struct Options: Sendable {
        public var records = 100_000
        public var fields = 20
        public var conflictRate = 0.5
        public var shuffle = false
        public var fileStore = true
        public var batchRecords = 5_000
        public var seed: UInt64 = 42
        public init() {}
    }

    /// The figures of one run. Rates are per second.
    public struct Report: Codable, Sendable {
        public var records: Int
        public var fields: Int
        public var registers: Int
        public var conflictRate: Double
        public var shuffle: Bool
        public var store: String
        public var batchRecords: Int
        public var seed: UInt64
        public var inMemoryFieldMergesPerSecond: Double
        public var storeEmptyRegistersPerSecond: Double
        public var storeAllWinRegistersPerSecond: Double
        public var storeIdempotentRegistersPerSecond: Double
        public var storeMixedRegistersPerSecond: Double
        public var baselinePlainInsertRowsPerSecond: Double
        public var baselineUpsertRowsPerSecond: Double
        public var emptyVsUpsert: Double
        public var emptyVsPlainInsert: Double
        public var idempotentVsEmpty: Double
        public var storeFileBytes: Int?
    }

    /// Runs every workload once, in one process, and reports.
    public static func run(_ o: Options, progress: (String) -> Void = { _ in }) throws -> Report {
        progress("generating \(o.records) records x \(o.fields) fields (seed \(o.seed))")
        let w = MergeWorkload(records: o.records, fields: o.fields, conflictRate: o.conflictRate, shuffle: o.shuffle, seed: o.seed)
        let n = Double(w.registerCount)
        let clock = ContinuousClock()

        progress("in-memory merge")
        var changed = 0
        let t0 = clock.now
        for (a, c) in zip(w.initial, w.mixed) {
            changed &+= merge(local: a.state, remote: c.state).changedFields.count
        }
        let inMemory = n / seconds(clock.now - t0)
        blackHole(changed)

        let dir = "/tmp"
        let stamp = String(UInt64(getpid())) + "-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        func path(_ name: String) -> String { o.fileStore ? "\(dir)/concord-bench-\(stamp)-\(name).sqlite" : ":memory:" }
        defer { for name in ["store", "insert", "upsert"] { removeDatabase(path(name)) } }

        let wall = WallClock.constant(1_700_000_000_000 + 100_000)
        let store = try ConcordStore.open(path: path("store"), wallClock: wall)
        func timed(_ label: String, _ batch: [RecordChange]) throws -> Double {
            progress("store: \(label)")
            let start = clock.now
            var i = 0
            while i < batch.count {
                _ = try store.merge(Array(batch[i..<min(batch.count, i + o.batchRecords)]))
                i += o.batchRecords
            }
            return n / seconds(clock.now - start)
        }
        let empty = try timed("bulk merge into an empty store", w.initial)
        let allWin = try timed("re-merge, every conflict wins", w.allWin)
        let idempotent = try timed("idempotent re-merge", w.allWin)
        let mixed = try timed("re-merge, \(Int(o.conflictRate * 100))% of conflicts win", w.mixed)
        let size = o.fileStore ? fileSize(path("store")) : nil

        progress("baseline: plain INSERT")
        let insert = n / (try SQLiteBaseline.run(.plainInsert, records: w.initial, path: path("insert"), batchRecords: o.batchRecords))
        progress("baseline: WITHOUT ROWID UPSERT")
        let upsert = n / (try SQLiteBaseline.run(.upsert, records: w.initial, path: path("upsert"), batchRecords: o.batchRecords))

        return Report(records: o.records, fields: o.fields, registers: w.registerCount, conflictRate: o.conflictRate,
                      shuffle: o.shuffle, store: o.fileStore ? "file" : "memory", batchRecords: o.batchRecords, seed: o.seed,
                      inMemoryFieldMergesPerSecond: inMemory, storeEmptyRegistersPerSecond: empty,
                      storeAllWinRegistersPerSecond: allWin, storeIdempotentRegistersPerSecond: idempotent,
                      storeMixedRegistersPerSecond: mixed, baselinePlainInsertRowsPerSecond: insert,
                      baselineUpsertRowsPerSecond: upsert, emptyVsUpsert: empty / upsert, emptyVsPlainInsert: empty / insert,
                      idempotentVsEmpty: idempotent / empty, storeFileBytes: size)
    }
}

func removeDatabase(_ path: String) {
    guard path != ":memory:" else { return }
    for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) }
}

func fileSize(_ path: String) -> Int? {
    var st = stat()
    guard stat(path, &st) == 0 else { return nil }
    var total = Int(st.st_size)
    if stat(path + "-wal", &st) == 0 { total += Int(st.st_size) }
    return total
}

@inline(never)
func blackHole<T>(_ value: T) { withExtendedLifetime(value) {} }
