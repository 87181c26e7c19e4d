/// The canonical byte encoding of values: one tag byte, then a payload.
///
/// | tag | value | payload |
/// |---|---|---|
/// | 0 | null | none |
/// | 1/2 | false/true | none |
/// | 3 | int | 8 bytes big-endian, sign bit flipped |
/// | 4 | decimal | UTF-8 of ``ExactDecimal/description`` |
/// | 5 | string | UTF-8 |
/// | 6 | dateTime | 8 bytes big-endian, sign bit flipped |
/// | 7 | date | 4 bytes big-endian, sign bit flipped |
/// | 8 | reference | 16 bytes big-endian |
/// | 9 | multiSelect | sorted UTF-8 options, each followed by a 0 byte |
///
/// The encoding is injective, so equal bytes mean equal values. Decoding checks every
/// byte and returns `nil` for anything malformed.
extension Value {
    /// The canonical bytes of this value.
    public var canonicalBytes: [UInt8] {
        var out: [UInt8] = []
        encode(into: &out)
        return out
    }

    /// Appends the canonical bytes of this value to `out`.
    public func encode(into out: inout [UInt8]) {
        switch self {
        case .null: out.append(0)
        case .bool(let b): out.append(b ? 2 : 1)
        case .int(let i): out.append(3); appendBE(UInt64(bitPattern: i) ^ (1 << 63), 8, &out)
        case .decimal(let d): out.append(4); out.append(contentsOf: d.description.utf8)
        case .string(let s): out.append(5); out.append(contentsOf: s.utf8)
        case .dateTime(let ms): out.append(6); appendBE(UInt64(bitPattern: ms) ^ (1 << 63), 8, &out)
        case .date(let d): out.append(7); appendBE(UInt64(UInt32(bitPattern: d.daysSinceEpoch) ^ (1 << 31)), 4, &out)
        case .reference(let r): out.append(8); appendBE(r.high, 8, &out); appendBE(r.low, 8, &out)
        case .multiSelect(let set):
            out.append(9)
            for option in set.sorted(by: { Array($0.utf8).lexicographicallyPrecedes($1.utf8) }) {
                out.append(contentsOf: option.utf8)
                out.append(0)
            }
        }
    }

    /// Decodes canonical bytes; `nil` when they are not a valid encoding.
    public init?(canonicalBytes bytes: some Collection<UInt8>) {
        guard let tag = bytes.first else { return nil }
        let body = Array(bytes.dropFirst())
        switch tag {
        case 0 where body.isEmpty: self = .null
        case 1 where body.isEmpty: self = .bool(false)
        case 2 where body.isEmpty: self = .bool(true)
        case 3 where body.count == 8: self = .int(Int64(bitPattern: readBE(body) ^ (1 << 63)))
        case 4:
            guard let text = String(validating: body, as: UTF8.self), let d = ExactDecimal(text),
                  d.description == text else { return nil }
            self = .decimal(d)
        case 5:
            guard let text = String(validating: body, as: UTF8.self) else { return nil }
            self = .string(text)
        case 6 where body.count == 8: self = .dateTime(Int64(bitPattern: readBE(body) ^ (1 << 63)))
        case 7 where body.count == 4:
            self = .date(CalendarDate(daysSinceEpoch: Int32(bitPattern: UInt32(readBE(body)) ^ (1 << 31))))
        case 8 where body.count == 16:
            self = .reference(RecordID(high: readBE(body[0..<8]), low: readBE(body[8..<16])))
        case 9:
            guard body.last == 0 || body.isEmpty else { return nil }
            var options = Set<String>()
            for part in body.split(separator: 0, omittingEmptySubsequences: false).dropLast() {
                guard let text = String(validating: part, as: UTF8.self) else { return nil }
                options.insert(text)
            }
            self = .multiSelect(options)
        default: return nil
        }
    }
}

@inline(__always)
func appendBE(_ v: UInt64, _ width: Int, _ out: inout [UInt8]) {
    var shift = (width - 1) * 8
    while shift >= 0 {
        out.append(UInt8(truncatingIfNeeded: v >> UInt64(shift)))
        shift -= 8
    }
}

@inline(__always)
func readBE(_ bytes: some Collection<UInt8>) -> UInt64 {
    bytes.reduce(0) { ($0 << 8) | UInt64($1) }
}
