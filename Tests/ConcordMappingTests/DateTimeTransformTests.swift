import ConcordCore
import Testing
import ConcordMapping

@Suite("Date, date-time and time-zone transforms")
struct DateTimeTransformTests {
    let t0 = utc(2024, 1, 2, 3, 4, 5)

    @Test func eachCRMsDateTimeWireFormatRoundTrips() throws {
        let cases: [(DateTimeWireFormat, CRMKind, WireValue)] = [
            (.salesforce, .salesforce, .string("2024-01-02T03:04:05.000+0000")),
            (.isoMillis, .hubspot, .string("2024-01-02T03:04:05.000Z")),
            (.iso, .dynamics, .string("2024-01-02T03:04:05Z")),
            (.epochMillis, .hubspot, .string("1704164645000")),
        ]
        for (format, kind, wire) in cases {
            let t = Transform.dateTime(format, zone: nil)
            #expect(try dec(t, wire, .datetime, kind) == .dateTime(t0), "\(format)")
            #expect(try enc(t, .dateTime(t0), .datetime, kind) == wire, "\(format)")
        }
        // Milliseconds survive; Dataverse's format adds them only when present.
        let withMs = utc(2024, 1, 2, 3, 4, 5, ms: 7)
        #expect(try enc(.dateTime(.iso, zone: nil), .dateTime(withMs), .datetime, .dynamics) == .string("2024-01-02T03:04:05.007Z"))
        #expect(try enc(.dateTime(.salesforce, zone: nil), .dateTime(withMs), .datetime) == .string("2024-01-02T03:04:05.007+0000"))
    }

    @Test func offsetsAndFractionsAreReadExactly() throws {
        let t = Transform.dateTime(.salesforce, zone: nil)
        #expect(try dec(t, .string("2024-01-02T08:34:05.000+05:30"), .datetime) == .dateTime(t0))
        #expect(try dec(t, .string("2024-01-01T20:04:05-0700"), .datetime) == .dateTime(t0))
        #expect(try dec(t, .string("2024-01-01T22:21:19-04:42:46"), .datetime) == .dateTime(t0))
        #expect(errorCode { try dec(t, .string("2024-01-01T22:21:19-04:42:66"), .datetime) } == .invalidFormat)
        #expect(errorCode { try dec(t, .string("2024-01-01T22:21:19-0442:46"), .datetime) } == .invalidFormat)
        #expect(try dec(t, .string("2024-01-02T03:04:05.000000Z"), .datetime) == .dateTime(t0))
        // Before 1970 and leap days.
        #expect(try dec(t, .string("1969-12-31T23:59:59.999Z"), .datetime) == .dateTime(-1))
        #expect(try dec(t, .string("2024-02-29T00:00:00Z"), .datetime) == .dateTime(utc(2024, 2, 29)))
        for bad in ["2023-02-29T00:00:00Z", "2024-01-02", "2024-01-02T25:00:00Z", "2024-01-02T03:04:05.0001Z",
                    "2024-01-02T03:04:05+5", "yesterday", ""] where !bad.isEmpty {
            #expect(errorCode { try dec(t, .string(bad), .datetime) } == .invalidFormat, "\(bad)")
        }
        #expect(errorCode { try dec(t, .bool(true), .datetime) } == .typeMismatch)
        // HubSpot sends some date-time properties as epoch-millisecond strings; read in any format.
        #expect(try dec(.dateTime(.isoMillis, zone: nil), .string("1704164645000"), .datetime, .hubspot) == .dateTime(t0))
    }

