import ConcordCore
import Crypto

extension ConcordStore {
    /// The stored state of one record, or `nil` when the store has never seen it.
    public func record(_ id: RecordID) throws(StoreError) -> StoredRecord? {
        let s = statements.selectByGID
        s.reset()
        s.bind(1, id.bytes)
        guard try s.step() else { return nil }
        let type = s.int64(1), cl = s.uint64(2), blob = s.blob(3), seq = s.uint64(4)
        s.reset()
        return StoredRecord(objectType: typeNames[type] ?? "#\(type)",
                            state: try decodeState(id, blob, causalLength: cl, after: 0), sequence: seq)
    }

    /// Whether the record is alive (its causal length odd), without decoding its registers;
    /// `nil` when the store has never seen it.
    public func isAlive(_ id: RecordID) throws(StoreError) -> Bool? {
        let s = statements.selectByGID
        s.reset()
        s.bind(1, id.bytes)
        guard try s.step() else { return nil }
        let cl = s.uint64(2)
        s.reset()
        return cl % 2 == 1
    }

    /// The records changed after `cursor.after`, oldest change first, at most `limit`
    /// records; each carries its registers above `cursor.floor` and its causal length.
    /// Applying every page, in order, with ``merge(_:origin:)`` gives the reader everything
    /// this store held when the last page was read.
    ///
    /// ```swift
    /// var cursor = ChangeCursor.start
    /// repeat {
    ///     let page = try source.changes(after: cursor, limit: 1000)
    ///     _ = try target.merge(page.changes)
    ///     cursor = page.next
    /// } while page.hasMore
    /// ```
    public func changes(after cursor: ChangeCursor, limit: Int = 1000) throws(StoreError) -> ChangePage {
        try changes(after: cursor, limit: limit, maxBytes: .max, objectTypes: nil, excludingWriter: nil)
    }

    /// ``changes(after:limit:)`` for a peer: at most `maxBytes` of stored registers (at least
    /// one record), only the records of `objectTypes` (all when `nil`), and without the
    /// registers `excludingWriter` wrote (the peer's own writes, which it holds: echoes). A
    /// record whose registers above the floor were all the peer's still comes, as its causal
    /// length alone, so a delete or restore is never filtered with them.
    ///
    /// When the page reaches the end, its cursor moves to the store's latest sequence (what
    /// it skipped was out of scope), so an idle reader does not scan the same rows again.
    public func changes(after cursor: ChangeCursor, limit: Int, maxBytes: Int, objectTypes: Set<String>?,
                        excludingWriter: SiteID?) throws(StoreError) -> ChangePage {
        let s = try db.prepare("SELECT gid, object_type, cl, registers, seq FROM entities WHERE seq > ?\(typeFilter(objectTypes)) ORDER BY seq LIMIT ?")
        s.bind(1, cursor.after)
        s.bind(2, Int64(max(1, limit)))
        var out: [RecordChange] = []
        var last = cursor.after, bytes = 0, cut = false
        while try s.step() {
            guard let id = RecordID(bytes: s.blob(0)) else {
                throw StoreError(.corrupt, "an entity has a malformed global id", path: path)
            }
            let type = s.int64(1), blob = s.blob(3)
            if !out.isEmpty && bytes + blob.count > maxBytes { cut = true; break }
            bytes += blob.count
            let state = try decodeState(id, blob, causalLength: s.uint64(2), after: cursor.floor, excluding: excludingWriter)
            out.append(RecordChange(id: id, objectType: typeNames[type] ?? "#\(type)", state: state))
            last = s.uint64(4)
        }
        let more = cut || out.count == max(1, limit)
        if !more { last = max(last, nextSequence - 1) }
        return ChangePage(changes: out, next: ChangeCursor(after: last, floor: more ? cursor.floor : last), hasMore: more)
    }

    /// Every record (of one object type, or all), keyed by global id: for dumps and tests.
    public func allRecords(objectType: String? = nil) throws(StoreError) -> [RecordID: StoredRecord] {
        var out: [RecordID: StoredRecord] = [:]
        try scan(objectType: objectType) { (id, type, cl, blob, seq) throws(StoreError) in
            out[id] = StoredRecord(objectType: type, state: try decodeState(id, blob, causalLength: cl, after: 0), sequence: seq)
        }
        return out
    }

    /// The number of records (of one object type, or all).
    public func count(objectType: String? = nil) throws(StoreError) -> Int {
        let s: SQLiteStatement
        if let objectType {
            guard let t = typeIDs[objectType] else { return 0 }
            s = try db.prepare("SELECT count(*) FROM entities WHERE object_type = ?")
            s.bind(1, t)
        } else {
            s = try db.prepare("SELECT count(*) FROM entities")
        }
        _ = try s.step()
        return Int(s.int64(0))
    }

