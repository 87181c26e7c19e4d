import CRMEmulators

/// The faults of one chaos run, drawn from its seed: the same seed gives the same plan.
///
/// A plan is a timeline over the faulty phase: each CRM's clock skew (fixed for the run,
/// up to ±30 s), windows of faults on one CRM (a 429 storm, 5xx answers, dropped
/// connections, answers lost after the request was carried out, latency, the CRM offline),
/// and moments at which the `concord sync --watch` process is killed with SIGKILL (it is
/// restarted a moment later).
public struct ChaosPlan: Sendable, Equatable {
    /// One fault window on one CRM.
    public struct Window: Sendable, Equatable {
        /// What goes wrong.
        public enum Kind: String, Sendable, Equatable, CaseIterable {
            case storm, errors, drops, lostAnswers, latency, offline
        }
        public var crm: String
        public var kind: Kind
        /// Start and end, ms from the start of the faulty phase.
        public var start: Int
        public var end: Int
        /// The rate (errors, drops, lost answers) or the latency in ms.
        public var level: Double
    }

    /// Clock skew per CRM, ms.
    public var skew: [String: Int64]
    public var windows: [Window]
    /// When the sync process is killed, ms from the start; it restarts `restartAfter` later.
    public var kills: [Int]
    public var restartAfter: Int
    /// Length of the faulty phase, ms.
    public var duration: Int

    /// Draws a plan. `maxSkewMillis` bounds each CRM's skew.
    public init(seed: UInt64, crms: [String], duration: Int, maxSkewMillis: Int64 = 30_000) {
        var rng = SeededRandom(seed: seed ^ 0xC4A0_5EED)
        self.duration = duration
        var skew: [String: Int64] = [:]
        for crm in crms {
            // Half the runs skew a CRM's clock at all, so skewless runs are tried too.
            skew[crm] = rng.chance(0.5) ? Int64(rng.int(in: -Int(maxSkewMillis)...Int(maxSkewMillis))) : 0
        }
        self.skew = skew
        var windows: [Window] = []
        for _ in 0..<rng.int(in: 2...5) {
            guard let crm = rng.pick(crms), let kind = rng.pick(Window.Kind.allCases) else { continue }
            let start = rng.int(in: 0...max(0, duration - 2_000))
            let length = rng.int(in: 1_500...max(1_500, min(6_000, duration - start)))
            let level: Double
            switch kind {
            case .errors: level = Double(rng.int(in: 5...25)) / 100
            case .drops, .lostAnswers: level = Double(rng.int(in: 3...15)) / 100
            case .latency: level = Double(rng.int(in: 20...250))
            case .storm, .offline: level = 1
            }
            windows.append(Window(crm: crm, kind: kind, start: start, end: min(duration, start + length), level: level))
        }
        self.windows = windows.sorted { ($0.start, $0.crm) < ($1.start, $1.crm) }
        self.kills = (0..<rng.int(in: 0...3)).map { _ in rng.int(in: 500...max(500, duration - 500)) }.sorted()
        self.restartAfter = rng.int(in: 100...1_000)
    }

    /// The plan in a few words, for the run's line.
    public var summary: String {
        var parts = windows.map { w in
            let level = w.kind == .latency ? "\(Int(w.level))ms" : (w.kind == .storm || w.kind == .offline ? "" : "\(Int(w.level * 100))%")
            return "\(w.kind.rawValue)(\(w.crm)\(level.isEmpty ? "" : " " + level) \(String(format: "%.1f", Double(w.end - w.start) / 1000))s)"
        }
        let skewed = skew.filter { $0.value != 0 }.sorted { $0.key < $1.key }
        if !skewed.isEmpty { parts.append("skew(" + skewed.map { "\($0.key) " + String(format: "%+.1fs", Double($0.value) / 1000) }.joined(separator: ", ") + ")") }
        if !kills.isEmpty { parts.append("kill-9 x\(kills.count)") }
        return parts.isEmpty ? "none" : parts.joined(separator: " ")
    }

    /// The fault patch that starts a window.
    static func patch(for window: Window) -> FaultSettings.Patch {
        var p = FaultSettings.Patch()
        switch window.kind {
        case .storm: p.throttleStormSeconds = Double(window.end - window.start) / 1000
        case .errors: p.errorRates = ["500": window.level * 0.6, "503": window.level * 0.4]
        case .drops: p.dropConnectionRate = window.level
        case .lostAnswers: p.answerLossRate = window.level
        case .latency: p.latencyMs = Int(window.level)
        case .offline: p.offlineForSeconds = Double(window.end - window.start) / 1000
        }
        return p
    }

    /// The patch that ends every window (skew and rate limits stay as they are).
    static var calm: FaultSettings.Patch {
        var p = FaultSettings.Patch()
        p.latencyMs = 0
        p.errorRates = [:]
        p.throttleStormSeconds = 0
        p.dropConnectionRate = 0
        p.answerLossRate = 0
        p.partialBatchFailureRate = 0
        p.offlineForSeconds = 0
        return p
    }
}