    @Test func localWallTimeAcrossBerlinDSTTransitions() throws {
        let t = Transform.dateTime(.local, zone: "Europe/Berlin")
        // Winter (UTC+1) and summer (UTC+2).
        #expect(try dec(t, .string("2024-01-15T10:00:00"), .datetime) == .dateTime(utc(2024, 1, 15, 9)))
        #expect(try dec(t, .string("2024-07-15T10:00:00"), .datetime) == .dateTime(utc(2024, 7, 15, 8)))
        // Spring forward: 02:30 does not exist on 2024-03-31; read with the pre-gap offset (= 03:30 CEST).
        #expect(try dec(t, .string("2024-03-31T02:30:00"), .datetime) == .dateTime(utc(2024, 3, 31, 1, 30)))
        #expect(try enc(t, .dateTime(utc(2024, 3, 31, 1, 30)), .datetime) == .string("2024-03-31T03:30:00"))
        // Fall back: 02:30 happens twice on 2024-10-27; the earlier instant is chosen.
        #expect(try dec(t, .string("2024-10-27T02:30:00"), .datetime) == .dateTime(utc(2024, 10, 27, 0, 30)))
        #expect(try enc(t, .dateTime(utc(2024, 10, 27, 0, 30)), .datetime) == .string("2024-10-27T02:30:00"))
        #expect(try enc(t, .dateTime(utc(2024, 10, 27, 1, 30)), .datetime) == .string("2024-10-27T02:30:00"))
        // Every instant an hour apart across both transitions survives canonical -> wire -> canonical,
        // except the second pass through the repeated hour, which local wall time cannot name.
        var ms = utc(2024, 3, 30)
        while ms < utc(2024, 11, 1) {
            let back = try dec(t, try enc(t, .dateTime(ms), .datetime), .datetime)
            if ms != utc(2024, 10, 27, 1) && ms != utc(2024, 10, 27, 1, 30) { #expect(back == .dateTime(ms), "\(ms)") }
            ms += 3_600_000 * 5 + 1_800_000
        }
    }

    @Test func offsetFormatRoundTripsEveryInstantAcrossNewYorkDST() throws {
        let t = Transform.dateTime(.offset, zone: "America/New_York")
        #expect(try enc(t, .dateTime(utc(2024, 11, 3, 5, 30)), .datetime) == .string("2024-11-03T01:30:00-04:00"))
        #expect(try enc(t, .dateTime(utc(2024, 11, 3, 6, 30)), .datetime) == .string("2024-11-03T01:30:00-05:00"))
        var ms = utc(2024, 3, 9)
        while ms < utc(2024, 11, 5) {
            let w = try enc(t, .dateTime(ms), .datetime)
            #expect(try dec(t, w, .datetime) == .dateTime(ms))
            #expect(try enc(t, try dec(t, w, .datetime), .datetime) == w)
            ms += 1_800_000 * 7
        }
    }

    @Test func extremeInstantsAreRefusedNotCrashed() throws {
        for format in DateTimeWireFormat.allCases {
            let t = Transform.dateTime(format, zone: "Europe/Berlin")
            for ms in [Int64.max, Int64.min, 253_402_300_800_000] {
                #expect(errorCode { try enc(t, .dateTime(ms), .datetime) } == .invalidFormat, "\(format) \(ms)")
            }
            #expect(errorCode { try dec(t, .string("9223372036854775807"), .datetime, .hubspot) } == .invalidFormat)
            #expect(errorCode { try dec(t, .string("-9223372036854775808"), .datetime, .hubspot) } == .invalidFormat)
            #expect(errorCode { try dec(t, .string("99999999999999999999"), .datetime, .hubspot) } == .invalidFormat)
        }
        for format in DateWireFormat.allCases {
            let t = Transform.date(format, zone: "Pacific/Kiritimati")
            #expect(errorCode { try enc(t, .date(CalendarDate(daysSinceEpoch: .max)), .date, .hubspot) } == .invalidFormat)
            #expect(errorCode { try dec(t, .string("9223372036854775807"), .date, .hubspot) } == .invalidFormat)
        }
        // The edges themselves work.
        let edge = Transform.dateTime(.offset, zone: "Pacific/Kiritimati")
        #expect(try dec(edge, try enc(edge, .dateTime(-62_135_596_800_000), .datetime), .datetime) == .dateTime(-62_135_596_800_000))
    }

    @Test func datesInEachWireFormat() throws {
        let d = try #require(CalendarDate(year: 2024, month: 1, day: 15))
        #expect(try dec(.date(.iso, zone: nil), .string("2024-01-15"), .date) == .date(d))
        #expect(try enc(.date(.iso, zone: nil), .date(d), .date, .dynamics) == .string("2024-01-15"))
        #expect(try enc(.date(.epochMillis, zone: nil), .date(d), .date, .hubspot) == .string("1705276800000"))
        #expect(try dec(.date(.epochMillis, zone: nil), .string("1705276800000"), .date, .hubspot) == .date(d))
        // HubSpot closedate: a date stored as a date-time at midnight UTC.
        let mid = Transform.date(.midnight, zone: nil)
        #expect(try enc(mid, .date(d), .date, .hubspot) == .string("2024-01-15T00:00:00.000Z"))
        #expect(try dec(mid, .string("2024-01-15T00:00:00.000Z"), .date, .hubspot) == .date(d))
        #expect(errorCode { try dec(.date(.iso, zone: nil), .string("2024-13-01"), .date) } == .invalidFormat)
        #expect(errorCode { try dec(.date(.iso, zone: nil), .string("15/01/2024"), .date) } == .invalidFormat)
    }

    @Test func midnightInAZoneKeepsTheCalendarDateAcrossDST() throws {
        let t = Transform.date(.midnight, zone: "America/Los_Angeles")
        // Winter midnight is 08:00Z, summer midnight 07:00Z; the DST day itself too.
        for (y, m, dd, hourUTC) in [(2024, 1, 15, 8), (2024, 7, 15, 7), (2024, 3, 10, 8), (2024, 11, 3, 7)] {
            let d = try #require(CalendarDate(year: y, month: m, day: dd))
            let w = try enc(t, .date(d), .date, .hubspot)
            #expect(w == .string(d.description + "T0\(hourUTC):00:00.000Z"))
            #expect(try dec(t, w, .date, .hubspot) == .date(d))
        }
        // Every day of a year round-trips.
        for day in 19_723..<(19_723 + 366) {
            let d = CalendarDate(daysSinceEpoch: Int32(day))
            #expect(try dec(t, try enc(t, .date(d), .date, .hubspot), .date, .hubspot) == .date(d))
        }
    }
}
