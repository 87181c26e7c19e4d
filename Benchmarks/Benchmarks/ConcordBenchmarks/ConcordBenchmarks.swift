import Benchmark
import ConcordBench
import ConcordCore
import ConcordStore
#if canImport(Glibc)
import Glibc
#endif

/// package-benchmark suites for the merge hot paths: the workloads of `concord bench merge`
/// (10,000 records x 20 fields = 200,000 registers per iteration) plus the cost of one HLC
/// tick (1,000,000 ticks per iteration). Memory metrics come from the malloc interposer.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident],
                                           warmupIterations: 1, maxDuration: .seconds(10), maxIterations: 10)

    Benchmark("HLC tick x 1M") { benchmark in
        var clock = HybridLogicalClock()
        var wall: UInt64 = 1_700_000_000_000
        for i in 0..<1_000_000 {
            wall &+= UInt64(i & 1)
            blackHole(clock.tick(wallMillis: wall))
        }
    }

    let workload = MergeWorkload(records: 10_000, fields: 20, conflictRate: 0.5, shuffle: false, seed: 42)
    let shuffled = MergeWorkload(records: 10_000, fields: 20, conflictRate: 0.5, shuffle: true, seed: 42)
    let batches: @Sendable ([RecordChange]) -> [[RecordChange]] = { all in
        stride(from: 0, to: all.count, by: 5_000).map { Array(all[$0..<min(all.count, $0 + 5_000)]) }
    }

    Benchmark("in-memory merge x 200k fields") { benchmark in
        for (a, c) in zip(workload.initial, workload.mixed) { blackHole(merge(local: a.state, remote: c.state)) }
    }

    func storeBench(_ name: String, _ w: MergeWorkload, preload: [RecordChange]?, measure: [RecordChange]) {
        Benchmark(name) { benchmark in
            let path = "/tmp/concord-pb-\(UInt64.random(in: 0...UInt64.max)).sqlite"
            defer { for s in ["", "-wal", "-shm"] { unlink(path + s) } }
            let store = try ConcordStore.open(path: path, wallClock: .constant(1_700_000_200_000))
            if let preload { for b in batches(preload) { _ = try store.merge(b) } }
            benchmark.startMeasurement()
            for b in batches(measure) { blackHole(try store.merge(b)) }
            benchmark.stopMeasurement()
        }
    }
    storeBench("store merge into empty x 200k registers", workload, preload: nil, measure: workload.initial)
    storeBench("store merge into empty, shuffled x 200k registers", shuffled, preload: nil, measure: shuffled.initial)
    storeBench("store re-merge, all win x 200k registers", workload, preload: workload.initial, measure: workload.allWin)
    storeBench("store idempotent re-merge x 200k registers", workload, preload: workload.initial, measure: workload.initial)
}
