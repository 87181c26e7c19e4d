/// How long an edge waits before trying its hub again after a transient failure:
/// exponential from `base`, capped, with full jitter (so edges that lost the same hub do not
/// come back in step).
public struct ReplicaBackoff: Sendable {
    /// The first delay, in milliseconds.
    public var baseMillis: UInt64
    /// The longest delay, in milliseconds.
    public var capMillis: UInt64
    /// Failures in a row.
    public private(set) var failures = 0

    /// Creates a backoff (defaults: 500 ms doubling to at most 60 s).
    public init(baseMillis: UInt64 = 500, capMillis: UInt64 = 60_000) {
        self.baseMillis = baseMillis
        self.capMillis = capMillis
    }

    /// Records a failure and returns the delay before the next attempt: a random time
    /// between half of and the whole of `min(cap, base * 2^failures)`.
    public mutating func next(random: UInt64 = UInt64.random(in: 0...UInt64.max)) -> UInt64 {
        let ceiling = min(capMillis, baseMillis << UInt64(min(failures, 30)))
        failures += 1
        return ceiling / 2 + random % (ceiling / 2 + 1)
    }

    /// Records a success: the next failure starts from `base` again.
    public mutating func reset() { failures = 0 }
}
