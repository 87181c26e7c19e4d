/// Millisecond UTC timestamps and the text forms each CRM uses.
public enum Timestamps {
    /// Days since 1970-01-01 for a civil date (proleptic Gregorian).
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Civil date for days since 1970-01-01.
    static func civil(days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    private static func parts(_ ms: Int64) -> (String, String, String) {
        let totalSeconds = Int(ms >= 0 ? ms / 1000 : (ms - 999) / 1000)
        let millis = Int(ms - Int64(totalSeconds) * 1000)
        let dayNumber = totalSeconds >= 0 ? totalSeconds / 86400 : (totalSeconds - 86399) / 86400
        let secondOfDay = totalSeconds - dayNumber * 86400
        let (y, m, d) = civil(days: dayNumber)
        let date = "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
        let time = "\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))"
        return (date, time, pad(millis, 3))
    }

    /// `2024-01-15T10:30:00.000Z` (HubSpot).
    public static func isoMillis(_ ms: Int64) -> String {
        let (d, t, f) = parts(ms)
        return "\(d)T\(t).\(f)Z"
    }

    /// `2024-01-15T10:30:00.000+0000` (Salesforce).
    public static func salesforce(_ ms: Int64) -> String {
        let (d, t, f) = parts(ms)
        return "\(d)T\(t).\(f)+0000"
    }

    /// `2024-01-15T10:30:00Z` (Dataverse, second precision).
    public static func isoSeconds(_ ms: Int64) -> String {
        let (d, t, _) = parts(ms)
        return "\(d)T\(t)Z"
    }

    /// `2024-01-15`.
    public static func dateOnly(_ ms: Int64) -> String { parts(ms).0 }

    /// `Thu, 08 Sep 2022 16:54:10 GMT`, the HTTP `Date` form.
    public static func httpDate(_ ms: Int64) -> String {
        let seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
        let days = Int(seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
        let rest = Int(seconds - Int64(days) * 86_400)
        let (year, month, day) = civil(days: days)
        let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return "\(weekdays[((days % 7) + 7) % 7]), \(pad(day, 2)) \(months[month - 1]) \(year) "
            + "\(pad(rest / 3600, 2)):\(pad(rest / 60 % 60, 2)):\(pad(rest % 60, 2)) GMT"
    }

    /// Parses ISO-8601 date-times (`Z`, `±hh:mm`, `±hhmm`, optional fraction), bare dates,
    /// and epoch milliseconds given as digits. Returns epoch milliseconds or nil.
    public static func parse(_ text: String) -> Int64? {
        let chars = Array(text.trimmingSpaces)
        if !chars.isEmpty, chars.allSatisfy(\.isNumber), chars.count > 8 { return Int64(String(chars)) }
        var index = 0
        func number(_ width: Int) -> Int? {
            guard index + width <= chars.count else { return nil }
            let slice = String(chars[index..<index + width])
            guard slice.allSatisfy(\.isNumber), let value = Int(slice) else { return nil }
            index += width
            return value
        }
        func expect(_ c: Character) -> Bool {
            guard index < chars.count, chars[index] == c else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var ms = Int64(days(year: year, month: month, day: day)) * 86_400_000
        if index == chars.count { return ms }
        guard expect("T") || expect(" "), let hour = number(2), expect(":"), let minute = number(2) else { return nil }
        var second = 0
        if expect(":") { guard let s = number(2) else { return nil }; second = s }
        ms += Int64(hour * 3600 + minute * 60 + second) * 1000
        if expect(".") {
            var digits = ""
            while index < chars.count, chars[index].isNumber { digits.append(chars[index]); index += 1 }
            let padded = (digits + "000").prefix(3)
            ms += Int64(padded) ?? 0
        }
        if index == chars.count || expect("Z") { return index == chars.count ? ms : nil }
        let sign: Int64
        if expect("+") { sign = 1 } else if expect("-") { sign = -1 } else { return nil }
        guard let offH = number(2) else { return nil }
        _ = expect(":")
        guard let offM = number(2), index == chars.count else { return nil }
        return ms - sign * Int64(offH * 3600 + offM * 60) * 1000
    }
}

extension String {
    var trimmingSpaces: Substring {
        var slice = self[...]
        while slice.first == " " { slice = slice.dropFirst() }
        while slice.last == " " { slice = slice.dropLast() }
        return slice
    }
}
