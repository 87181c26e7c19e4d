/// The position of one write in the global order: its HLC timestamp, then its site.
///
/// Every replica orders writes the same way, so a last-writer-wins register resolves to
/// the same value everywhere.
public struct Stamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// When the write happened, as a hybrid logical clock reading.
    public var hlc: HLCTimestamp
    /// Which replica made the write.
    public var site: SiteID

    /// Creates a stamp.
    public init(hlc: HLCTimestamp, site: SiteID) {
        self.hlc = hlc
        self.site = site
    }

    /// The smallest stamp, older than every write.
    public static let zero = Stamp(hlc: .zero, site: SiteID(rawValue: 0))

    public static func < (lhs: Stamp, rhs: Stamp) -> Bool {
        lhs.hlc != rhs.hlc ? lhs.hlc < rhs.hlc : lhs.site < rhs.site
    }

    /// `hlc@site`.
    public var description: String { "\(hlc)@\(site)" }
}