    /// A SHA-256 digest of the replicated content (of one object type, or all): global ids,
    /// object types, causal lengths and every register's field name, stamp and value.
    /// Local details (sequence numbers, interned ids, row ids) are left out, so two stores
    /// holding the same records have the same digest.
    public func digest(objectType: String? = nil) throws(StoreError) -> String {
        var hasher = SHA256()
        var entries: [PackedEntry] = []
        try scan(objectType: objectType) { (id, type, cl, blob, _) throws(StoreError) in
            var buf: [UInt8] = id.bytes
            appendString(type, &buf)
            PackedRegisters.writeLE(cl, &buf)
            guard PackedRegisters.decode(blob, into: &entries) else {
                throw StoreError(.corrupt, "the registers of record \(id) cannot be decoded", path: path)
            }
            let named = entries.map { (fieldNames[$0.field] ?? "#\($0.field)", $0) }.sorted { $0.0 < $1.0 }
            PackedRegisters.writeLE(UInt64(named.count), &buf)
            for (name, e) in named {
                appendString(name, &buf)
                PackedRegisters.writeLE(e.hlc, &buf)
                PackedRegisters.writeLE(e.site, &buf)
                PackedRegisters.writeLE(UInt64(e.value.count), &buf)
                buf.append(contentsOf: blob[e.value])
            }
            hasher.update(data: buf)
        }
        return hasher.finalize().map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// Quarantined rows, oldest first (of one object type, or all).
    public func quarantined(objectType: String? = nil) throws(StoreError) -> [QuarantineRow] {
        let s = try db.prepare("""
            SELECT id, key, object_type, replica, record_key, input, rule, reason, created_at FROM quarantine
            WHERE ?1 IS NULL OR object_type = ?1 ORDER BY id
            """)
        if let objectType { s.bind(1, objectType) } else { s.bindNull(1) }
        var out: [QuarantineRow] = []
        while try s.step() { out.append(quarantineRow(s)) }
        return out
    }

    func quarantineRow(_ s: SQLiteStatement) -> QuarantineRow {
        QuarantineRow(id: s.int64(0), key: s.text(1), objectType: s.text(2), replica: s.text(3), recordKey: s.text(4),
                      input: s.text(5), rule: s.text(6), reason: s.text(7), createdAt: s.uint64(8))
    }

    private func scan(objectType: String?,
                      _ body: (RecordID, String, UInt64, [UInt8], UInt64) throws(StoreError) -> Void) throws(StoreError) {
        let s: SQLiteStatement
        if let objectType {
            guard let t = typeIDs[objectType] else { return }
            s = try db.prepare("SELECT gid, object_type, cl, registers, seq FROM entities WHERE object_type = ? ORDER BY gid")
            s.bind(1, t)
        } else {
            s = try db.prepare("SELECT gid, object_type, cl, registers, seq FROM entities ORDER BY gid")
        }
        while try s.step() {
            guard let id = RecordID(bytes: s.blob(0)) else {
                throw StoreError(.corrupt, "an entity has a malformed global id", path: path)
            }
            let type = s.int64(1)
            try body(id, typeNames[type] ?? "#\(type)", s.uint64(2), s.blob(3), s.uint64(4))
        }
    }

    func decodeState(_ id: RecordID, _ blob: [UInt8], causalLength: UInt64, after sequence: UInt64,
                     excluding writer: SiteID? = nil) throws(StoreError) -> RecordState {
        let skip = writer?.rawValue
        var entries: [PackedEntry] = []
        guard PackedRegisters.decode(blob, into: &entries) else {
            throw StoreError(.corrupt, "the registers of record \(id) cannot be decoded", path: path)
        }
        var fields: [FieldEntry] = []
        fields.reserveCapacity(entries.count)
        for e in entries where e.seq > sequence && e.site != skip {
            guard let name = fieldNames[e.field], let value = Value(canonicalBytes: blob[e.value]) else {
                throw StoreError(.corrupt, "record \(id) holds an unknown field id or a malformed value", path: path)
            }
            fields.append(FieldEntry(name: name, register: FieldRegister(
                value: value, stamp: Stamp(hlc: HLCTimestamp(rawValue: e.hlc), site: SiteID(rawValue: e.site)))))
        }
        fields.sort { $0.name < $1.name }
        return RecordState(sortedEntries: fields, causalLength: causalLength)
    }
}

private func appendString(_ s: String, _ buf: inout [UInt8]) {
    PackedRegisters.writeLE(UInt64(s.utf8.count), &buf)
    buf.append(contentsOf: s.utf8)
}
