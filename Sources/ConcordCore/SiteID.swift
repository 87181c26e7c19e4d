/// The identity of one replica: a random 64-bit number chosen when a store is created.
///
/// Site ids break ties between equal HLC timestamps, so the order of all writes is
/// `(hlc, site)` and is the same on every replica.
public struct SiteID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The 64-bit identity.
    public var rawValue: UInt64

    /// Wraps a known site id.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// A new random site id drawn from `generator`.
    public static func random<G: RandomNumberGenerator>(using generator: inout G) -> SiteID {
        SiteID(rawValue: generator.next())
    }

    /// A new random site id from the system generator.
    public static func random() -> SiteID {
        var g = SystemRandomNumberGenerator()
        return random(using: &g)
    }

    public static func < (lhs: SiteID, rhs: SiteID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Sixteen lowercase hex digits.
    public var description: String { hex16(rawValue) }
}

/// Formats a `UInt64` as exactly sixteen lowercase hex digits.
@inlinable
func hex16(_ v: UInt64) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: 16 - s.count) + s
}
