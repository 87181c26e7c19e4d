import ConcordCore
import ConcordStore
import ConcordTestServer
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One seeded run of the replication soak: a hub process (`concord hub`) and an edge process
/// (`concord replicate --watch`), both editing the same records with skewed clocks, joined by
/// a ``LossyProxy`` that drops, cuts, duplicates, delays and replays requests; partitions
/// lasting many sync intervals; `kill -9` of either side at random moments and restarts.
/// When the chaos ends the link heals, the edge syncs once more, and the run passes when
/// both stores have the same digest, no logged write is lost on either side, and a last
/// exchange finds them in sync in one empty round trip.
public enum ReplicationSoak {
    /// What a run does.
    public struct Options: Sendable {
        /// The `concord` executable.
        public var executable: String
        /// The seed.
        public var seed: UInt64
        /// Seconds of chaos.
        public var chaosSeconds: Double
        /// Where the run's files go (a directory per seed inside).
        public var workDirectory: String
        /// Creates options.
        public init(executable: String, seed: UInt64, chaosSeconds: Double = 2.5, workDirectory: String) {
            self.executable = executable
            self.seed = seed
            self.chaosSeconds = chaosSeconds
            self.workDirectory = workDirectory
        }
    }

    /// What a run saw.
    public struct Result: Sendable, Codable {
        /// The seed.
        public var seed: UInt64
        /// Whether it passed.
        public var ok: Bool
        /// Why not.
        public var failure: String?
        /// Writes each side committed and logged.
        public var hubWrites = 0, edgeWrites = 0
        /// Events injected.
        public var hubKills = 0, edgeKills = 0, partitions = 0
        /// Requests through the proxy, and requests a fault struck.
        public var requests = 0, faulted = 0
        /// Wall seconds.
        public var seconds = 0.0
    }

    static let token = "soak-token-0123456789"

