import ConcordCore
import Foundation

/// Reads and writes calendar dates in one wire format.
struct DateCodec {
    let format: DateWireFormat
    let zone: String?

    var timeZone: TimeZone { zone.flatMap(TimeZone.init(identifier:)) ?? TimeZone(secondsFromGMT: 0) ?? .current }

    func decode(_ wire: WireValue) throws(TransformError) -> CalendarDate {
        let text = try Transform.text(wire).trimmingWhiteSpace()
        if let d = CalendarDate(iso: text), format != .epochMillis || text.count == 10 { return d }
        var instant: Int64?
        if let ms = TimeFormats.parseEpochMillis(text) {
            guard TimeFormats.supported.contains(ms) else {
                throw TransformError(.invalidFormat, "\(wire) is outside the years 0001-9999")
            }
            instant = ms
        } else if let p = TimeFormats.parse(text) {
            instant = TimeFormats.wallMillis(p) - Int64(p.offsetSeconds ?? 0) * 1000
        }
        guard let instant else {
            throw TransformError(.invalidFormat, "expected a date (YYYY-MM-DD), got \(wire)")
        }
        // The date of that instant in the configured zone (UTC by default).
        let local = instant + Int64(TimeFormats.offset(of: timeZone, atUTC: instant)) * 1000
        let days = TimeFormats.floorDiv(local, TimeFormats.msPerDay).0
        return CalendarDate(daysSinceEpoch: Int32(clamping: days))
    }

    func encode(_ date: CalendarDate, kind: CRMKind) throws(TransformError) -> WireValue {
        guard TimeFormats.supported.contains(Int64(date.daysSinceEpoch) * TimeFormats.msPerDay) else {
            throw TransformError(.invalidFormat, "date \(date) is outside the years 0001-9999")
        }
        switch format {
        case .iso:
            return .string(date.description)
        case .epochMillis:
            let ms = Int64(date.daysSinceEpoch) * TimeFormats.msPerDay
            return kind == .hubspot ? .string(String(ms)) : .number(String(ms))
        case .midnight:
            let wall = Int64(date.daysSinceEpoch) * TimeFormats.msPerDay
            let utc = TimeFormats.utcMillis(wall: wall, zone: timeZone)
            return .string(TimeFormats.formatWall(utc, millis: kind == .hubspot) + "Z")
        }
    }
}

/// Reads and writes points in time in one wire format.
struct DateTimeCodec {
    let format: DateTimeWireFormat
    let zone: String?

    var timeZone: TimeZone { zone.flatMap(TimeZone.init(identifier:)) ?? TimeZone(secondsFromGMT: 0) ?? .current }

    func decode(_ wire: WireValue) throws(TransformError) -> Int64 {
        let text = try Transform.text(wire).trimmingWhiteSpace()
        // Digits only cannot be ISO text: HubSpot sends some date-time properties as epoch
        // milliseconds, so they are read in every format (and written in the configured one).
        if let ms = TimeFormats.parseEpochMillis(text) {
            guard TimeFormats.supported.contains(ms) else {
                throw TransformError(.invalidFormat, "\(wire) is outside the years 0001-9999")
            }
            return ms
        }
        guard let p = TimeFormats.parse(text) else {
            throw TransformError(.invalidFormat, "expected an ISO-8601 date-time such as 2024-01-02T03:04:05Z, got \(wire)")
        }
        let wall = TimeFormats.wallMillis(p)
        if let off = p.offsetSeconds { return wall - Int64(off) * 1000 }
        // No offset: wall time in the configured zone (UTC when none is configured).
        return TimeFormats.utcMillis(wall: wall, zone: timeZone)
    }

    func encode(_ ms: Int64, kind: CRMKind) throws(TransformError) -> WireValue {
        guard TimeFormats.supported.contains(ms) else {
            throw TransformError(.invalidFormat, "instant \(ms) is outside the years 0001-9999")
        }
        switch format {
        case .salesforce: return .string(TimeFormats.formatWall(ms, millis: true) + "+0000")
        case .iso: return .string(TimeFormats.formatWall(ms, millis: ms % 1000 != 0) + "Z")
        case .isoMillis: return .string(TimeFormats.formatWall(ms, millis: true) + "Z")
        case .epochMillis: return kind == .hubspot ? .string(String(ms)) : .number(String(ms))
        case .local:
            let off = TimeFormats.offset(of: timeZone, atUTC: ms)
            return .string(TimeFormats.formatWall(ms + Int64(off) * 1000, millis: ms % 1000 != 0))
        case .offset:
            let off = TimeFormats.offset(of: timeZone, atUTC: ms)
            return .string(TimeFormats.formatWall(ms + Int64(off) * 1000, millis: ms % 1000 != 0)
                           + TimeFormats.formatOffset(off, colon: true))
        }
    }
}

extension WireValue {
    var isNumber: Bool {
        if case .number = self { return true }
        return false
    }
}
