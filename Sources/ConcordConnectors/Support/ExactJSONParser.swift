/// A recursive-descent JSON reader over UTF-8 bytes that keeps number literals as text.
struct ExactJSONParser {
    private let bytes: [UInt8]
    private var index = 0
    /// The most arrays and objects nested in one another, so hostile input cannot exhaust
    /// the stack (CRM bodies nest a handful of levels).
    static let maxDepth = 200

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { index >= bytes.count }

    func error(_ reason: String) -> ExactJSONError { ExactJSONError(offset: index, reason: reason) }

    mutating func skipSpace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func expect(_ literal: String) throws(ExactJSONError) {
        for byte in literal.utf8 {
            guard peek == byte else { throw error("expected \(literal)") }
            index += 1
        }
    }

    /// One value inside `depth` enclosing arrays and objects.
    mutating func value(depth: Int) throws(ExactJSONError) -> ExactJSON {
        skipSpace()
        guard let byte = peek else { throw error("unexpected end of input") }
        switch byte {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        default: return .number(try number())
        }
    }

    /// Opens the array or object at the current byte, one level below `depth`.
    private mutating func enter(depth: Int) throws(ExactJSONError) {
        guard depth < Self.maxDepth else { throw error("nested deeper than \(Self.maxDepth) levels") }
        index += 1
        skipSpace()
    }

    /// After a member or element: `true` past a `,`, `false` past `close`.
    private mutating func next(close: UInt8, what: String) throws(ExactJSONError) -> Bool {
        skipSpace()
        guard let byte = peek else { throw error("unterminated \(what)") }
        guard byte == UInt8(ascii: ",") || byte == close else {
            throw error("expected ',' or '\(Character(Unicode.Scalar(close)))'")
        }
        index += 1
        return byte != close
    }

    private mutating func object(depth: Int) throws(ExactJSONError) -> ExactJSON {
        try enter(depth: depth)
        var members: [String: ExactJSON] = [:]
        if peek == UInt8(ascii: "}") { index += 1; return .object(members) }
        repeat {
            skipSpace()
            guard peek != nil else { throw error("unterminated object") }
            guard peek == UInt8(ascii: "\"") else { throw error("expected a member name") }
            let key = try string()
            skipSpace()
            guard peek == UInt8(ascii: ":") else { throw error("expected ':'") }
            index += 1
            members[key] = try value(depth: depth + 1)
        } while try next(close: UInt8(ascii: "}"), what: "object")
        return .object(members)
    }

    private mutating func array(depth: Int) throws(ExactJSONError) -> ExactJSON {
        try enter(depth: depth)
        var items: [ExactJSON] = []
        if peek == UInt8(ascii: "]") { index += 1; return .array(items) }
        repeat {
            items.append(try value(depth: depth + 1))
        } while try next(close: UInt8(ascii: "]"), what: "array")
        return .array(items)
    }

    /// A number literal, validated against the JSON grammar and returned verbatim.
    mutating func number() throws(ExactJSONError) -> String {
        let start = index
        func digits() -> Int {
            let from = index
            while let b = peek, b >= 0x30, b <= 0x39 { index += 1 }
            return index - from
        }
        if peek == UInt8(ascii: "-") { index += 1 }
        if peek == UInt8(ascii: "0") {
            index += 1
            if let b = peek, b >= 0x30, b <= 0x39 { throw error("leading zero in a number") }
        } else if digits() == 0 {
            throw error("expected a value")
        }
        if peek == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw error("expected digits after the decimal point") }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            index += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw error("expected exponent digits") }
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func hex4() throws(ExactJSONError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[index]
            let digit: UInt32
            switch b {
            case 0x30...0x39: digit = UInt32(b - 0x30)
            case 0x41...0x46: digit = UInt32(b - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(b - 0x61 + 10)
            default: throw error("bad hex digit in \\u escape")
            }
            value = value * 16 + digit
            index += 1
        }
        return value
    }

    private mutating func string() throws(ExactJSONError) -> String {
        index += 1
        var out: [UInt8] = []
        while true {
            guard let b = peek else { throw error("unterminated string") }
            index += 1
            switch b {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let e = peek else { throw error("unterminated escape") }
                index += 1
                switch e {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar), index + 1 < bytes.count,
                        bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                    {
                        index += 2
                        let low = try hex4()
                        if (0xDC00..<0xE000).contains(low) {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            out.append(contentsOf: Array("\u{FFFD}".utf8))
                            scalar = low
                        }
                    }
                    let char = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                    out.append(contentsOf: Array(String(Character(char)).utf8))
                default: throw error("unknown escape")
                }
            case 0..<0x20:
                throw error("control character in string")
            default:
                out.append(b)
            }
        }
    }
}
