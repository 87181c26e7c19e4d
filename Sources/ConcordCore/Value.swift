/// A canonical field value, the same whichever CRM it came from.
///
/// There is no binary floating point: numbers are ``ExactDecimal`` or `Int64`, so a value
/// compares equal after a round trip through any CRM. ``null`` means "explicitly blank";
/// a field that was never set has no register at all.
///
/// Every value has a canonical byte encoding (``canonicalBytes``) used for equality of
/// stored values, deterministic tie-breaks and storage.
public enum Value: Hashable, Sendable {
    /// Explicitly blank.
    case null
    /// A checkbox.
    case bool(Bool)
    /// A whole number.
    case int(Int64)
    /// An exact decimal (amounts, percentages).
    case decimal(ExactDecimal)
    /// Text.
    case string(String)
    /// A point in time, Unix milliseconds in UTC.
    case dateTime(Int64)
    /// A calendar date.
    case date(CalendarDate)
    /// A reference to another record, by global id.
    case reference(RecordID)
    /// A multi-select picklist: an unordered set of option values.
    case multiSelect(Set<String>)

    /// Whether the value is ``null`` or an empty string or set ("blank" for rules such as
    /// "prefer Salesforce unless blank").
    public var isBlank: Bool {
        switch self {
        case .null: return true
        case .string(let s): return s.isEmpty
        case .multiSelect(let s): return s.isEmpty
        default: return false
        }
    }
}

extension Value: CustomStringConvertible {
    /// A short human-readable rendering, e.g. `"Ada"`, `42`, `2024-02-29`, `{a;b}`.
    public var description: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .decimal(let d): return d.description
        case .string(let s): return "\"" + s + "\""
        case .dateTime(let ms): return "@" + String(ms)
        case .date(let d): return d.description
        case .reference(let r): return "ref:" + r.description
        case .multiSelect(let s): return "{" + s.sorted().joined(separator: ";") + "}"
        }
    }
}
