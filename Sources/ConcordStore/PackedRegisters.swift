import ConcordCore

/// The packed register vector of one record, as stored in `entities.registers`.
///
/// Entries are sorted by interned field id; each is
/// `field (LEB128) | hlc (8 bytes LE) | site (8 bytes LE) | seq (LEB128) | length (LEB128) | value bytes`,
/// where the value bytes are ``ConcordCore/Value/canonicalBytes``. Keeping the canonical
/// bytes lets the bulk merge compare and copy registers without decoding values.
struct PackedEntry {
    var field: UInt32
    var hlc: UInt64
    var site: UInt64
    var seq: UInt64
    /// Where the value bytes sit in the blob they were decoded from.
    var value: Range<Int>

    @inline(__always)
    func stampLess(_ hlc2: UInt64, _ site2: UInt64) -> Bool {
        hlc != hlc2 ? hlc < hlc2 : site < site2
    }
}

enum PackedRegisters {
    /// Decodes every entry of `blob`; `nil` when it is malformed.
    static func decode(_ blob: [UInt8], into entries: inout [PackedEntry]) -> Bool {
        entries.removeAll(keepingCapacity: true)
        var i = 0
        let n = blob.count
        return blob.withUnsafeBufferPointer { p -> Bool in
            while i < n {
                guard let field = readVarint(p, &i), i + 16 <= n else { return false }
                let hlc = readLE(p, i); i += 8
                let site = readLE(p, i); i += 8
                // `len` is compared as read (a damaged one may not fit an `Int`, or overflow `i + len`).
                guard let seq = readVarint(p, &i), let len = readVarint(p, &i), len <= UInt64(n - i) else { return false }
                let end = i + Int(len)
                entries.append(PackedEntry(field: UInt32(truncatingIfNeeded: field), hlc: hlc, site: site,
                                           seq: seq, value: i..<end))
                i = end
            }
            return true
        }
    }

    /// Appends one entry.
    @inline(__always)
    static func append(field: UInt32, hlc: UInt64, site: UInt64, seq: UInt64,
                       value: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        writeVarint(UInt64(field), &out)
        writeLE(hlc, &out)
        writeLE(site, &out)
        writeVarint(seq, &out)
        writeVarint(UInt64(value.count), &out)
        out.append(contentsOf: value)
    }

    @inline(__always)
    static func readVarint(_ p: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while i < p.count {
            let b = p[i]; i += 1
            result |= UInt64(b & 0x7f) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { return nil }
        }
        return nil
    }

    @inline(__always)
    static func writeVarint(_ v: UInt64, _ out: inout [UInt8]) {
        var v = v
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    @inline(__always)
    static func readLE(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> UInt64 {
        UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(p)[i..<(i + 8)]).loadUnaligned(as: UInt64.self).littleEndian
    }

    @inline(__always)
    static func writeLE(_ v: UInt64, _ out: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
    }
}
