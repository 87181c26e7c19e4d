import ConcordConnectors
import ConcordCore
import ConcordEngine
import ConcordMapping
import ConcordService
import ConcordStore
import ConcordWebhooks
import CRMEmulators
import Foundation
import Logging

/// `concord bench latency`: the time from an edit in one CRM until both other CRMs hold it,
/// through `concord serve` (webhooks, a long safety net), then the same workload with
/// polling only at the configured interval. In-process emulators with their rate limits on;
/// each edit sets a unique value on a distinct record and field, and the other CRMs' copies
/// are watched in the emulators' stores (their write logs) every 10 ms.
public enum LatencyBench {
    /// One mode's figures.
    public struct Mode: Codable, Sendable {
        public var name: String
        public var edits: Int
        /// Edits that reached both other CRMs before the run gave up waiting.
        public var arrived: Int
        public var p50Seconds: Double
        public var p95Seconds: Double
        public var p99Seconds: Double
        public var maxSeconds: Double
        /// Concord's API calls from the first edit until the last arrived, per edit.
        public var apiCallsPerEdit: Double
        public var apiCalls: Int
    }

    /// Both modes.
    public struct Report: Codable, Sendable {
        public var ratePerSecond: Double
        public var durationSeconds: Double
        public var people: Int
        public var pollIntervalSeconds: Int
        public var webhooks: Mode
        public var polling: Mode?
    }

    struct Edit {
        let crm: String
        let type: String
        let id: String
        let field: String
        let value: String
        let at: Date
        /// (crm, type, id, field) of the copies to watch.
        var copies: [(String, String, String, String)]
        var doneAt: Date?
    }

    /// Fields edited per CRM type (canonical job title, phone and first name).
    static let fields: [String: (type: String, fields: [String])] = [
        "salesforce": ("Contact", ["Title", "Phone", "FirstName"]),
        "hubspot": ("contacts", ["jobtitle", "phone", "firstname"]),
        "dynamics": ("contact", ["jobtitle", "telephone1", "firstname"]),
    ]

    /// Runs the benchmark (the polling half unless `skipPolling`).
    public static func run(rate: Double, duration: Double, people: Int, seed: UInt64, pollInterval: Int?, skipPolling: Bool,
                           progress: @Sendable (String) -> Void) async throws -> Report {
        progress("webhooks: \(people) people per CRM, \(rate) edits/s for \(duration) s")
        let hooks = try await runMode(webhooks: true, rate: rate, duration: duration, people: people, seed: seed, pollInterval: pollInterval,
                                      progress: progress)
        var polled: (Mode, Int)?
        if !skipPolling {
            progress("polling only: the same workload")
            polled = try await runMode(webhooks: false, rate: rate, duration: duration, people: people, seed: seed, pollInterval: pollInterval,
                                       progress: progress)
        }
        return Report(ratePerSecond: rate, durationSeconds: duration, people: people, pollIntervalSeconds: hooks.1,
                      webhooks: hooks.0, polling: polled?.0)
    }

