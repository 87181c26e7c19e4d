import ConcordMapping

/// A JSON document whose numbers keep their literal text, so an amount such as `0.1` or
/// `12345678901234567890` never passes through `Double`.
///
/// Used by the Salesforce, HubSpot and Dataverse connectors for every body they read and
/// write, and for the HubSpot cursor.
package enum ExactJSON: Hashable, Sendable {
    case null
    case bool(Bool)
    /// A number as written on the wire (`"1e21"`, `"0.10"`).
    case number(String)
    case string(String)
    case array([ExactJSON])
    case object([String: ExactJSON])

    /// The member named `key` of an object.
    package subscript(key: String) -> ExactJSON? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The string, if this is one.
    package var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The elements, if this is an array.
    package var arrayValue: [ExactJSON]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The members, if this is an object.
    package var objectValue: [String: ExactJSON]? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// The boolean, if this is one.
    package var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The number's text or the string, for ids and counters sent either way.
    package var textValue: String? {
        switch self {
        case .string(let s): return s
        case .number(let n): return n
        default: return nil
        }
    }

    /// Whether this is `null`.
    package var isNull: Bool { self == .null }

    /// The scalar as a ``WireValue``; arrays and objects have none.
    var wireValue: WireValue? {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .number(let n): return .number(n)
        case .string(let s): return .string(s)
        case .array, .object: return nil
        }
    }

    /// The JSON form of a wire value.
    init(_ wire: WireValue) {
        switch wire {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .number(let n): self = .number(n)
        case .string(let s): self = .string(s)
        }
    }

    /// Compact UTF-8 JSON text; object members in key order so bodies are reproducible.
    package var serialized: [UInt8] {
        var out: [UInt8] = []
        write(into: &out)
        return out
    }

    /// ``serialized`` as a `String`.
    package var text: String { String(decoding: serialized, as: UTF8.self) }

    private func write(into out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: Array("null".utf8))
        case .bool(let b): out.append(contentsOf: Array((b ? "true" : "false").utf8))
        case .number(let n): out.append(contentsOf: Array((ExactJSON.isValidNumber(n) ? n : "null").utf8))
        case .string(let s): ExactJSON.writeString(s, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                item.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (i, key) in members.keys.sorted().enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                ExactJSON.writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                members[key]?.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func writeString(_ s: String, into out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [92, 34])
            case UInt8(ascii: "\\"): out.append(contentsOf: [92, 92])
            case 0x0A: out.append(contentsOf: [92, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [92, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [92, UInt8(ascii: "t")])
            case 0..<0x20:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Whether `text` is a JSON number literal (`-0`, `1.5e-3`; not `01`, `.5`, `NaN`).
    static func isValidNumber(_ text: String) -> Bool {
        var parser = ExactJSONParser(Array(text.utf8))
        guard let literal = try? parser.number() else { return false }
        return parser.atEnd && literal == text
    }

    /// Parses a complete JSON document; arrays and objects nested more than
    /// ``ExactJSONParser/maxDepth`` levels deep are refused.
    package static func parse(_ bytes: [UInt8]) throws(ExactJSONError) -> ExactJSON {
        var parser = ExactJSONParser(bytes)
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.atEnd else { throw parser.error("unexpected text after the JSON value") }
        return value
    }

    /// Parses the UTF-8 of `text` as a complete JSON document.
    package static func parse(_ text: String) throws(ExactJSONError) -> ExactJSON {
        try parse(Array(text.utf8))
    }
}

/// A body that is not valid JSON: where and why.
package struct ExactJSONError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The byte offset of the problem.
    package var offset: Int
    /// What was wrong.
    package var reason: String
    /// `invalid JSON at byte 12: expected ':'`.
    package var description: String { "invalid JSON at byte \(offset): \(reason)" }
}
