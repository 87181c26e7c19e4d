import ArgumentParser
import ConcordBench
import Foundation

/// `concord bench merge`: in-memory and store merge throughput against raw SQLite.
struct BenchMergeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Measure in-memory merges, store bulk merges and raw SQLite baselines on the same seeded registers."
    )

    @Option(help: "Number of records.") var records = 100_000
    @Option(help: "Fields per record.") var fields = 20
    @Option(name: .customLong("conflict-rate"), help: "Share (0...1) of registers that win in the mixed re-merge and the in-memory merge.")
    var conflictRate = 0.5
    @Flag(help: "Feed records in random order instead of global-id order.") var shuffle = false
    @Option(help: "Where the stores live: memory or file.") var store: StoreKind = .file
    @Option(help: "Records per transaction.") var batch = 5_000
    @Option(help: "Seed of the generated data.") var seed: UInt64 = 42
    @Flag(help: "Print one JSON object instead of a table.") var json = false

    enum StoreKind: String, ExpressibleByArgument { case memory, file }

    func validate() throws {
        guard records > 0, fields > 0, batch > 0 else { throw ValidationError("--records, --fields and --batch must be positive") }
        guard (0...1).contains(conflictRate) else { throw ValidationError("--conflict-rate must be between 0 and 1") }
    }

    func run() async throws {
        var o = MergeBench.Options()
        o.records = records; o.fields = fields; o.conflictRate = conflictRate; o.shuffle = shuffle
        o.fileStore = store == .file; o.batchRecords = batch; o.seed = seed
        let report = try MergeBench.run(o) { line in
            if !json { FileHandle.standardError.write(Data(("  ... " + line + "\n").utf8)) }
        }
        if json {
            let enc = JSONEncoder()
            enc.keyEncodingStrategy = .convertToSnakeCase
            enc.outputFormatting = [.sortedKeys]
            print(String(decoding: try enc.encode(report), as: UTF8.self))
            return
        }
        func rate(_ v: Double) -> String { String(format: "%10.0f /s  (%.2f M/s)", v, v / 1e6) }
        print("concord bench merge: \(report.records) records x \(report.fields) fields = \(report.registers) registers, "
              + "store \(report.store), \(report.shuffle ? "shuffled" : "sorted") input, batch \(report.batchRecords), seed \(report.seed)")
        print("  in-memory field merges          " + rate(report.inMemoryFieldMergesPerSecond))
        print("  store: into empty store         " + rate(report.storeEmptyRegistersPerSecond))
        print("  store: re-merge, all win        " + rate(report.storeAllWinRegistersPerSecond))
        print("  store: idempotent re-merge      " + rate(report.storeIdempotentRegistersPerSecond))
        print("  store: re-merge, \(String(format: "%3.0f", report.conflictRate * 100))% win         " + rate(report.storeMixedRegistersPerSecond))
        print("  baseline: raw plain INSERT      " + rate(report.baselinePlainInsertRowsPerSecond))
        print("  baseline: raw WITHOUT ROWID UPSERT " + rate(report.baselineUpsertRowsPerSecond))
        print(String(format: "  ratios: empty/upsert %.2fx, empty/insert %.2fx, idempotent/empty %.2fx",
                     report.emptyVsUpsert, report.emptyVsPlainInsert, report.idempotentVsEmpty))
        if let size = report.storeFileBytes { print("  store file: \(size / 1024) KiB") }
    }
}
