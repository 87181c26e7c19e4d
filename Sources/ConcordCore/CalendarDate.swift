/// A calendar date with no time and no zone (a birthday, a close date).
///
/// Stored as the number of days since 1970-01-01 in the proleptic Gregorian calendar,
/// converted with Howard Hinnant's civil-date algorithms.
///
/// ```swift
/// CalendarDate(year: 2024, month: 2, day: 29)!.description  // "2024-02-29"
/// CalendarDate(iso: "2024-02-30")                           // nil
/// ```
public struct CalendarDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Days since 1970-01-01 (negative before).
    public var daysSinceEpoch: Int32

    /// Wraps a day number.
    public init(daysSinceEpoch: Int32) { self.daysSinceEpoch = daysSinceEpoch }

    /// A valid Gregorian date, or `nil` (`2023-02-29` is not one).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), (1...31).contains(day), (-9999...9999).contains(year) else { return nil }
        let d = CalendarDate.daysFromCivil(year, month, day)
        let back = CalendarDate.civilFromDays(d)
        guard back.year == year, back.month == month, back.day == day else { return nil }
        self.daysSinceEpoch = Int32(d)
    }

    /// Parses `YYYY-MM-DD`.
    public init?(iso text: some StringProtocol) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// Year, month (1-12) and day (1-31).
    public var components: (year: Int, month: Int, day: Int) { CalendarDate.civilFromDays(Int(daysSinceEpoch)) }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool { lhs.daysSinceEpoch < rhs.daysSinceEpoch }

    /// `YYYY-MM-DD`.
    public var description: String {
        let c = components
        return pad(c.year, 4) + "-" + pad(c.month, 2) + "-" + pad(c.day, 2)
    }

    /// Days since 1970-01-01 for a civil date.
    public static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date of a day number.
    public static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

/// Zero-pads a non-negative number to `width` digits (keeps a leading minus).
func pad(_ n: Int, _ width: Int) -> String {
    let s = String(n.magnitude)
    return (n < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - s.count)) + s
}
