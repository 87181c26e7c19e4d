/// E.164 phone normalisation with a small built-in table of common countries.
///
/// No external library: the rules are the calling code, the national trunk prefix dropped
/// after it (`0` in most of Europe, `1` in North America is the calling code itself), and
/// the international prefix (`00`, `011`). Numbers with an extension or letters are left as
/// they are (trimmed), never guessed.
public enum PhoneNumbers {
    /// A country's dialling rules.
    public struct Country: Hashable, Sendable {
        /// The calling code without `+` (`"44"`).
        public var callingCode: String
        /// The national trunk prefix dropped after the calling code (`"0"`), or empty.
        public var trunkPrefix: String
        /// The international dialling prefix (`"00"`, `"011"`).
        public var internationalPrefix: String
    }

    /// ISO 3166 alpha-2 code to dialling rules.
    public static let countries: [String: Country] = [
        "US": Country(callingCode: "1", trunkPrefix: "1", internationalPrefix: "011"),
        "CA": Country(callingCode: "1", trunkPrefix: "1", internationalPrefix: "011"),
        "GB": Country(callingCode: "44", trunkPrefix: "0", internationalPrefix: "00"),
        "IE": Country(callingCode: "353", trunkPrefix: "0", internationalPrefix: "00"),
        "DE": Country(callingCode: "49", trunkPrefix: "0", internationalPrefix: "00"),
        "FR": Country(callingCode: "33", trunkPrefix: "0", internationalPrefix: "00"),
        "ES": Country(callingCode: "34", trunkPrefix: "", internationalPrefix: "00"),
        "IT": Country(callingCode: "39", trunkPrefix: "", internationalPrefix: "00"),
        "NL": Country(callingCode: "31", trunkPrefix: "0", internationalPrefix: "00"),
        "BE": Country(callingCode: "32", trunkPrefix: "0", internationalPrefix: "00"),
        "CH": Country(callingCode: "41", trunkPrefix: "0", internationalPrefix: "00"),
        "AT": Country(callingCode: "43", trunkPrefix: "0", internationalPrefix: "00"),
        "SE": Country(callingCode: "46", trunkPrefix: "0", internationalPrefix: "00"),
        "NO": Country(callingCode: "47", trunkPrefix: "", internationalPrefix: "00"),
        "DK": Country(callingCode: "45", trunkPrefix: "", internationalPrefix: "00"),
        "FI": Country(callingCode: "358", trunkPrefix: "0", internationalPrefix: "00"),
        "PL": Country(callingCode: "48", trunkPrefix: "", internationalPrefix: "00"),
        "PT": Country(callingCode: "351", trunkPrefix: "", internationalPrefix: "00"),
        "AU": Country(callingCode: "61", trunkPrefix: "0", internationalPrefix: "0011"),
        "NZ": Country(callingCode: "64", trunkPrefix: "0", internationalPrefix: "00"),
        "JP": Country(callingCode: "81", trunkPrefix: "0", internationalPrefix: "010"),
        "IN": Country(callingCode: "91", trunkPrefix: "0", internationalPrefix: "00"),
        "SG": Country(callingCode: "65", trunkPrefix: "", internationalPrefix: "000"),
        "BR": Country(callingCode: "55", trunkPrefix: "0", internationalPrefix: "00"),
        "MX": Country(callingCode: "52", trunkPrefix: "", internationalPrefix: "00"),
        "ZA": Country(callingCode: "27", trunkPrefix: "0", internationalPrefix: "00"),
    ]

    /// Characters people put between digits.
    static let separators: Set<Character> = [" ", "-", ".", "(", ")", "/", "\u{00A0}"]

    /// Whether `text` is E.164: `+`, a non-zero digit, 8 to 15 digits in all.
    public static func isE164(_ text: String) -> Bool {
        guard text.first == "+" else { return false }
        let digits = text.dropFirst()
        return (8...15).contains(digits.count) && digits.allSatisfy(\.isASCIIDigitCharacter) && digits.first != "0"
    }

    /// The E.164 form of `text`, or `nil` when it cannot be known (no country for a national
    /// number, an extension, letters, a wrong length).
    public static func e164(_ text: String, country: String?) -> String? {
        // "+44 (0)20 ..." writes the national trunk prefix in brackets: it is not dialled.
        var t = text.trimmingWhiteSpace()
        if t.utf8.contains(UInt8(ascii: "(")) { t = t.replacing("(0)", with: "") }
        guard !t.isEmpty else { return nil }
        var digits = ""
        var plus = false
        for (i, ch) in t.enumerated() {
            if ch == "+" && i == 0 { plus = true; continue }
            if ch.isASCIIDigitCharacter { digits.append(ch); continue }
            if separators.contains(ch) { continue }
            return nil
        }
        var result: String
        if plus {
            result = digits
        } else if let c = country.flatMap({ countries[$0] }) {
            if digits.hasPrefix(c.internationalPrefix) {
                result = String(digits.dropFirst(c.internationalPrefix.count))
            } else if c.callingCode == "1" {
                // NANP: 10 digits, or 11 starting with the trunk prefix 1.
                if digits.count == 11, digits.hasPrefix("1") { result = digits }
                else if digits.count == 10 { result = "1" + digits }
                else { return nil }
            } else {
                var national = Substring(digits)
                if !c.trunkPrefix.isEmpty, national.hasPrefix(c.trunkPrefix) { national = national.dropFirst(c.trunkPrefix.count) }
                result = c.callingCode + national
            }
        } else if digits.hasPrefix("00") {
            result = String(digits.dropFirst(2))
        } else {
            return nil
        }
        let e = "+" + result
        return isE164(e) ? e : nil
    }
}

extension Character {
    var isASCIIDigitCharacter: Bool { ("0"..."9").contains(self) }
}

extension String {
    /// Without leading and trailing white space (including non-breaking spaces).
    func trimmingWhiteSpace() -> String {
        // Fast path: printable ASCII at both ends means nothing to trim.
        if let f = utf8.first, let l = utf8.last, (0x21..<0x7F).contains(f), (0x21..<0x7F).contains(l) { return self }
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
