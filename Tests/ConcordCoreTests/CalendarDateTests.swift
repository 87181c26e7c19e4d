import ConcordCore
import PropertyBased
import Testing

@Suite("Calendar dates as days of Unix time")
struct CalendarDateTests {
    @Test("an instant falls on its UTC date, rounding down before 1970")
    func utcDayOfAnInstant() {
        #expect(CalendarDate(utcDayOf: 0).description == "1970-01-01")
        #expect(CalendarDate(utcDayOf: 86_399_999).description == "1970-01-01")
        #expect(CalendarDate(utcDayOf: 86_400_000).description == "1970-01-02")
        #expect(CalendarDate(utcDayOf: -1).description == "1969-12-31")
        #expect(CalendarDate(utcDayOf: -86_400_000).description == "1969-12-31")
        #expect(CalendarDate(utcDayOf: -86_400_001).description == "1969-12-30")
        #expect(CalendarDate(utcDayOf: 1_704_186_000_123).description == "2024-01-02")
        #expect(CalendarDate(utcDayOf: 253_402_300_799_999).description == "9999-12-31")
        #expect(CalendarDate(utcDayOf: -62_135_596_800_000).description == "0001-01-01")
    }

    @Test("instants beyond the dates a CalendarDate spans are clamped, not trapped on")
    func clamped() {
        #expect(CalendarDate(utcDayOf: .max).daysSinceEpoch == .max)
        #expect(CalendarDate(utcDayOf: .min).daysSinceEpoch == .min)
    }

    @Test("midnight is where the date begins")
    func midnight() {
        #expect(CalendarDate(year: 1970, month: 1, day: 1)?.midnightUnixMillis == 0)
        #expect(CalendarDate(year: 2024, month: 1, day: 2)?.midnightUnixMillis == 1_704_153_600_000)
        #expect(CalendarDate(year: 1969, month: 12, day: 31)?.midnightUnixMillis == -CalendarDate.millisPerDay)
    }

    @Test("every instant lies within the day of its date")
    func roundTrip() async {
        let span: ClosedRange<Int64> = -62_135_596_800_000...253_402_300_799_999
        await propertyCheck(count: 2_000, input: Gen.int64(in: span)) { ms in
            let date = CalendarDate(utcDayOf: ms)
            let intoDay = ms - date.midnightUnixMillis
            #expect((0..<CalendarDate.millisPerDay).contains(intoDay), "\(ms)")
            #expect(CalendarDate(utcDayOf: date.midnightUnixMillis) == date, "\(ms)")
        }
    }
}
