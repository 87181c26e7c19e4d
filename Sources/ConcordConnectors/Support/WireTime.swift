import ConcordCore

/// The date-time texts of the three CRM APIs, as Unix milliseconds (UTC).
///
/// One ISO 8601 reader, `YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM|±HHMM]` (a space may stand for
/// the `T`; digits past milliseconds are dropped), serves each API's dialect:
/// - Salesforce and Dataverse always send an offset (`2024-01-15T10:30:00.000+0000`,
///   `2024-01-15T10:30:00Z`) and take literals without milliseconds when there are none.
/// - HubSpot sends `2024-01-02T09:00:00.000Z` (no offset means UTC) or epoch milliseconds
///   as a string of digits.
///
/// Calendar arithmetic is ConcordCore's ``CalendarDate``.
enum WireTime {
    /// A Salesforce or Dataverse date-time; `nil` for anything else, including a text
    /// without an offset and times before 1970.
    static func parse(_ text: String) -> UInt64? {
        guard let time = read(text), time.hasOffset, time.millis >= 0 else { return nil }
        return UInt64(time.millis)
    }

    /// A HubSpot date-time: ISO 8601 (UTC when it has no offset) or epoch milliseconds as
    /// nine or more digits; `nil` for anything else.
    static func hubSpotMillis(_ text: String) -> Int64? {
        if text.utf8.count >= 9, text.utf8.allSatisfy(isDigit) { return Int64(text) }
        return read(text)?.millis
    }

    /// `2024-01-15T10:30:00Z`, or `2024-01-15T10:30:00.123Z` when there are milliseconds
    /// (Salesforce's and Dataverse's query literals).
    static func iso(_ millis: UInt64) -> String { format(Int64(clamping: millis), alwaysMillis: false) }

    /// `Thu, 08 Sep 2022 16:54:10 GMT` (RFC 9110 IMF-fixdate, whole seconds), as
    /// `If-Unmodified-Since` takes it.
    static func httpDate(_ millis: UInt64) -> String {
        let seconds = Int64(clamping: millis / 1000)
        let days = Int(seconds / 86_400), rest = Int(seconds % 86_400)
        let (year, month, day) = CalendarDate.civilFromDays(days)
        let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]  // 1970-01-01 was a Thursday
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(weekdays[days % 7]), \(two(day)) \(months[month - 1]) \(year) \(two(rest / 3600)):\(two(rest / 60 % 60)):\(two(rest % 60)) GMT"
    }

    /// `2024-01-02T09:00:00.000Z`: always with milliseconds, as HubSpot writes date-times.
    static func isoWithMillis(_ millis: Int64) -> String { format(millis, alwaysMillis: true) }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// The instant an ISO 8601 text names, and whether it had an offset; `nil` when the text
    /// is anything else or names a day its month does not have.
    private static func read(_ text: String) -> (millis: Int64, hasOffset: Bool)? {
        let c = Array(text.utf8)
        var i = 0
        func number(_ width: Int) -> Int? {
            guard i + width <= c.count, c[i..<i + width].allSatisfy(isDigit) else { return nil }
            defer { i += width }
            return c[i..<i + width].reduce(0) { $0 * 10 + Int($1 - 0x30) }
        }
        func eat(_ ascii: Unicode.Scalar) -> Bool {
            guard i < c.count, c[i] == UInt8(ascii: ascii) else { return false }
            i += 1
            return true
        }
        guard let year = number(4), eat("-"), let month = number(2), eat("-"), let day = number(2), eat("T") || eat(" "),
              let hour = number(2), eat(":"), let minute = number(2), eat(":"), let second = number(2),
              hour < 24, minute < 60, second < 61, let date = CalendarDate(year: year, month: month, day: day)
        else { return nil }
        var millis = date.midnightUnixMillis + Int64((hour * 3600 + minute * 60 + second) * 1000)
        if eat(".") {
            var digits = 0, fraction = 0
            while i < c.count, isDigit(c[i]) {
                if digits < 3 { fraction = fraction * 10 + Int(c[i] - 0x30) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 3) { fraction *= 10 }
            millis += Int64(fraction)
        }
        var hasOffset = eat("Z")
        if !hasOffset, i < c.count, c[i] == UInt8(ascii: "+") || c[i] == UInt8(ascii: "-") {
            let sign: Int64 = c[i] == UInt8(ascii: "+") ? 1 : -1
            i += 1
            guard let hours = number(2) else { return nil }
            _ = eat(":")
            guard let minutes = number(2) else { return nil }
            millis -= sign * Int64(hours * 60 + minutes) * 60_000
            hasOffset = true
        }
        guard i == c.count else { return nil }
        return (millis, hasOffset)
    }

    private static func format(_ millis: Int64, alwaysMillis: Bool) -> String {
        let date = CalendarDate(utcDayOf: millis)
        let ms = millis - date.midnightUnixMillis
        func pad(_ value: Int64, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let time = pad(ms / 3_600_000, 2) + ":" + pad(ms / 60_000 % 60, 2) + ":" + pad(ms / 1000 % 60, 2)
        let fraction = alwaysMillis || ms % 1000 != 0 ? "." + pad(ms % 1000, 3) : ""
        return date.description + "T" + time + fraction + "Z"
    }
}
