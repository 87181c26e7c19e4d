/// The global identity of one record, the same in every replica: 128 random bits.
///
/// Written as 32 lowercase hex digits. Links map each CRM's own id to it.
public struct RecordID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The high 64 bits.
    public var high: UInt64
    /// The low 64 bits.
    public var low: UInt64

    /// Creates an id from its two halves.
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// A new random id drawn from `generator`.
    public static func random<G: RandomNumberGenerator>(using generator: inout G) -> RecordID {
        RecordID(high: generator.next(), low: generator.next())
    }

    /// A new random id from the system generator.
    public static func random() -> RecordID {
        var g = SystemRandomNumberGenerator()
        return random(using: &g)
    }

    /// Parses 32 hex digits (case-insensitive); `nil` for anything else.
    public init?(_ text: some StringProtocol) {
        guard text.utf8.count == 32,
              let h = UInt64(text.prefix(16), radix: 16),
              let l = UInt64(text.suffix(16), radix: 16) else { return nil }
        self.init(high: h, low: l)
    }

    public static func < (lhs: RecordID, rhs: RecordID) -> Bool {
        lhs.high != rhs.high ? lhs.high < rhs.high : lhs.low < rhs.low
    }

    /// 32 lowercase hex digits.
    public var description: String { hex16(high) + hex16(low) }
}
