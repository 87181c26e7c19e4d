import Foundation

/// Hands out non-decreasing modification timestamps (epoch ms), truncated to the CRM's
/// precision and shifted by a configurable skew.
public final class EmulatorClock: Sendable {
    private let wall: @Sendable () -> Int64
    private let precisionMs: Int64
    private let state = Locked((last: Int64.min, skewMs: Int64(0)))

    /// - Parameters:
    ///   - precisionMs: 1 for millisecond timestamps, 1000 for second precision.
    ///   - wall: the time source; tests inject a fixed clock to force equal timestamps.
    public init(precisionMs: Int64 = 1, wall: @escaping @Sendable () -> Int64 = EmulatorClock.systemMillis) {
        self.precisionMs = max(1, precisionMs)
        self.wall = wall
    }

    public static let systemMillis: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }

    /// Current skew added to the wall clock.
    public var skewMs: Int64 {
        get { state.withLock { $0.skewMs } }
        set { state.withLock { $0.skewMs = newValue } }
    }

    /// The next modification timestamp: never earlier than the previous one.
    public func stamp() -> Int64 {
        state.withLock { s in
            let raw = wall() + s.skewMs
            let truncated = raw - ((raw % precisionMs) + precisionMs) % precisionMs
            s.last = max(s.last, truncated)
            return s.last
        }
    }

    /// Wall time with skew, without advancing the stamp sequence.
    public func now() -> Int64 { wall() + skewMs }
}
