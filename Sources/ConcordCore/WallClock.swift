#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A source of wall-clock time in Unix milliseconds, injected wherever time is read.
///
/// The core never reads a clock itself: callers pass milliseconds in. Code at the edges
/// holds a `WallClock`, and tests replace it with a fixed or scripted one.
///
/// ```swift
/// let fixed = WallClock.constant(1_700_000_000_000)
/// fixed.nowMillis() // 1_700_000_000_000
/// ```
public struct WallClock: Sendable {
    private let read: @Sendable () -> UInt64

    /// A clock that calls `read` for every reading.
    public init(_ read: @escaping @Sendable () -> UInt64) { self.read = read }

    /// The current Unix time in milliseconds.
    public func nowMillis() -> UInt64 { read() }

    /// A clock that always reads `millis`.
    public static func constant(_ millis: UInt64) -> WallClock { WallClock { millis } }
}

extension WallClock {
    /// The system's real-time clock, in Unix milliseconds: for the executable and the
    /// edges to inject. Nothing in the core reads it.
    public static let system = WallClock {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) * 1000 + UInt64(ts.tv_nsec) / 1_000_000
    }
}
