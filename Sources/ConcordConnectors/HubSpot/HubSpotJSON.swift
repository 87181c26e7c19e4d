/// A JSON value as HubSpot sends it, with numbers kept as their exact literal text (never
/// passed through `Double`, so `12345678901234567890` and `0.1` survive unchanged).
public indirect enum HubSpotJSON: Hashable, Sendable {
    /// `null`.
    case null
    /// `true` / `false`.
    case bool(Bool)
    /// A number, as its literal text.
    case number(String)
    /// A string.
    case string(String)
    /// An array.
    case array([HubSpotJSON])
    /// An object (key order is not kept).
    case object([String: HubSpotJSON])

    /// The member `key` of an object, `nil` otherwise.
    public subscript(key: String) -> HubSpotJSON? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The string value, `nil` for anything else.
    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The text of a string or number.
    public var text: String? {
        switch self {
        case .string(let s), .number(let s): return s
        default: return nil
        }
    }

    /// The elements of an array, `nil` for anything else.
    public var array: [HubSpotJSON]? {
        if case .array(let items) = self { return items }
        return nil
    }

    /// The members of an object, `nil` for anything else.
    public var object: [String: HubSpotJSON]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The boolean value, `nil` for anything else.
    public var bool: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// Compact JSON text (object keys sorted, so output is deterministic).
    public var serialized: String {
        var out = ""
        write(to: &out)
        return out
    }

    /// The serialized UTF-8 bytes.
    public var bytes: [UInt8] { Array(serialized.utf8) }

    private func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n
        case .string(let s): Self.writeString(s, to: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.write(to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (i, key) in members.keys.sorted().enumerated() {
                if i > 0 { out += "," }
                Self.writeString(key, to: &out)
                out += ":"
                members[key]?.write(to: &out)
            }
            out += "}"
        }
    }

    private static func writeString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}

/// Why a HubSpot body could not be read as JSON.
public struct HubSpotJSONError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The byte offset where reading failed.
    public var offset: Int
    /// What was wrong there.
    public var reason: String
    /// `invalid JSON at byte 12: expected ':'`.
    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

extension HubSpotJSON {
    /// Parses `bytes` as one JSON value (nesting deeper than 200 levels is refused).
    public static func parse(_ bytes: [UInt8]) throws(HubSpotJSONError) -> HubSpotJSON {
        var parser = HubSpotJSONParser(bytes: bytes)
        return try parser.parseDocument()
    }

    /// Parses `text` as one JSON value.
    public static func parse(_ text: String) throws(HubSpotJSONError) -> HubSpotJSON {
        try parse(Array(text.utf8))
    }
}
