import ConcordCore

/// The type of a canonical field; each maps onto one ``ConcordCore/Value`` case.
///
/// | type | Value case |
/// |---|---|
/// | string, email, phone, picklist | `.string` |
/// | bool | `.bool` |
/// | int | `.int` |
/// | decimal, currency | `.decimal` |
/// | date | `.date` |
/// | datetime | `.dateTime` |
/// | multipicklist | `.multiSelect` |
/// | reference(object) | `.reference` |
public enum FieldType: Hashable, Sendable, CustomStringConvertible {
    /// Text.
    case string
    /// An email address (text, validated as an address).
    case email
    /// A phone number (text, E.164 where it can be normalised).
    case phone
    /// A checkbox.
    case bool
    /// A whole number.
    case int
    /// An exact decimal.
    case decimal
    /// An exact amount of money (a decimal, usually with `scale: 2`).
    case currency
    /// A calendar date.
    case date
    /// A point in time.
    case datetime
    /// One value from a list.
    case picklist
    /// A set of values from a list.
    case multipicklist
    /// A reference to a record of the named canonical object.
    case reference(to: String)

    /// The names accepted in configuration (`reference(company)` for references).
    public static let names = ["string", "email", "phone", "bool", "int", "decimal", "currency",
                               "date", "datetime", "picklist", "multipicklist", "reference(OBJECT)"]

    /// Parses a configuration name; `nil` when unknown.
    public init?(name: String) {
        switch name {
        case "string", "text": self = .string
        case "email": self = .email
        case "phone": self = .phone
        case "bool", "boolean": self = .bool
        case "int", "integer": self = .int
        case "decimal", "number": self = .decimal
        case "currency": self = .currency
        case "date": self = .date
        case "datetime": self = .datetime
        case "picklist": self = .picklist
        case "multipicklist": self = .multipicklist
        default:
            guard name.hasPrefix("reference("), name.hasSuffix(")") else { return nil }
            let inner = name.dropFirst("reference(".count).dropLast()
            guard !inner.isEmpty else { return nil }
            self = .reference(to: String(inner))
        }
    }

    /// The configuration name, e.g. `reference(company)`.
    public var description: String {
        switch self {
        case .string: return "string"
        case .email: return "email"
        case .phone: return "phone"
        case .bool: return "bool"
        case .int: return "int"
        case .decimal: return "decimal"
        case .currency: return "currency"
        case .date: return "date"
        case .datetime: return "datetime"
        case .picklist: return "picklist"
        case .multipicklist: return "multipicklist"
        case .reference(let o): return "reference(\(o))"
        }
    }

    /// Whether `value` has the ``ConcordCore/Value`` case this type maps to (`.null` always fits).
    public func admits(_ value: Value) -> Bool {
        switch (self, value) {
        case (_, .null): return true
        case (.string, .string), (.email, .string), (.phone, .string), (.picklist, .string): return true
        case (.bool, .bool), (.int, .int), (.date, .date), (.datetime, .dateTime): return true
        case (.decimal, .decimal), (.currency, .decimal): return true
        case (.multipicklist, .multiSelect), (.reference, .reference): return true
        default: return false
        }
    }
}
