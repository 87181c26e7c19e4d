import ConcordCore
import ConcordStore
import ConcordTestServer
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `concord bench replicate`: an edge catching up with a hub over loopback HTTP, each its
/// own process (`concord hub`, `concord replicate`): registers per second end to end (read by
/// sequence, encode, HTTP, decode, merge, commit with the cursor), bytes per register on the
/// wire, each side's peak memory, what a resume after a `kill -9` sends again, and what an
/// exchange costs when already in sync (whole HTTP requests and answers, counted by a proxy).
public enum ReplicationBench {
    /// The figures of one run.
    public struct Report: Codable, Sendable {
        public var registers = 0
        public var records = 0
        public var fieldsPerRecord = 0
        public var catchUpSeconds = 0.0
        public var registersPerSecond = 0.0
        public var bytesDown = 0
        public var bytesPerRegister = 0.0
        /// Wire bytes beyond the values' canonical bytes, per register.
        public var overheadBytesPerRegister = 0.0
        public var exchanges = 0
        public var hubPeakMiB = 0.0
        public var edgePeakMiB = 0.0
        public var digestsEqual = false
        /// The resume: the edge killed mid-transfer, restarted.
        public var resumeRegistersBeforeKill = 0
        public var resumeRegistersAfter = 0
        /// Registers received twice across the cut (at most the one batch in flight).
        public var resumeRegistersResent = 0
        /// Whether the kill came mid-transfer (some registers held, not all): otherwise the
        /// resume figures say nothing.
        public var resumeCutMidTransfer = false
        /// An exchange when in sync.
        public var idleRoundTrips = 0
        public var idleRequestBytes = 0
        public var idleAnswerBytes = 0
    }

    /// Runs it with `registers` registers (records of `fields` fields) on the hub.
    public static func run(executable: String, registers: Int, fields: Int = 20, directory: String,
                           progress: @Sendable (String) -> Void) async throws -> Report {
        var report = Report()
        let dir = directory + "/concord-bench-replicate-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let records = max(1, registers / fields)
        report.records = records
        report.fieldsPerRecord = fields
        report.registers = records * fields
        progress("writing \(report.registers) registers (\(records) records of \(fields) fields) into the hub's store")
        var valueBytes = 0
        do {
            let hub = try ConcordStore.open(path: dir + "/hub.sqlite", wallClock: .system)
            var rng = SplitMix64(seed: 42)
            let names = (0..<fields).map { "field_\($0)" }
            let writer = SiteID(rawValue: 0xC0FFEE)
            let now = WallClock.system.nowMillis()
            var batch: [RecordChange] = []
            for r in 0..<records {
                var regs: [String: FieldRegister] = [:]
                for (i, name) in names.enumerated() {
                    let v = Value.string("value \(rng.next() % 1_000_000) of \(i)")
                    valueBytes += v.canonicalBytes.count
                    regs[name] = FieldRegister(value: v, stamp: Stamp(hlc: HLCTimestamp(millis: now - 1000, counter: UInt64(r % 100)), site: writer))
                }
                batch.append(RecordChange(id: RecordID(high: rng.next(), low: rng.next()), objectType: "contact",
                                          state: RecordState(fields: regs, causalLength: 1)))
                if batch.count == 10_000 { _ = try hub.merge(batch); batch.removeAll(keepingCapacity: true) }
            }
            if !batch.isEmpty { _ = try hub.merge(batch) }
        }
        let env = ["BENCH_TOKEN": "bench-token", "CONCORD_REPLICA_TOKEN": "bench-token"]
        let portFile = dir + "/hub.port"
        let hub = try Child.start(executable, ["hub", "--store", dir + "/hub.sqlite", "--listen", "127.0.0.1:0", "--grant", "edge=BENCH_TOKEN",
                                               "--port-file", portFile], env: env, log: dir + "/hub.log")
        var port = 0
        while port == 0 {
            guard hub.isRunning else { throw SoakError("the hub exited (\(dir)/hub.log)") }
            port = Int((try? String(contentsOfFile: portFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
            try await Task.sleep(for: .milliseconds(10))
        }
        let proxy = try LossyProxy(upstreamPort: port, seed: 1)
        defer { proxy.stop() }
        func sync(_ store: String, via p: Int) async throws -> [String: Double] {
            let out = try await Child.run(executable, ["replicate", "--store", store, "--peer", "http://127.0.0.1:\(p)", "--json"], env: env, log: dir + "/edge.log")
            guard out.status == 0, let data = out.output.data(using: .utf8),
                  let json = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw SoakError("the edge failed (\(out.status)): \(out.output) (\(dir)/edge.log)")
            }
            return json.compactMapValues { ($0 as? NSNumber)?.doubleValue }
        }
        progress("catching up: an empty edge syncs from the hub over loopback HTTP")
        let catchUp = try await sync(dir + "/edge.sqlite", via: port)
        report.catchUpSeconds = catchUp["seconds"] ?? 0
        report.registersPerSecond = Double(report.registers) / max(report.catchUpSeconds, 1e-9)
        report.bytesDown = Int(catchUp["bytes_received"] ?? 0)
        report.bytesPerRegister = Double(report.bytesDown) / Double(report.registers)
        report.overheadBytesPerRegister = Double(report.bytesDown - valueBytes) / Double(report.registers)
        report.exchanges = Int(catchUp["exchanges"] ?? 0)
        report.edgePeakMiB = (catchUp["peak_rss_kib"] ?? 0) / 1024
        report.hubPeakMiB = Double(Self.peakKiB(pid: hub.process.processIdentifier)) / 1024
        progress("in sync: one more exchange through a counting proxy")
        let before = proxy.bytes
        let idle = try await sync(dir + "/edge.sqlite", via: proxy.port)
        let after = proxy.bytes
        report.idleRoundTrips = Int(idle["exchanges"] ?? 0)
        report.idleRequestBytes = after.up - before.up
        report.idleAnswerBytes = after.down - before.down
        progress("resume: a second edge killed mid-transfer, then restarted")
        let second = dir + "/edge2.sqlite"
        let killed = try Child.start(executable, ["replicate", "--store", second, "--peer", "http://127.0.0.1:\(port)"], env: env, log: dir + "/edge2.log")
        try await Task.sleep(for: .milliseconds(Int(report.catchUpSeconds * 400)))
        await killed.stop(signal: SIGKILL)
        let held = try ConcordStore.open(path: second, wallClock: .system, readOnly: true)
        report.resumeRegistersBeforeKill = try held.allRecords().values.reduce(0) { $0 + $1.state.entries.count }
        let resumed = try await sync(second, via: port)
        report.resumeRegistersAfter = Int(resumed["registers_received"] ?? 0)
        report.resumeRegistersResent = report.resumeRegistersBeforeKill + report.resumeRegistersAfter - report.registers
        report.resumeCutMidTransfer = report.resumeRegistersBeforeKill > 0 && report.resumeRegistersBeforeKill < report.registers
        await hub.stop(signal: SIGTERM)
        let a = try ConcordStore.open(path: dir + "/hub.sqlite", wallClock: .system, readOnly: true)
        let b = try ConcordStore.open(path: dir + "/edge.sqlite", wallClock: .system, readOnly: true)
        let c = try ConcordStore.open(path: second, wallClock: .system, readOnly: true)
        report.digestsEqual = try a.digest() == b.digest() && a.digest() == c.digest()
        return report
    }

    /// A live process's peak resident memory (VmHWM), KiB.
    static func peakKiB(pid: Int32) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(separator: " ").dropFirst().first { Int($0) != nil } ?? "0") ?? 0
        }
        return 0
    }
}
