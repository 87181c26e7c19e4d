/// Fault knobs of one emulator. All optional in JSON; absent keys keep their current value
/// when posted to `/__admin/faults`.
public struct FaultSettings: Sendable, Codable, Equatable {
    /// Added latency per request, in milliseconds.
    public var latencyMs: Int = 0
    /// Probability per request of answering with the given status (keys are status codes as text).
    public var errorRates: [String: Double] = [:]
    /// Until this epoch-ms time every request gets the CRM's throttling answer.
    public var throttleStormUntil: Int64?
    /// The next this-many metered API requests get the CRM's throttling answer (a storm
    /// bounded by requests, not by time, so a slow client still meets it).
    public var throttleRequests: Int = 0
    /// Probability per request of closing the connection without an answer.
    public var dropConnectionRate: Double = 0
    /// Probability per request of carrying it out (a write is committed) and then cutting
    /// the answer short: the client cannot tell whether it happened.
    public var answerLossRate: Double = 0
    /// Probability per batch item of failing with a transient error.
    public var partialBatchFailureRate: Double = 0
    /// Skew added to modification timestamps, in milliseconds (may be negative).
    public var clockSkewMs: Int64 = 0
    /// Until this epoch-ms time every connection is dropped.
    public var offlineUntil: Int64?
    /// When above 0: a write request (any method but GET) that committed a change (of one of
    /// `stallAfterCommitTypes`, or of any type when that is empty) is not answered until the
    /// stall is switched off (set to 0) or this many seconds have passed. The write stays
    /// committed, so a client killed meanwhile never learns its outcome. The held changes are
    /// listed by `EmulatorControl.stalledCommits` and `GET /__admin/stalled`.
    public var stallAfterCommitSeconds: Double = 0
    /// Store types whose committed writes stall (empty: every type).
    public var stallAfterCommitTypes: [String] = []
    /// Change kinds (`created`, `updated`...) that stall (empty: every kind).
    public var stallAfterCommitKinds: [String] = []
    /// Probability per webhook request of never sending it (a lost delivery: only the
    /// receiver's polling safety net finds the change).
    public var webhookDropRate: Double = 0
    /// Probability per webhook request of sending it twice (at-least-once delivery).
    public var webhookDuplicateRate: Double = 0
    /// Each webhook request waits a random 0..this many ms first, so deliveries arrive out
    /// of order.
    public var webhookJitterMs: Int = 0

    public init() {}

    /// A partial update as posted to the admin endpoint; relative durations are accepted too.
    public struct Patch: Sendable, Codable {
        public var latencyMs: Int?
        public var errorRates: [String: Double]?
        public var throttleStormSeconds: Double?
        public var throttleRequests: Int?
        public var dropConnectionRate: Double?
        public var answerLossRate: Double?
        public var partialBatchFailureRate: Double?
        public var clockSkewMs: Int64?
        public var offlineForSeconds: Double?
        public var rateLimitsEnabled: Bool?
        public var rateLimits: [String: Int]?
        public var stallAfterCommitSeconds: Double?
        public var stallAfterCommitTypes: [String]?
        public var stallAfterCommitKinds: [String]?
        public var webhookDropRate: Double?
        public var webhookDuplicateRate: Double?
        public var webhookJitterMs: Int?

        public init() {}
    }

    /// Applies a patch at time `now` (epoch ms).
    public mutating func apply(_ patch: Patch, now: Int64) {
        if let v = patch.latencyMs { latencyMs = max(0, v) }
        if let v = patch.errorRates { errorRates = v }
        if let v = patch.throttleStormSeconds { throttleStormUntil = v > 0 ? now + Int64(v * 1000) : nil }
        if let v = patch.throttleRequests { throttleRequests = max(0, v) }
        if let v = patch.dropConnectionRate { dropConnectionRate = v }
        if let v = patch.answerLossRate { answerLossRate = v }
        if let v = patch.partialBatchFailureRate { partialBatchFailureRate = v }
        if let v = patch.clockSkewMs { clockSkewMs = v }
        if let v = patch.offlineForSeconds { offlineUntil = v > 0 ? now + Int64(v * 1000) : nil }
        if let v = patch.stallAfterCommitSeconds { stallAfterCommitSeconds = max(0, v) }
        if let v = patch.stallAfterCommitTypes { stallAfterCommitTypes = v }
        if let v = patch.stallAfterCommitKinds { stallAfterCommitKinds = v }
        if let v = patch.webhookDropRate { webhookDropRate = v }
        if let v = patch.webhookDuplicateRate { webhookDuplicateRate = v }
        if let v = patch.webhookJitterMs { webhookJitterMs = max(0, v) }
    }

    /// Parses the CLI form `latency=200,error500=0.1,storm=30,drop=0.01,lost=0.01,partial=0.1,skew=-5000,offline=10,stall=600,ratelimits=off,hookdrop=0.1,hookdup=0.1,hookjitter=500`
    /// (`lost`: the request is carried out, then its answer is cut short; `stall` stalls the
    /// answers to every committed write, its types and kinds set through the admin endpoint).
    public static func parsePatch(_ text: String) throws -> Patch {
        var patch = Patch()
        for item in text.split(separator: ",") where !item.isEmpty {
            let kv = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2 else { throw FaultSpecError(item: String(item), reason: "expected key=value") }
            let (key, value) = (kv[0], kv[1])
            if key == "ratelimits" {
                patch.rateLimitsEnabled = value != "off" && value != "false"
                continue
            }
            guard let number = Double(value) else { throw FaultSpecError(item: String(item), reason: "value is not a number") }
            switch key {
            case "latency": patch.latencyMs = Int(number)
            case "storm": patch.throttleStormSeconds = number
            case "drop": patch.dropConnectionRate = number
            case "lost": patch.answerLossRate = number
            case "partial": patch.partialBatchFailureRate = number
            case "skew": patch.clockSkewMs = Int64(number)
            case "offline": patch.offlineForSeconds = number
            case "stall": patch.stallAfterCommitSeconds = number
            case "hookdrop": patch.webhookDropRate = number
            case "hookdup": patch.webhookDuplicateRate = number
            case "hookjitter": patch.webhookJitterMs = Int(number)
            default:
                guard key.hasPrefix("error"), Int(key.dropFirst(5)) != nil else {
                    throw FaultSpecError(item: String(item), reason: "unknown fault \(key)")
                }
                patch.errorRates = (patch.errorRates ?? [:]).merging([String(key.dropFirst(5)): number]) { $1 }
            }
        }
        return patch
    }
}

/// Raised for an unreadable `--faults` item.
public struct FaultSpecError: Error, CustomStringConvertible {
    public let item: String
    public let reason: String
    public var description: String { "bad fault '\(item)': \(reason)" }
}
