/// Evaluates parsed SOQL conditions and orderings against rendered field maps.
enum SOQLEvaluator {
    static func matches(_ condition: SOQLCondition, _ fields: [String: JSONValue]) -> Bool {
        switch condition {
        case .and(let l, let r): return matches(l, fields) && matches(r, fields)
        case .or(let l, let r): return matches(l, fields) || matches(r, fields)
        case .not(let c): return !matches(c, fields)
        case .compare(let field, let op, let literal):
            let value = fields[field] ?? .null
            if literal == .null {
                return op == "=" ? value.isNull : op == "!=" ? !value.isNull : false
            }
            if value.isNull { return op == "!=" }
            guard let order = compare(value, literal) else { return op == "!=" }
            switch op {
            case "=": return order == 0
            case "!=": return order != 0
            case "<": return order < 0
            case "<=": return order <= 0
            case ">": return order > 0
            default: return order >= 0
            }
        case .inList(let field, let values, let negated):
            let value = fields[field] ?? .null
            let found = values.contains { $0 == .null ? value.isNull : compare(value, $0) == 0 }
            return negated ? !found : found
        case .like(let field, let pattern):
            guard let text = fields[field]?.textForm else { return false }
            return like(text.lowercased(), pattern.lowercased())
        }
    }

    /// -1/0/1 comparing a stored value with a literal; nil when incomparable.
    static func compare(_ value: JSONValue, _ literal: SOQLLiteral) -> Int? {
        switch literal {
        case .string(let s):
            guard let text = value.textForm else { return nil }
            return sign(text.lowercased(), s.lowercased())
        case .number(let n):
            guard let d = value.doubleValue else { return nil }
            return sign(d, n)
        case .bool(let b):
            guard let v = value.boolValue else { return nil }
            return v == b ? 0 : (v ? 1 : -1)
        case .dateTime(let ms, _):
            guard let text = value.stringValue, let t = Timestamps.parse(text) else { return nil }
            return sign(t, ms)
        case .null:
            return nil
        }
    }

    /// Orders two values (nulls handled by the caller); numbers, then date-times, then text.
    static func order(_ a: JSONValue, _ b: JSONValue) -> Int {
        if let x = a.doubleValue, let y = b.doubleValue, a.stringValue == nil { return sign(x, y) }
        if let x = a.boolValue, let y = b.boolValue { return x == y ? 0 : (x ? 1 : -1) }
        let x = a.textForm ?? "", y = b.textForm ?? ""
        if x.count >= 10, y.count >= 10, let tx = Timestamps.parse(x), let ty = Timestamps.parse(y) { return sign(tx, ty) }
        return sign(x.lowercased(), y.lowercased())
    }

    private static func sign<T: Comparable>(_ a: T, _ b: T) -> Int { a < b ? -1 : (a > b ? 1 : 0) }

    private static func like(_ text: String, _ pattern: String) -> Bool {
        let t = Array(text), p = Array(pattern)
        var memo: [Int: Bool] = [:]
        func go(_ i: Int, _ j: Int) -> Bool {
            let key = i * (p.count + 1) + j
            if let cached = memo[key] { return cached }
            let result: Bool
            if j == p.count { result = i == t.count }
            else if p[j] == "%" { result = go(i, j + 1) || (i < t.count && go(i + 1, j)) }
            else { result = i < t.count && (p[j] == "_" || p[j] == t[i]) && go(i + 1, j + 1) }
            memo[key] = result
            return result
        }
        return go(0, 0)
    }
}
