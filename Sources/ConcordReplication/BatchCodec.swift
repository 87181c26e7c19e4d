import ConcordCore
import ConcordStore

/// The wire form of a ``ReplicationBatch``: compact binary, every length checked on reading,
/// a CRC-32 trailer so a cut or damaged body is refused whole.
///
/// ```
/// "CRB1"                       magic and version
/// sender site, incarnation     8 bytes each, big-endian
/// after, through, floor        varints
/// flags                        1 byte: bit 0 = complete (the batch reaches the sender's end)
/// strings: count, then each    varint length + UTF-8 (object types and field names)
/// sites: count, then each      8 bytes (the register writers' site ids)
/// changes: count, then each    16-byte global id, varint object type (string index),
///                              varint causal length, varint register count, then per
///                              register: varint field (string index), 8-byte HLC,
///                              varint site index, varint length + canonical value bytes
/// CRC-32 of all the above      4 bytes, big-endian
/// ```
///
/// A register costs 11-12 bytes beyond its value's canonical bytes (field and site indexes
/// of one byte below 128 distinct names and writers in a batch).
public enum BatchCodec {
    static let magic: [UInt8] = Array("CRB1".utf8)

    /// Limits a decoder holds a batch to (a peer cannot make it allocate without bound).
    public struct Limits: Sendable {
        /// Records per batch.
        public var changes: Int
        /// Registers per record.
        public var registersPerRecord: Int
        /// Distinct strings and sites per batch.
        public var tableEntries: Int
        /// Creates limits.
        public init(changes: Int = 100_000, registersPerRecord: Int = 10_000, tableEntries: Int = 100_000) {
            self.changes = changes
            self.registersPerRecord = registersPerRecord
            self.tableEntries = tableEntries
        }
    }

    /// Why bytes are not a batch: where reading stopped and what was wrong.
    public struct DecodeError: Error, Hashable, Sendable, CustomStringConvertible {
        /// The byte offset where it went wrong.
        public var offset: Int
        /// What was wrong.
        public var reason: String
        /// `replication batch: <reason> at byte <offset>`.
        public var description: String { "replication batch: \(reason) at byte \(offset)" }
    }

