/// A field value as a CRM sends or receives it, without any JSON library.
///
/// Numbers keep their exact JSON text (`"1000.50"`, `"12"`), so an amount never passes
/// through binary floating point. HubSpot sends every property as a string; Salesforce and
/// Dataverse use JSON booleans and numbers.
///
/// ```swift
/// WireValue.number("0.1")   // the JSON number 0.1, exactly as written
/// WireValue.string("")      // HubSpot's blank
/// ```
public enum WireValue: Hashable, Sendable, Codable {
    /// JSON `null`.
    case null
    /// JSON `true` / `false`.
    case bool(Bool)
    /// A JSON number, as its literal text.
    case number(String)
    /// A JSON string.
    case string(String)

    /// Whether the value is `null` or an empty (or all-white-space) string: a CRM's "blank".
    public var isBlank: Bool {
        switch self {
        case .null: return true
        case .string(let s): return s.allSatisfy(\.isWhitespace)
        default: return false
        }
    }

    /// The text of a string or number, `"true"`/`"false"` for a bool, `nil` for null.
    public var text: String? {
        switch self {
        case .null: return nil
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return n
        case .string(let s): return s
        }
    }

    private enum CodingKeys: String, CodingKey { case kind, value }

    /// Encodes as `{"kind":"string","value":"..."}` so numbers keep their exact text.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .null: try c.encode("null", forKey: .kind)
        case .bool(let b): try c.encode("bool", forKey: .kind); try c.encode(b, forKey: .value)
        case .number(let n): try c.encode("number", forKey: .kind); try c.encode(n, forKey: .value)
        case .string(let s): try c.encode("string", forKey: .kind); try c.encode(s, forKey: .value)
        }
    }

    /// Decodes the form written by ``encode(to:)``.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(String.self, forKey: .kind) {
        case "null": self = .null
        case "bool": self = .bool(try c.decode(Bool.self, forKey: .value))
        case "number": self = .number(try c.decode(String.self, forKey: .value))
        case "string": self = .string(try c.decode(String.self, forKey: .value))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: c,
                debugDescription: "unknown wire value kind \(other); expected null, bool, number or string")
        }
    }
}

extension WireValue: CustomStringConvertible {
    /// JSON-like rendering: `null`, `true`, `12.5`, `"text"`.
    public var description: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return n
        case .string(let s): return "\"" + s + "\""
        }
    }
}
