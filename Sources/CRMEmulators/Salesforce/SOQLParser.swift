/// A parsed SOQL query (the subset a sync tool uses).
struct SOQLQuery: Sendable {
    var fields: [String]
    var object: String
    var condition: SOQLCondition?
    var orderBy: [SOQLOrder] = []
    var limit: Int?
    var offset: Int?
}

struct SOQLOrder: Sendable {
    var field: String
    var ascending: Bool
    var nullsFirst: Bool
}

indirect enum SOQLCondition: Sendable {
    case and(SOQLCondition, SOQLCondition)
    case or(SOQLCondition, SOQLCondition)
    case not(SOQLCondition)
    case compare(field: String, op: String, value: SOQLLiteral)
    case inList(field: String, values: [SOQLLiteral], negated: Bool)
    case like(field: String, pattern: String)
}

enum SOQLLiteral: Sendable, Equatable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null
    /// Epoch ms; `isDate` for date-only literals.
    case dateTime(Int64, isDate: Bool)
}

/// Raised for SOQL the emulator cannot read; rendered as `MALFORMED_QUERY`.
struct SOQLError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// Recursive-descent SOQL parser.
struct SOQLParser {
    private var tokens: [SOQLToken]
    private var index = 0

    static func parse(_ text: String) throws -> SOQLQuery {
        var parser = SOQLParser(tokens: try SOQLLexer.tokenize(text))
        return try parser.query()
    }

    private init(tokens: [SOQLToken]) { self.tokens = tokens }

    private var current: SOQLToken? { index < tokens.count ? tokens[index] : nil }

    private mutating func keyword(_ word: String) -> Bool {
        if case .word(let w) = current, w.uppercased() == word {
            index += 1
            return true
        }
        return false
    }

    private mutating func expectKeyword(_ word: String) throws {
        guard keyword(word) else { throw SOQLError(message: "unexpected token: '\(current?.text ?? "end of query")', expected \(word)") }
    }

    private mutating func symbol(_ s: String) -> Bool {
        if case .symbol(let v) = current, v == s {
            index += 1
            return true
        }
        return false
    }

    private mutating func identifier() throws -> String {
        guard case .word(let w) = current else { throw SOQLError(message: "unexpected token: '\(current?.text ?? "end of query")'") }
        index += 1
        return w
    }

    private mutating func query() throws -> SOQLQuery {
        try expectKeyword("SELECT")
        var fields = [try identifier()]
        while symbol(",") { fields.append(try identifier()) }
        try expectKeyword("FROM")
        var query = SOQLQuery(fields: fields, object: try identifier())
        if keyword("WHERE") { query.condition = try orExpression() }
        if keyword("ORDER") {
            try expectKeyword("BY")
            repeat {
                let field = try identifier()
                var ascending = true
                if keyword("DESC") { ascending = false } else { _ = keyword("ASC") }
                var nullsFirst = ascending
                if keyword("NULLS") {
                    if keyword("LAST") { nullsFirst = false } else { try expectKeyword("FIRST"); nullsFirst = true }
                }
                query.orderBy.append(SOQLOrder(field: field, ascending: ascending, nullsFirst: nullsFirst))
            } while symbol(",")
        }
        if keyword("LIMIT") { query.limit = try integer() }
        if keyword("OFFSET") { query.offset = try integer() }
        if let extra = current { throw SOQLError(message: "unexpected token: '\(extra.text)'") }
        return query
    }

    private mutating func integer() throws -> Int {
        guard case .number(let n) = current, let value = Int(exactly: n), value >= 0 else {
            throw SOQLError(message: "expected a non-negative integer, got '\(current?.text ?? "end of query")'")
        }
        index += 1
        return value
    }

    private mutating func orExpression() throws -> SOQLCondition {
        var left = try andExpression()
        while keyword("OR") { left = .or(left, try andExpression()) }
        return left
    }

    private mutating func andExpression() throws -> SOQLCondition {
        var left = try unary()
        while keyword("AND") { left = .and(left, try unary()) }
        return left
    }

    private mutating func unary() throws -> SOQLCondition {
        if keyword("NOT") { return .not(try unary()) }
        if symbol("(") {
            let inner = try orExpression()
            guard symbol(")") else { throw SOQLError(message: "expected ')'") }
            return inner
        }
        let field = try identifier()
        if keyword("NOT") {
            try expectKeyword("IN")
            return .inList(field: field, values: try list(), negated: true)
        }
        if keyword("IN") { return .inList(field: field, values: try list(), negated: false) }
        if keyword("LIKE") {
            guard case .string(let pattern) = try literal() else { throw SOQLError(message: "LIKE needs a string") }
            return .like(field: field, pattern: pattern)
        }
        for op in ["=", "!=", "<>", "<=", ">=", "<", ">"] where symbol(op) {
            return .compare(field: field, op: op == "<>" ? "!=" : op, value: try literal())
        }
        throw SOQLError(message: "unexpected token: '\(current?.text ?? "end of query")' after \(field)")
    }

    private mutating func list() throws -> [SOQLLiteral] {
        guard symbol("(") else { throw SOQLError(message: "expected '(' after IN") }
        var values = [try literal()]
        while symbol(",") { values.append(try literal()) }
        guard symbol(")") else { throw SOQLError(message: "expected ')' to close IN list") }
        return values
    }

    private mutating func literal() throws -> SOQLLiteral {
        guard let token = current else { throw SOQLError(message: "expected a value, got end of query") }
        index += 1
        switch token {
        case .string(let s): return .string(s)
        case .number(let n): return .number(n)
        case .symbol(let s): throw SOQLError(message: "unexpected token: '\(s)'")
        case .word(let w):
            switch w.uppercased() {
            case "TRUE": return .bool(true)
            case "FALSE": return .bool(false)
            case "NULL": return .null
            default:
                if let ms = Timestamps.parse(w) { return .dateTime(ms, isDate: !w.contains("T")) }
                throw SOQLError(message: "unexpected token: '\(w)'")
            }
        }
    }
}
