import ConcordCore

/// Site ids of CRM replicas: derived from the replica's configured name (FNV-1a, 64-bit),
/// so every Concord store that syncs the same CRM stamps its edits with the same site.
public enum ReplicaSites {
    /// The site id of replica `name`.
    public static func site(_ name: String) -> SiteID {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in ("crm:" + name).utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        return SiteID(rawValue: h)
    }

    /// The replica whose site is `site`, among `names`.
    public static func name(of site: SiteID, among names: [String]) -> String? {
        names.first { Self.site($0) == site }
    }
}
