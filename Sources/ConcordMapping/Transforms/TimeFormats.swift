import ConcordCore
import Foundation

/// Parsing and printing of CRM date and date-time text, and zone conversion.
///
/// UTC arithmetic uses ``ConcordCore/CalendarDate``'s civil-date algorithms; zone rules
/// (DST) come from Foundation's `TimeZone`, which ships tzdata on Linux.
enum TimeFormats {
    static let msPerDay: Int64 = 86_400_000
    /// Instants Concord converts: 0001-01-01 to 9999-12-31 (four-digit years, and no
    /// arithmetic overflow when zone offsets are added).
    static let supported: ClosedRange<Int64> = -62_135_596_800_000...253_402_300_799_999

    /// The parts of an ISO-8601 date-time: `YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM|±HHMM]`.
    struct Parts {
        var date: CalendarDate
        var millisOfDay: Int64
        /// Offset east of UTC in seconds; `nil` when the text has none.
        var offsetSeconds: Int?
    }

    static func parse(_ text: String) -> Parts? {
        let u = Array(text.utf8)
        guard u.count >= 19, u[10] == UInt8(ascii: "T") || u[10] == UInt8(ascii: " "),
              let date = CalendarDate(iso: String(decoding: u[0..<10], as: UTF8.self)),
              u[13] == UInt8(ascii: ":"), u[16] == UInt8(ascii: ":"),
              let h = num(u[11..<13]), let m = num(u[14..<16]), let s = num(u[17..<19]),
              h < 24, m < 60, s < 60 else { return nil }
        var i = 19
        var millis = 0
        if i < u.count, u[i] == UInt8(ascii: ".") {
            i += 1
            let start = i
            while i < u.count, (48...57).contains(u[i]) { i += 1 }
            let frac = u[start..<i]
            guard !frac.isEmpty, frac.count <= 9 else { return nil }
            // Sub-millisecond digits must be zero: canonical times are milliseconds.
            guard frac.dropFirst(3).allSatisfy({ $0 == UInt8(ascii: "0") }) else { return nil }
            let first3 = Array(frac.prefix(3)) + Array(repeating: UInt8(ascii: "0"), count: max(0, 3 - frac.count))
            millis = num(first3[...]) ?? 0
        }
        var offset: Int?
        if i < u.count {
            let rest = u[i...]
            if rest.count == 1, rest.first == UInt8(ascii: "Z") {
                offset = 0
            } else if [5, 6, 9].contains(rest.count), let sign = rest.first,
                      sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                // ±HHMM, ±HH:MM, or ±HH:MM:SS (historical local mean time offsets have seconds).
                let body = Array(rest.dropFirst().filter { $0 != UInt8(ascii: ":") })
                let colons = rest.count - 1 - body.count
                guard body.count == 4 && (colons == 0 || colons == 1) || body.count == 6 && colons == 2,
                      rest.count == 5 || rest[rest.startIndex + 3] == UInt8(ascii: ":"),
                      let oh = num(body[0..<2]), let om = num(body[2..<4]), oh < 24, om < 60 else { return nil }
                let os = body.count == 6 ? num(body[4..<6]) ?? 60 : 0
                guard os < 60 else { return nil }
                offset = (oh * 3600 + om * 60 + os) * (sign == UInt8(ascii: "-") ? -1 : 1)
            } else {
                return nil
            }
        }
        let mod = Int64(h * 3_600_000 + m * 60_000 + s * 1000 + millis)
        return Parts(date: date, millisOfDay: mod, offsetSeconds: offset)
    }

    private static func num<C: Collection>(_ c: C) -> Int? where C.Element == UInt8 {
        guard !c.isEmpty, c.allSatisfy({ (48...57).contains($0) }) else { return nil }
        return c.reduce(0) { $0 * 10 + Int($1 - 48) }
    }

    /// Epoch milliseconds of wall time `parts` read as UTC.
    static func wallMillis(_ p: Parts) -> Int64 { Int64(p.date.daysSinceEpoch) * msPerDay + p.millisOfDay }

    /// Epoch milliseconds as text (`-` allowed), or `nil`.
    static func parseEpochMillis(_ text: String) -> Int64? {
        let t = text.trimmingWhiteSpace()
        guard !t.isEmpty, t.drop(while: { $0 == "-" }).allSatisfy(\.isASCIIDigitCharacter) else { return nil }
        return Int64(t)
    }

    /// Formats epoch milliseconds of wall time as `YYYY-MM-DDTHH:MM:SS[.mmm]`.
    static func formatWall(_ ms: Int64, millis: Bool) -> String {
        let (days, rem) = floorDiv(ms, msPerDay)
        let d = CalendarDate(daysSinceEpoch: Int32(clamping: days))
        let h = rem / 3_600_000, m = rem / 60_000 % 60, s = rem / 1000 % 60, f = rem % 1000
        var out = d.description + "T" + two(h) + ":" + two(m) + ":" + two(s)
        if millis { out += "." + (f < 10 ? "00" : f < 100 ? "0" : "") + String(f) }
        return out
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let q = a / b, r = a % b
        return r < 0 ? (q - 1, r + b) : (q, r)
    }

    static func two(_ n: Int64) -> String { n < 10 ? "0" + String(n) : String(n) }

    /// `+02:00` / `-05:30` / `+00:00`; `-04:42:46` when the offset has seconds (local mean
    /// time before standard zones), so no instant is rounded.
    static func formatOffset(_ seconds: Int, colon: Bool) -> String {
        let sign = seconds < 0 ? "-" : "+"
        let a = abs(seconds)
        let secs = a % 60 == 0 ? "" : (colon ? ":" : "") + two(Int64(a % 60))
        return sign + two(Int64(a / 3600)) + (colon ? ":" : "") + two(Int64(a / 60 % 60)) + secs
    }

    /// The zone's offset from UTC at the instant `utcMillis`, in seconds.
    static func offset(of zone: TimeZone, atUTC utcMillis: Int64) -> Int {
        zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(floorDiv(utcMillis, 1000).0)))
    }

    /// The UTC instant of a wall-clock time in `zone`.
    ///
    /// A wall time in a DST gap (02:30 on a spring-forward night) is read with the offset
    /// in force before the gap, i.e. shifted forward by the gap; a wall time that happens
    /// twice (autumn) is the earlier instant. Both are documented, deterministic choices.
    static func utcMillis(wall: Int64, zone: TimeZone) -> Int64 {
        let before = offset(of: zone, atUTC: wall - msPerDay)
        let after = offset(of: zone, atUTC: wall + msPerDay)
        var valid: [Int64] = []
        for o in Set([before, after]) {
            let t = wall - Int64(o) * 1000
            if offset(of: zone, atUTC: t) == o { valid.append(t) }
        }
        if let earliest = valid.min() { return earliest }
        return wall - Int64(before) * 1000
    }
}
