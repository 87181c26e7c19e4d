import ConcordCore

/// Merges a CRM reported: the merged-away record redirects to its survivor, so references
/// to it (in later pulls, in pushes, in records that still hold it) lead to the survivor.
extension ConcordStore {
    /// Records that a CRM (`replica`) merged `gid` into `survivor`.
    public func setMergedInto(_ gid: RecordID, survivor: RecordID, replica: String) throws(StoreError) {
        guard gid != survivor else { return }
        let now = wallClock.nowMillis()
        try writeTransaction { () throws(StoreError) in
            let s = try db.prepare("""
                INSERT INTO merged_into(gid, survivor, replica, at) VALUES (?, ?, ?, ?)
                ON CONFLICT(gid) DO UPDATE SET survivor = excluded.survivor, replica = excluded.replica, at = excluded.at
                """)
            s.bind(1, gid.bytes); s.bind(2, survivor.bytes); s.bind(3, replica); s.bind(4, now)
            try s.run()
        }
        hasMerges = true
    }

    /// The record `gid` was finally merged into (following a chain of merges), or `nil` when
    /// it was never merged away.
    public func survivor(of gid: RecordID) throws(StoreError) -> RecordID? {
        guard hasMerges else { return nil }
        var current = gid, seen: Set<RecordID> = [gid]
        while true {
            let s = try db.prepare("SELECT survivor FROM merged_into WHERE gid = ?")
            s.bind(1, current.bytes)
            guard try s.step(), let next = RecordID(bytes: s.blob(0)) else { break }
            guard seen.insert(next).inserted else { break }  // a cycle: stop where it closes
            current = next
        }
        return current == gid ? nil : current
    }

    /// Records whose registers hold a reference to `target` (found by a scan for the
    /// reference's bytes, then confirmed by decoding); with `objectTypes`, only records of
    /// those objects are scanned.
    public func records(referencing target: RecordID, objectTypes: Set<String>? = nil) throws(StoreError) -> [RecordID] {
        let needle = Value.reference(target).canonicalBytes
        var sql = "SELECT gid FROM entities WHERE "
        if let objectTypes {
            // The cheap test first: the type ids are interned integers.
            let ids = objectTypes.compactMap { typeIDs[$0] }
            guard !ids.isEmpty else { return [] }
            sql += "object_type IN (" + ids.map(String.init).joined(separator: ",") + ") AND "
        }
        sql += "instr(registers, ?) > 0"
        let s = try db.prepare(sql)
        s.bind(1, needle)
        var candidates: [RecordID] = []
        while try s.step() { if let id = RecordID(bytes: s.blob(0)) { candidates.append(id) } }
        var out: [RecordID] = []
        for id in candidates where try record(id)?.state.entries.contains(where: { $0.register.value == .reference(target) }) ?? false {
            out.append(id)
        }
        return out
    }
}
