/// A parsed OData `$filter` expression.
indirect enum ODataExpression: Sendable {
    case and(ODataExpression, ODataExpression)
    case or(ODataExpression, ODataExpression)
    case not(ODataExpression)
    case compare(field: String, op: String, value: ODataLiteral)
    /// contains / startswith / endswith (field, text).
    case function(name: String, field: String, text: String)
}

enum ODataLiteral: Sendable, Equatable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null
    case dateTime(Int64)
    case guid(String)
}

/// Raised for unreadable `$filter` text.
struct ODataFilterError: Error {
    let message: String
}

/// Recursive-descent parser for the `$filter` subset a sync tool uses.
struct ODataFilterParser {
    private var tokens: [String]
    private var index = 0

    static func parse(_ text: String) throws -> ODataExpression {
        var parser = ODataFilterParser(tokens: try tokenize(text))
        let expression = try parser.orExpression()
        guard parser.index == parser.tokens.count else { throw ODataFilterError(message: "Syntax error at position \(parser.index) in '\(text)'.") }
        return expression
    }

    private init(tokens: [String]) { self.tokens = tokens }

    static func tokenize(_ text: String) throws -> [String] {
        let chars = Array(text)
        var tokens: [String] = []
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == " " { i += 1; continue }
            if c == "(" || c == ")" || c == "," { tokens.append(String(c)); i += 1; continue }
            if c == "'" {
                var value = "'"
                i += 1
                while i < chars.count {
                    if chars[i] == "'" {
                        if i + 1 < chars.count, chars[i + 1] == "'" { value.append("'"); i += 2; continue }
                        break
                    }
                    value.append(chars[i])
                    i += 1
                }
                guard i < chars.count else { throw ODataFilterError(message: "Unterminated string literal in '\(text)'.") }
                i += 1
                tokens.append(value + "'")
                continue
            }
            var word = ""
            while i < chars.count, chars[i] != " ", chars[i] != "(", chars[i] != ")", chars[i] != "," {
                word.append(chars[i])
                i += 1
            }
            tokens.append(word)
        }
        return tokens
    }

    private var current: String? { index < tokens.count ? tokens[index] : nil }

    private mutating func accept(_ word: String) -> Bool {
        if current?.lowercased() == word { index += 1; return true }
        return false
    }

    private mutating func next() throws -> String {
        guard let token = current else { throw ODataFilterError(message: "Unexpected end of $filter.") }
        index += 1
        return token
    }

    private mutating func orExpression() throws -> ODataExpression {
        var left = try andExpression()
        while accept("or") { left = .or(left, try andExpression()) }
        return left
    }

    private mutating func andExpression() throws -> ODataExpression {
        var left = try unary()
        while accept("and") { left = .and(left, try unary()) }
        return left
    }

    private mutating func unary() throws -> ODataExpression {
        if accept("not") { return .not(try unary()) }
        if accept("(") {
            let inner = try orExpression()
            guard accept(")") else { throw ODataFilterError(message: "Expected ')'.") }
            return inner
        }
        let word = try next()
        let lowered = word.lowercased()
        if ["contains", "startswith", "endswith"].contains(lowered), accept("(") {
            let field = try next()
            guard accept(",") else { throw ODataFilterError(message: "Expected ',' in \(lowered).") }
            guard case .string(let text) = try literal(try next()) else { throw ODataFilterError(message: "\(lowered) needs a string.") }
            guard accept(")") else { throw ODataFilterError(message: "Expected ')' after \(lowered).") }
            return .function(name: lowered, field: field, text: text)
        }
        let op = try next().lowercased()
        guard ["eq", "ne", "gt", "ge", "lt", "le"].contains(op) else {
            throw ODataFilterError(message: "Syntax error: character '\(op)' is not valid after '\(word)'.")
        }
        return .compare(field: word, op: op, value: try literal(try next()))
    }

    private func literal(_ token: String) throws -> ODataLiteral {
        if token.hasPrefix("'"), token.hasSuffix("'"), token.count >= 2 { return .string(String(token.dropFirst().dropLast())) }
        switch token.lowercased() {
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "null": return .null
        default: break
        }
        if token.count == 36, token.filter({ $0 == "-" }).count == 4 { return .guid(token.lowercased()) }
        if token.contains("-"), token.count >= 10, let ms = Timestamps.parse(token) { return .dateTime(ms) }
        if let n = Double(token) { return .number(n) }
        throw ODataFilterError(message: "Unrecognized literal '\(token)'.")
    }
}

/// Evaluates filters against rendered rows (option sets as integers, lookups as `_x_value`).
enum ODataFilterEvaluator {
    static func matches(_ expression: ODataExpression, _ row: [String: JSONValue]) -> Bool {
        switch expression {
        case .and(let l, let r): return matches(l, row) && matches(r, row)
        case .or(let l, let r): return matches(l, row) || matches(r, row)
        case .not(let e): return !matches(e, row)
        case .function(let name, let field, let text):
            guard let value = row[field]?.textForm?.lowercased() else { return false }
            let needle = text.lowercased()
            return name == "contains" ? value.contains(needle) : name == "startswith" ? value.hasPrefix(needle) : value.hasSuffix(needle)
        case .compare(let field, let op, let literal):
            let value = row[field] ?? .null
            if literal == .null || value.isNull {
                let equal = literal == .null && value.isNull
                return op == "eq" ? equal : op == "ne" ? !equal : false
            }
            guard let c = compare(value, literal) else { return op == "ne" }
            switch op {
            case "eq": return c == 0
            case "ne": return c != 0
            case "gt": return c > 0
            case "ge": return c >= 0
            case "lt": return c < 0
            default: return c <= 0
            }
        }
    }

    static func compare(_ value: JSONValue, _ literal: ODataLiteral) -> Int? {
        func sign<T: Comparable>(_ a: T, _ b: T) -> Int { a < b ? -1 : (a > b ? 1 : 0) }
        switch literal {
        case .string(let s): return value.textForm.map { sign($0.lowercased(), s.lowercased()) }
        case .guid(let g): return value.stringValue.map { sign($0.lowercased(), g) }
        case .number(let n): return value.doubleValue.map { sign($0, n) }
        case .bool(let b): return value.boolValue.map { $0 == b ? 0 : ($0 ? 1 : -1) }
        case .dateTime(let ms): return value.stringValue.flatMap(Timestamps.parse).map { sign($0, ms) }
        case .null: return nil
        }
    }
}