    /// Runs one seed.
    public static func run(_ o: Options) async -> Result {
        var result = Result(seed: o.seed, ok: false)
        let start = Date()
        let dir = o.workDirectory + "/replication-soak-\(o.seed)"
        try? FileManager.default.removeItem(atPath: dir)
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try await body(o, dir: dir, into: &result)
            result.ok = result.failure == nil
        } catch {
            result.failure = "\(error)"
        }
        result.seconds = Date().timeIntervalSince(start)
        if result.ok { try? FileManager.default.removeItem(atPath: dir) }
        return result
    }

    private static func body(_ o: Options, dir: String, into result: inout Result) async throws {
        var rng = SplitMix64(seed: o.seed)
        let hubSkew = Int(rng.next() % 3_001) - 1_500, edgeSkew = Int(rng.next() % 3_001) - 1_500
        let env = ["SOAK_TOKEN": token, "CONCORD_REPLICA_TOKEN": token]
        let hubStore = dir + "/hub.sqlite", edgeStore = dir + "/edge.sqlite", portFile = dir + "/hub.port"
        func startHub(edits: Bool) async throws -> (Child, Int) {
            try? FileManager.default.removeItem(atPath: portFile)
            var args = ["hub", "--store", hubStore, "--listen", "127.0.0.1:0", "--grant", "edge=SOAK_TOKEN", "--port-file", portFile,
                        "--clock-skew-ms=\(hubSkew)"]
            if edits { args += ["--soak-edits", String(o.seed), "--soak-interval-ms", "25"] }
            let child = try Child.start(o.executable, args, env: env, log: dir + "/hub.log")
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline {
                if let text = try? String(contentsOfFile: portFile, encoding: .utf8), let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                    return (child, port)
                }
                guard child.isRunning else { throw SoakError("the hub exited before listening (\(dir)/hub.log)") }
                try await Task.sleep(for: .milliseconds(10))
            }
            throw SoakError("the hub did not listen within 30 s")
        }
        func startEdge(_ proxyPort: Int) throws -> Child {
            try Child.start(o.executable, ["replicate", "--store", edgeStore, "--peer", "http://127.0.0.1:\(proxyPort)", "--watch",
                                           "--interval", "0.05", "--backoff-max", "0.3", "--soak-edits", String(o.seed),
                                           "--clock-skew-ms=\(edgeSkew)"], env: env, log: dir + "/edge.log")
        }
        var (hub, port) = try await startHub(edits: true)
        let proxy = try LossyProxy(upstreamPort: port, seed: o.seed, faults: .all(0.06, delay: 25))
        defer { proxy.stop() }
        var edge = try startEdge(proxy.port)
        let deadline = Date().addingTimeInterval(o.chaosSeconds)
        while Date() < deadline {
            try await Task.sleep(for: .milliseconds(50 + Int(rng.next() % 250)))
            switch rng.next() % 10 {
            case 0, 1:
                result.partitions += 1
                proxy.partitioned = true
                try await Task.sleep(for: .milliseconds(300 + Int(rng.next() % 900)))
                proxy.partitioned = false
            case 2:
                result.hubKills += 1
                await hub.stop(signal: SIGKILL)
                try await Task.sleep(for: .milliseconds(Int(rng.next() % 300)))
                (hub, port) = try await startHub(edits: true)
                proxy.upstreamPort = port
            case 3:
                result.edgeKills += 1
                await edge.stop(signal: SIGKILL)
                try await Task.sleep(for: .milliseconds(Int(rng.next() % 200)))
                edge = try startEdge(proxy.port)
            case 4:
                proxy.faults = .all(Double(rng.next() % 250) / 1000, delay: Int(rng.next() % 60))
            default:
                break
            }
        }
        await edge.stop(signal: SIGKILL)
        await hub.stop(signal: SIGKILL)
        let counts = proxy.counts
        result.requests = counts.forwarded
        result.faulted = counts.faulted
        // Heal: the hub without edits, a clean link, one sync, then an idle check.
        (hub, port) = try await startHub(edits: false)
        proxy.upstreamPort = port
        proxy.faults = LossyProxy.Faults()
        proxy.partitioned = false
        let sync = ["replicate", "--store", edgeStore, "--peer", "http://127.0.0.1:\(proxy.port)", "--json"]
        var synced = false
        for _ in 0..<3 where !synced {
            synced = try await Child.run(o.executable, sync, env: env, log: dir + "/edge.log").status == 0
        }
        guard synced else { result.failure = "the last sync did not succeed (\(dir)/edge.log)"; await hub.stop(signal: SIGTERM); return }
        let idle = try await Child.run(o.executable, sync, env: env, log: dir + "/edge.log")
        await hub.stop(signal: SIGTERM)
        let hubDB = try ConcordStore.open(path: hubStore, wallClock: .system, readOnly: true)
        let edgeDB = try ConcordStore.open(path: edgeStore, wallClock: .system, readOnly: true)
        var failures: [String] = []
        if try hubDB.digest() != edgeDB.digest() { failures.append("the stores' digests differ") }
        for (log, name) in [(hubStore + ".writes", "hub"), (edgeStore + ".writes", "edge")] {
            let lines = (try? String(contentsOfFile: log, encoding: .utf8))?.split(separator: "\n").count ?? 0
            if name == "hub" { result.hubWrites = lines } else { result.edgeWrites = lines }
            for (store, side) in [(hubDB, "hub"), (edgeDB, "edge")] {
                let lost = try SoakEditor.lost(log: log, store: store)
                if !lost.isEmpty { failures.append("\(lost.count) of the \(name)'s writes lost on the \(side), first \(lost[0])") }
            }
        }
        if !(idle.output.contains("\"exchanges\" : 1") && idle.output.contains("\"registers_received\" : 0")
             && idle.output.contains("\"registers_sent\" : 0")) {
            failures.append("in sync did not cost one empty round trip: \(idle.output.replacingOccurrences(of: "\n", with: " "))")
        }
        if !failures.isEmpty { result.failure = failures.joined(separator: "; ") + " (files kept in \(dir))" }
    }
}

struct SoakError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// A child process of the soak.
final class Child: @unchecked Sendable {
    let process: Process
    init(_ p: Process) { process = p }

    static func start(_ exe: String, _ args: [String], env: [String: String], log: String, output: Pipe? = nil) throws -> Child {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        p.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
        if !FileManager.default.fileExists(atPath: log) { FileManager.default.createFile(atPath: log, contents: nil) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        handle.seekToEndOfFile()
        p.standardOutput = output ?? handle
        p.standardError = handle
        p.standardInput = FileHandle.nullDevice
        try p.run()
        return Child(p)
    }

    /// Runs to the end; its status and standard output.
    static func run(_ exe: String, _ args: [String], env: [String: String], log: String) async throws -> (status: Int32, output: String) {
        let pipe = Pipe()
        let child = try start(exe, args, env: env, log: log, output: pipe)
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        while child.isRunning { try await Task.sleep(for: .milliseconds(5)) }
        return (child.process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    var isRunning: Bool { process.isRunning }

    func stop(signal: Int32) async {
        guard process.isRunning else { return }
        kill(process.processIdentifier, signal)
        while process.isRunning { try? await Task.sleep(for: .milliseconds(5)) }
    }
}