    static func runMode(webhooks: Bool, rate: Double, duration: Double, people: Int, seed: UInt64, pollInterval: Int?,
                        progress: @Sendable (String) -> Void) async throws -> (Mode, Int) {
        var faults = FaultSettings.Patch()
        faults.rateLimitsEnabled = true
        let cluster = try await EmulatorCluster.start(ClusterOptions(crms: ["salesforce", "hubspot", "dynamics"], port: 0, seed: seed,
                                                                      records: people, faults: faults))
        defer { Task { await cluster.stop() } }
        let secrets = (hs: "bench-hs", sf: "bench-sf", dv: "bench-dv")
        var config = try ConfigLoader.load(text: cluster.configYAML, file: "<bench latency>")
        let interval = pollInterval ?? config.sync.pollIntervalSeconds
        config.service.listen = "127.0.0.1:0"
        config.service.safetyNetSeconds = webhooks ? 86_400 : interval
        config.service.webhooks = [
            "hubspot": .hubspotSignature(secret: .literal(secrets.hs)),
            "salesforce": .salesforce(secret: .literal(secrets.sf), organizationID: nil),
            "dynamics": .dataverseWebhookKey(.literal(secrets.dv)),
        ]
        config.service.ownChanges = ["hubspot": HubSpotWebhooks.appSourceID, "dynamics": DataverseEmulator.applicationUser]
        let connectors = try StandardConnectors.make(config: config)
        let path = NSTemporaryDirectory() + "concord-bench-latency-\(UUID().uuidString).sqlite"
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
        var logger = Logger(label: "concord.bench")
        logger.logLevel = .error
        let engine = try SyncEngine(storePath: path, config: config, connectors: connectors, wallClock: .system, logger: logger)
        // The initial sync first, so the run measures edits, not the first copy of everything.
        _ = await engine.syncToConvergence(maxPasses: 10)
        let service = try await ConcordService.start(ConcordService.Parts(
            engine: engine, settings: config.service, intakes: try WebhookIntakes.make(config: config, environment: [:]),
            hooks: ServiceHooks(commit: { events in try await engine.withStore { try $0.enqueueInbox(events) } }, notReady: { nil },
                                status: { [] }, quarantine: { [] }, retryQuarantine: { _ in 0 }, dropQuarantine: { _ in false }),
            opsToken: nil, logger: logger, onReport: { _, _ in }), signals: false)
        defer { Task { await service.stop() } }
        if webhooks {
            let base = "http://127.0.0.1:\(service.port)/webhooks/"
            for m in cluster.members {
                let secret = m.emulator.name == "hubspot" ? secrets.hs : m.emulator.name == "salesforce" ? secrets.sf : secrets.dv
                m.emulator.control.webhookTarget = WebhookTarget(url: base + m.emulator.name, secret: secret)
            }
        }
        // Linked contacts present in all three CRMs: the edit targets, each record-field once.
        var generator = seededGenerator(seed)
        let triples: [[String: String]] = try await engine.withStore { s in
            try s.links(replica: "hubspot", objectType: "contact").values.compactMap { gid in
                let links = try s.links(of: gid)
                return links.count == 3 ? links : nil
            }
        }.sorted { $0["hubspot"]! < $1["hubspot"]! }.shuffled(using: &generator)
        var targets: [(crm: String, links: [String: String], field: Int)] = []
        for (n, links) in triples.enumerated() {
            for f in 0..<3 { targets.append((["salesforce", "hubspot", "dynamics"][(n + f) % 3], links, f)) }
        }
        let wanted = Int(rate * duration)
        guard targets.count >= wanted else {
            throw BenchError(description: "\(targets.count) record-fields to edit, \(wanted) needed: raise --people or lower --rate/--duration")
        }
        let emulators = Dictionary(uniqueKeysWithValues: cluster.members.map { ($0.emulator.name, $0.emulator) })
        var callsBefore = 0
        for c in connectors { callsBefore += await c.apiCalls().total }
        var edits: [Edit] = []
        let start = Date()
        var next = 0
        // Edits at the rate; between them, the copies are checked.
        while true {
            let now = Date()
            let due = min(wanted, Int(now.timeIntervalSince(start) * rate) + 1)
            while next < due {
                let t = targets[next]
                let (type, names) = fields[t.crm]!
                let value = "lat-\(seed)-\(next)"
                let field = names[t.field]
                _ = try emulators[t.crm]!.control.store.transaction { tx in
                    try tx.update(type, id: t.links[t.crm]!, changes: [field: .string(value)], source: "CRM_UI")
                }
                let copies = ["salesforce", "hubspot", "dynamics"].filter { $0 != t.crm }.map { other in
                    (other, fields[other]!.type, t.links[other]!, fields[other]!.fields[t.field])
                }
                edits.append(Edit(crm: t.crm, type: type, id: t.links[t.crm]!, field: field, value: value, at: Date(), copies: copies))
                next += 1
            }
            let checked = Date()
            for i in edits.indices where edits[i].doneAt == nil {
                let held = edits[i].copies.allSatisfy { crm, type, id, field in
                    emulators[crm]!.control.store.get(type, id)?.fields[field]?.textForm == edits[i].value
                }
                if held { edits[i].doneAt = checked }
            }
            let waitLimit = Double(webhooks ? 60 : interval * 2 + 60)
            if next >= wanted && (edits.allSatisfy { $0.doneAt != nil } || Date().timeIntervalSince(start) > duration + waitLimit) { break }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        var callsAfter = 0
        for c in connectors { callsAfter += await c.apiCalls().total }
        progress("\(webhooks ? "webhooks" : "polling"): \(edits.filter { $0.doneAt != nil }.count) of \(edits.count) edits arrived")
        let latencies = edits.compactMap { e in e.doneAt.map { $0.timeIntervalSince(e.at) } }.sorted()
        func pct(_ p: Double) -> Double { latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int((Double(latencies.count) * p).rounded(.up)) - 1)] }
        let calls = callsAfter - callsBefore
        return (Mode(name: webhooks ? "webhooks" : "polling every \(interval) s", edits: edits.count, arrived: latencies.count,
                     p50Seconds: pct(0.50), p95Seconds: pct(0.95), p99Seconds: pct(0.99), maxSeconds: latencies.last ?? 0,
                     apiCallsPerEdit: edits.isEmpty ? 0 : Double(calls) / Double(edits.count), apiCalls: calls), interval)
    }

    static func seededGenerator(_ seed: UInt64) -> SplitMixGenerator { SplitMixGenerator(state: seed ^ 0x1A7E) }
}

/// A seeded generator for shuffles (SplitMix64).
struct SplitMixGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A benchmark that cannot run as asked.
public struct BenchError: Error, CustomStringConvertible, Sendable {
    public var description: String
}
