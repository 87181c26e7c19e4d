/// An exact base-10 number: `coefficient × 10^-scale`, normalised so that equal numbers
/// have equal representations (`1.50` and `1.5` are the same value).
///
/// CRMs send amounts as JSON numbers or strings; binary floating point would make `0.1`
/// compare unequal after a round trip, so registers never hold a `Double`.
///
/// ```swift
/// ExactDecimal("1234.50")!.description  // "1234.5"
/// ExactDecimal("-0.000")!.description   // "0"
/// ```
public struct ExactDecimal: Hashable, Sendable, CustomStringConvertible {
    /// Whether the number is negative (never true for zero).
    public private(set) var isNegative: Bool
    /// The decimal digits of the coefficient, without leading zeros ("0" for zero).
    public private(set) var digits: String
    /// How many of ``digits`` stand after the decimal point; never leaves a trailing zero.
    public private(set) var scale: Int

    /// Parses `[-+]digits[.digits][e[-+]digits]`; `nil` for anything else.
    public init?(_ text: String) {
        var s = Substring(text.trimmingSpaces())
        var negative = false
        if s.first == "-" || s.first == "+" { negative = s.first == "-"; s = s.dropFirst() }
        var exponent = 0
        if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            guard let x = Int(s[s.index(after: e)...]), abs(x) < 10_000 else { return nil }
            exponent = x
            s = s[..<e]
        }
        let parts = s.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard !parts.isEmpty, parts.count <= 2 else { return nil }
        let intPart = parts[0], fracPart = parts.count == 2 ? parts[1] : ""
        guard !(intPart.isEmpty && fracPart.isEmpty),
              intPart.allSatisfy(\.isASCIIDigit), fracPart.allSatisfy(\.isASCIIDigit) else { return nil }
        self.init(negative: negative, digits: String(intPart) + String(fracPart), scale: fracPart.count - exponent)
    }

    /// An exact integer.
    public init(_ value: Int64) {
        self.init(negative: value < 0, digits: String(value.magnitude), scale: 0)
    }

    private init(negative: Bool, digits raw: String, scale rawScale: Int) {
        var d = Substring(raw.drop(while: { $0 == "0" }))
        var scale = rawScale
        while scale > 0, d.last == "0" { d = d.dropLast(); scale -= 1 }
        if scale < 0 { d += String(repeating: "0", count: -scale); scale = 0 }
        if d.isEmpty { d = "0"; scale = 0 }
        self.digits = String(d)
        self.scale = scale
        self.isNegative = negative && d != "0"
    }

    /// Plain decimal notation, no exponent: `-12.034`.
    public var description: String {
        var body: String
        if scale == 0 {
            body = digits
        } else if digits.count > scale {
            let cut = digits.index(digits.endIndex, offsetBy: -scale)
            body = digits[..<cut] + "." + digits[cut...]
        } else {
            body = "0." + String(repeating: "0", count: scale - digits.count) + digits
        }
        return isNegative ? "-" + body : body
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

extension String {
    /// The string without leading and trailing white space.
    func trimmingSpaces() -> Substring {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return s
    }
}
