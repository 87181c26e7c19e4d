/// Calendar dates as days of Unix time in UTC, for code that turns instants (Unix
/// milliseconds) into date-time text and back.
///
/// ```swift
/// CalendarDate(utcDayOf: 1_704_186_000_123).description   // "2024-01-02"
/// CalendarDate(year: 2024, month: 1, day: 2)!.midnightUnixMillis  // 1_704_153_600_000
/// ```
extension CalendarDate {
    /// Milliseconds in a day of Unix time (which has no leap seconds).
    public static let millisPerDay: Int64 = 86_400_000

    /// The Unix time, in milliseconds, at which this date begins in UTC.
    public var midnightUnixMillis: Int64 { Int64(daysSinceEpoch) * Self.millisPerDay }

    /// The date in UTC of the instant `unixMillis` (Unix milliseconds), rounding down: `-1`
    /// is 1969-12-31. An instant beyond the ±5.8 million years a `CalendarDate` spans is
    /// clamped to its first or last day.
    public init(utcDayOf unixMillis: Int64) {
        let (quotient, remainder) = unixMillis.quotientAndRemainder(dividingBy: Self.millisPerDay)
        self.init(daysSinceEpoch: Int32(clamping: remainder < 0 ? quotient - 1 : quotient))
    }
}