    /// Encodes a batch.
    public static func encode(_ batch: ReplicationBatch) -> [UInt8] {
        var strings: [String] = [], stringIndex: [String: Int] = [:]
        var sites: [UInt64] = [], siteIndex: [UInt64: Int] = [:]
        func intern(_ s: String) -> Int {
            if let i = stringIndex[s] { return i }
            stringIndex[s] = strings.count
            strings.append(s)
            return strings.count - 1
        }
        func site(_ s: UInt64) -> Int {
            if let i = siteIndex[s] { return i }
            siteIndex[s] = sites.count
            sites.append(s)
            return sites.count - 1
        }
        var body: [UInt8] = []
        body.reserveCapacity(64 + batch.registerCount * 24)
        for change in batch.changes {
            appendFixed(change.id.high, &body)
            appendFixed(change.id.low, &body)
            appendVarint(UInt64(intern(change.objectType)), &body)
            appendVarint(change.state.causalLength, &body)
            appendVarint(UInt64(change.state.entries.count), &body)
            for entry in change.state.entries {
                appendVarint(UInt64(intern(entry.name)), &body)
                appendFixed(entry.register.stamp.hlc.rawValue, &body)
                appendVarint(UInt64(site(entry.register.stamp.site.rawValue)), &body)
                let value = entry.register.value.canonicalBytes
                appendVarint(UInt64(value.count), &body)
                body.append(contentsOf: value)
            }
        }
        var out = magic
        appendFixed(batch.sender.rawValue, &out)
        appendFixed(batch.incarnation, &out)
        appendVarint(batch.after, &out)
        appendVarint(batch.through, &out)
        appendVarint(batch.floor, &out)
        out.append(batch.complete ? 1 : 0)
        appendVarint(UInt64(strings.count), &out)
        for s in strings {
            appendVarint(UInt64(s.utf8.count), &out)
            out.append(contentsOf: s.utf8)
        }
        appendVarint(UInt64(sites.count), &out)
        for s in sites { appendFixed(s, &out) }
        appendVarint(UInt64(batch.changes.count), &out)
        out.append(contentsOf: body)
        let crc = CRC32.checksum(out)
        out.append(contentsOf: [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)])
        return out
    }

    /// Decodes a batch; throws ``DecodeError`` for anything but a whole, well-formed batch.
    public static func decode(_ bytes: [UInt8], limits: Limits = Limits()) throws(DecodeError) -> ReplicationBatch {
        guard bytes.count >= magic.count + 4 else { throw DecodeError(offset: bytes.count, reason: "too short to be a batch") }
        let end = bytes.count - 4
        let stated = UInt32(bytes[end]) << 24 | UInt32(bytes[end + 1]) << 16 | UInt32(bytes[end + 2]) << 8 | UInt32(bytes[end + 3])
        guard CRC32.checksum(bytes[..<end]) == stated else {
            throw DecodeError(offset: end, reason: "the checksum does not match (cut or damaged on the way)")
        }
        var r = Reader(bytes: bytes, end: end)
        guard Array(bytes.prefix(magic.count)) == magic else { throw DecodeError(offset: 0, reason: "not a batch (magic is not CRB1)") }
        r.at = magic.count
        let sender = SiteID(rawValue: try r.fixed("the sender site"))
        let incarnation = try r.fixed("the incarnation")
        let after = try r.varint("the range start"), through = try r.varint("the range end"), floor = try r.varint("the floor")
        guard r.at < end else { throw DecodeError(offset: r.at, reason: "cut inside the flags") }
        let flags = bytes[r.at]
        guard flags <= 1 else { throw DecodeError(offset: r.at, reason: "unknown flags \(flags)") }
        r.at += 1
        let stringCount = try r.count("the string count", limit: limits.tableEntries)
        var strings: [String] = []
        strings.reserveCapacity(stringCount)
        for _ in 0..<stringCount {
            let length = try r.length("a string length")
            let at = r.at
            guard let text = String(validating: bytes[r.at..<r.at + length], as: UTF8.self) else {
                throw DecodeError(offset: at, reason: "a name is not UTF-8")
            }
            r.at += length
            strings.append(text)
        }
        let siteCount = try r.count("the site count", limit: min(limits.tableEntries, (end - r.at) / 8))
        var sites: [SiteID] = []
        sites.reserveCapacity(siteCount)
        for _ in 0..<siteCount { sites.append(SiteID(rawValue: try r.fixed("a site"))) }
        // Each record takes at least 19 bytes: the count cannot promise more than the bytes hold.
        let changeCount = try r.count("the record count", limit: min(limits.changes, (end - r.at) / 19))
        var changes: [RecordChange] = []
        changes.reserveCapacity(changeCount)
        for _ in 0..<changeCount {
            let id = RecordID(high: try r.fixed("a record id"), low: try r.fixed("a record id"))
            let type = try r.index("an object type", in: strings)
            let causalLength = try r.varint("a causal length")
            let registerCount = try r.count("a register count", limit: min(limits.registersPerRecord, (end - r.at) / 11))
            var entries: [FieldEntry] = []
            entries.reserveCapacity(registerCount)
            for _ in 0..<registerCount {
                let name = try r.index("a field name", in: strings)
                let hlc = HLCTimestamp(rawValue: try r.fixed("a stamp"))
                let site = try r.index("a register's site", in: sites)
                let length = try r.length("a value length")
                let at = r.at
                guard let value = Value(canonicalBytes: bytes[r.at..<r.at + length]) else {
                    throw DecodeError(offset: at, reason: "a value of \(name) is not a canonical encoding")
                }
                r.at += length
                if let last = entries.last, last.name >= name {
                    throw DecodeError(offset: at, reason: "fields of a record out of order or repeated (\(last.name), \(name))")
                }
                entries.append(FieldEntry(name: name, register: FieldRegister(value: value, stamp: Stamp(hlc: hlc, site: site))))
            }
            changes.append(RecordChange(id: id, objectType: type, state: RecordState(sortedEntries: entries, causalLength: causalLength)))
        }
        guard r.at == end else { throw DecodeError(offset: r.at, reason: "\(end - r.at) bytes after the last record") }
        return ReplicationBatch(sender: sender, incarnation: incarnation, after: after, through: through, floor: floor,
                                complete: flags == 1, changes: changes)
    }

    /// A bounds-checked reader over the body (before the trailer).
    struct Reader {
        let bytes: [UInt8]
        let end: Int
        var at = 0

        mutating func fixed(_ what: String) throws(DecodeError) -> UInt64 {
            guard end - at >= 8 else { throw DecodeError(offset: at, reason: "cut inside \(what)") }
            var v: UInt64 = 0
            for i in 0..<8 { v = v << 8 | UInt64(bytes[at + i]) }
            at += 8
            return v
        }

        mutating func varint(_ what: String) throws(DecodeError) -> UInt64 {
            var v: UInt64 = 0
            var shift: UInt64 = 0
            let start = at
            while true {
                guard at < end else { throw DecodeError(offset: start, reason: "cut inside \(what)") }
                let b = bytes[at]
                at += 1
                guard shift < 64, shift < 63 || b <= 1 else { throw DecodeError(offset: start, reason: "\(what) overflows 64 bits") }
                v |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { return v }
                shift += 7
            }
        }

        mutating func count(_ what: String, limit: Int) throws(DecodeError) -> Int {
            let start = at
            let v = try varint(what)
            guard v <= UInt64(max(0, limit)) else { throw DecodeError(offset: start, reason: "\(what) \(v) is more than the batch can hold (\(max(0, limit)))") }
            return Int(v)
        }

        /// A length of bytes that follow: checked against what is left after the length itself.
        mutating func length(_ what: String) throws(DecodeError) -> Int {
            let start = at
            let v = try varint(what)
            guard v <= UInt64(max(0, end - at)) else { throw DecodeError(offset: start, reason: "\(what) \(v) runs past the end of the batch") }
            return Int(v)
        }

        mutating func index<T>(_ what: String, in table: [T]) throws(DecodeError) -> T {
            let start = at
            let i = try varint(what)
            guard i < UInt64(table.count) else { throw DecodeError(offset: start, reason: "\(what) names entry \(i) of a table of \(table.count)") }
            return table[Int(i)]
        }
    }
}

@inline(__always)
func appendFixed(_ v: UInt64, _ out: inout [UInt8]) {
    for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: v >> UInt64(shift))) }
}

@inline(__always)
func appendVarint(_ v: UInt64, _ out: inout [UInt8]) {
    var v = v
    while v >= 0x80 {
        out.append(UInt8(truncatingIfNeeded: v) | 0x80)
        v >>= 7
    }
    out.append(UInt8(v))
}
