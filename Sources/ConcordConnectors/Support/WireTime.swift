/// Parsing and formatting of the date-time texts CRMs use, as Unix milliseconds (UTC).
enum WireTime {
    /// Days since 1970-01-01 for a proleptic Gregorian date.
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * ((month + 9) % 12) + 2) / 5 + day - 1
        return era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
    }

    /// The civil date of a day number.
    static func civil(days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, doy - (153 * mp + 2) / 5 + 1)
    }

    /// `2024-01-15T10:30:00.000+0000`, `...Z`, `...+01:00`, with or without fraction; `nil`
    /// for anything else (including times before 1970).
    static func parse(_ text: String) -> UInt64? {
        let c = Array(text.utf8)
        var i = 0
        func num(_ width: Int) -> Int? {
            guard i + width <= c.count else { return nil }
            var v = 0
            for k in i..<i + width {
                guard c[k] >= 0x30, c[k] <= 0x39 else { return nil }
                v = v * 10 + Int(c[k] - 0x30)
            }
            i += width
            return v
        }
        func eat(_ ch: Character) -> Bool {
            guard i < c.count, c[i] == ch.asciiValue else { return false }
            i += 1
            return true
        }
        guard let y = num(4), eat("-"), let mo = num(2), eat("-"), let d = num(2), (1...12).contains(mo), (1...31).contains(d),
            eat("T"), let h = num(2), eat(":"), let mi = num(2), eat(":"), let s = num(2), h < 24, mi < 60, s < 61
        else { return nil }
        var ms = (Int64(days(year: y, month: mo, day: d)) * 86_400 + Int64(h * 3600 + mi * 60 + s)) * 1000
        if eat(".") {
            var digits = 0, frac = 0
            while i < c.count, c[i] >= 0x30, c[i] <= 0x39 {
                if digits < 3 { frac = frac * 10 + Int(c[i] - 0x30) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            if digits < 3 { for _ in digits..<3 { frac *= 10 } }
            ms += Int64(frac)
        }
        if eat("Z") {
        } else if i < c.count, c[i] == UInt8(ascii: "+") || c[i] == UInt8(ascii: "-") {
            let sign: Int64 = c[i] == UInt8(ascii: "+") ? 1 : -1
            i += 1
            guard let oh = num(2) else { return nil }
            _ = eat(":")
            guard let om = num(2) else { return nil }
            ms -= sign * Int64(oh * 60 + om) * 60_000
        } else {
            return nil
        }
        guard i == c.count, ms >= 0 else { return nil }
        return UInt64(ms)
    }

    private static func pad(_ v: Int, _ w: Int) -> String {
        let t = String(v)
        return String(repeating: "0", count: max(0, w - t.count)) + t
    }

    /// `2024-01-15T10:30:00Z`, or `2024-01-15T10:30:00.123Z` when there are milliseconds.
    static func iso(_ millis: UInt64) -> String {
        let seconds = Int(millis / 1000)
        let (y, m, d) = civil(days: seconds / 86_400)
        let sod = seconds % 86_400
        var text = "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(sod / 3600, 2)):\(pad(sod / 60 % 60, 2)):\(pad(sod % 60, 2))"
        if millis % 1000 != 0 { text += "." + pad(Int(millis % 1000), 3) }
        return text + "Z"
    }
}
