/// A hybrid logical clock timestamp packed into 64 bits.
///
/// The high 48 bits hold Unix time in milliseconds, the low 16 bits a logical counter
/// (Kulkarni et al. 2014, "Logical Physical Clocks and Consistent Snapshots in Globally
/// Distributed Databases"). Comparing the raw values compares `(millis, counter)`
/// lexicographically, which is the order the merge uses.
///
/// ```swift
/// let t = HLCTimestamp(millis: 1_700_000_000_000, counter: 3)
/// t.millis   // 1_700_000_000_000
/// t.counter  // 3
/// ```
public struct HLCTimestamp: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The packed `millis << 16 | counter` representation.
    public var rawValue: UInt64

    /// The number of bits used by the logical counter.
    public static let counterBits: UInt64 = 16
    /// The largest counter value before it carries into the milliseconds.
    public static let maxCounter: UInt64 = (1 << counterBits) - 1
    /// The largest representable millisecond value (48 bits: about the year 10889).
    public static let maxMillis: UInt64 = (1 << 48) - 1

    /// The zero timestamp, older than every real one.
    public static let zero = HLCTimestamp(rawValue: 0)

    /// Wraps a packed value.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// Packs milliseconds and a counter. Values beyond 48/16 bits are clamped.
    public init(millis: UInt64, counter: UInt64 = 0) {
        let m = min(millis, Self.maxMillis)
        let c = min(counter, Self.maxCounter)
        self.rawValue = (m << Self.counterBits) | c
    }

    /// Unix time in milliseconds.
    public var millis: UInt64 { rawValue >> Self.counterBits }
    /// The logical counter.
    public var counter: UInt64 { rawValue & Self.maxCounter }

    /// The next timestamp in the total order: the counter plus one, carrying into the
    /// milliseconds when the counter is full.
    public var successor: HLCTimestamp { HLCTimestamp(rawValue: rawValue &+ 1) }

    public static func < (lhs: HLCTimestamp, rhs: HLCTimestamp) -> Bool { lhs.rawValue < rhs.rawValue }

    /// `millis.counter`, e.g. `1700000000000.3`.
    public var description: String { "\(millis).\(counter)" }
}
