/// One SOQL token.
enum SOQLToken: Sendable, Equatable {
    case word(String)
    case string(String)
    case number(Double)
    case symbol(String)

    var text: String {
        switch self {
        case .word(let w): w
        case .string(let s): "'\(s)'"
        case .number(let n): String(n)
        case .symbol(let s): s
        }
    }
}

/// Splits SOQL into tokens. Datetime literals (`2024-01-01T00:00:00Z`, `...+01:00`) are words.
enum SOQLLexer {
    static func tokenize(_ text: String) throws -> [SOQLToken] {
        let chars = Array(text)
        var tokens: [SOQLToken] = []
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c.isWhitespace { i += 1; continue }
            if c == "'" {
                var value = ""
                i += 1
                var closed = false
                while i < chars.count {
                    if chars[i] == "\\", i + 1 < chars.count {
                        let next = chars[i + 1]
                        value.append(next == "n" ? "\n" : next == "t" ? "\t" : next)
                        i += 2
                        continue
                    }
                    if chars[i] == "'" { closed = true; i += 1; break }
                    value.append(chars[i])
                    i += 1
                }
                guard closed else { throw SOQLError(message: "unterminated string literal") }
                tokens.append(.string(value))
                continue
            }
            if "(),".contains(c) { tokens.append(.symbol(String(c))); i += 1; continue }
            if "=!<>".contains(c) {
                var op = String(c)
                if i + 1 < chars.count, "=>".contains(chars[i + 1]), op != "=" { op.append(chars[i + 1]) }
                i += op.count
                guard ["=", "!=", "<>", "<", "<=", ">", ">="].contains(op) else { throw SOQLError(message: "unknown operator \(op)") }
                tokens.append(.symbol(op))
                continue
            }
            if c.isNumber || (c == "-" && i + 1 < chars.count && chars[i + 1].isNumber) {
                var word = String(c)
                i += 1
                while i < chars.count, chars[i].isNumber || "-:.TZ+".contains(chars[i]) {
                    word.append(chars[i])
                    i += 1
                }
                if let n = Double(word) { tokens.append(.number(n)) } else { tokens.append(.word(word)) }
                continue
            }
            if c.isLetter || c == "_" {
                var word = ""
                while i < chars.count, chars[i].isLetter || chars[i].isNumber || chars[i] == "_" || chars[i] == "." {
                    word.append(chars[i])
                    i += 1
                }
                tokens.append(.word(word))
                continue
            }
            throw SOQLError(message: "unexpected character '\(c)'")
        }
        return tokens
    }
}
