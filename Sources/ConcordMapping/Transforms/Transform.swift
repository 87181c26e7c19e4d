/// How a picklist value that has no entry in the table is treated.
public enum UnmappedPolicy: Hashable, Sendable, CustomStringConvertible {
    /// Fail the change; it goes to quarantine with the value. The default.
    case reject
    /// Keep the value unchanged.
    case passThrough
    /// Replace it with this value (canonical when reading, CRM value when writing).
    /// Not round-trip safe for the replaced values, by design.
    case useDefault(canonical: String, crm: String)

    /// `reject`, `pass-through`, `default X/Y`.
    public var description: String {
        switch self {
        case .reject: return "reject"
        case .passThrough: return "pass-through"
        case .useDefault(let c, let w): return "default \(c)/\(w)"
        }
    }
}

/// A picklist value table: canonical value to CRM value, and back.
///
/// Several canonical values may share one CRM value (ten Salesforce stages onto seven
/// HubSpot stages); reading that CRM value then needs an explicit `inbound` choice, so
/// reading and writing again always reproduces the CRM value.
public struct PicklistTable: Hashable, Sendable {
    /// Canonical to CRM, in file order (the order also sorts multi-select output).
    public var outbound: [(canonical: String, crm: String)]
    /// CRM to canonical.
    public var inbound: [String: String]
    /// What to do with values missing from the table.
    public var unmapped: UnmappedPolicy

    /// Creates a table. `inbound` entries override the inverse of `outbound`.
    public init(outbound: [(canonical: String, crm: String)], inbound: [String: String] = [:],
                unmapped: UnmappedPolicy = .reject) {
        self.outbound = outbound
        var back: [String: String] = [:]
        for (c, w) in outbound where back[w] == nil { back[w] = c }
        self.inbound = back.merging(inbound) { _, new in new }
        self.unmapped = unmapped
    }

    /// The CRM value for a canonical value.
    public func crmValue(for canonical: String) -> String? { outbound.first { $0.canonical == canonical }?.crm }

    public static func == (l: PicklistTable, r: PicklistTable) -> Bool {
        l.outbound.map { [$0.canonical, $0.crm] } == r.outbound.map { [$0.canonical, $0.crm] }
            && l.inbound == r.inbound && l.unmapped == r.unmapped
    }

    public func hash(into h: inout Hasher) {
        for (c, w) in outbound { h.combine(c); h.combine(w) }
        h.combine(inbound)
        h.combine(unmapped)
    }
}

/// How text is normalised when read from a CRM.
public struct TextNormalization: Hashable, Sendable {
    /// Letter case.
    public enum Case: String, Hashable, Sendable { case keep, lower, upper }
    /// Remove leading and trailing white space.
    public var trim: Bool
    /// Replace runs of white space inside with one space.
    public var collapse: Bool
    /// Change letter case.
    public var letterCase: Case
    /// Compose to Unicode NFC, so `e` + combining accent equals `é` byte for byte.
    public var nfc: Bool

    /// Creates a normalisation.
    public init(trim: Bool = true, collapse: Bool = false, letterCase: Case = .keep, nfc: Bool = true) {
        self.trim = trim
        self.collapse = collapse
        self.letterCase = letterCase
        self.nfc = nfc
    }
}

/// The wire form of a calendar date.
public enum DateWireFormat: String, Hashable, Sendable, CaseIterable {
    /// `2024-01-15`.
    case iso
    /// Midnight UTC in epoch milliseconds, as text (HubSpot date properties).
    case epochMillis = "epoch-millis"
    /// An ISO date-time at local midnight in the configured zone (a date stored in a
    /// date-time property, e.g. HubSpot `closedate`).
    case midnight
}

/// The wire form of a point in time.
public enum DateTimeWireFormat: String, Hashable, Sendable, CaseIterable {
    /// `2024-01-02T03:04:05.000+0000` (Salesforce).
    case salesforce
    /// `2024-01-02T03:04:05Z` (Dataverse).
    case iso
    /// `2024-01-02T03:04:05.000Z` (HubSpot).
    case isoMillis = "iso-millis"
    /// Epoch milliseconds as text (some HubSpot properties, `hs_timestamp` writes).
    case epochMillis = "epoch-millis"
    /// Wall-clock time in the configured zone, no offset: `2024-07-01T14:00:00`.
    case local
    /// ISO with the configured zone's offset at that instant: `2024-07-01T14:00:00+02:00`.
    case offset
}

/// A per-field, per-CRM conversion between the CRM's wire value and the canonical value.
///
/// Laws (tested for every transform and every default mapping):
/// - `encode(decode(w)) == w` for every wire value `w` in the transform's normal form
///   (what Concord itself writes): reading and writing back never changes a CRM value;
/// - `decode(encode(v)) == v` for every canonical value the transform can represent;
/// - `decode(encode(decode(w))) == decode(w)` for any accepted `w`: normalising is idempotent.
public enum Transform: Hashable, Sendable {
    /// Type-directed conversion only: the field is renamed, the value converted by type.
    case plain
    /// Text normalisation (trim, collapse, case, NFC).
    case text(TextNormalization)
    /// Trim and lowercase an email address.
    case email
    /// Normalise a phone number to E.164 when a country is known (ISO 3166 alpha-2).
    case phone(country: String?)
    /// A calendar date in the given wire format; `zone` for ``DateWireFormat/midnight``.
    case date(DateWireFormat, zone: String?)
    /// A point in time in the given wire format; `zone` for `local` and `offset`.
    case dateTime(DateTimeWireFormat, zone: String?)
    /// An exact decimal; `scale` pads the written text to that many places (`1000.50`).
    case decimal(scale: Int?)
    /// A picklist value table; CRM values are text.
    case picklist(PicklistTable)
    /// A Dataverse option set: CRM values are integers.
    case optionSet(PicklistTable)
    /// A multi-select joined with `separator`; items optionally translated by a table.
    case multiSelect(separator: String, table: PicklistTable?, integers: Bool)
    /// A reference; `bind` is the Dataverse write template such as `/accounts({id})`.
    case reference(bind: String?)

    /// The configuration name of the transform.
    public var name: String {
        switch self {
        case .plain: return "plain"
        case .text: return "text"
        case .email: return "email"
        case .phone: return "phone"
        case .date: return "date"
        case .dateTime: return "datetime"
        case .decimal: return "decimal"
        case .picklist: return "picklist"
        case .optionSet: return "optionset"
        case .multiSelect: return "multiselect"
        case .reference: return "reference"
        }
    }
}
