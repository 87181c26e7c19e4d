import ConcordCore

/// A field-level conflict that a merge resolved: two different values for one field, and
/// which one won by `(hlc, site)`.
public struct ConflictRecord: Hashable, Sendable {
    /// The record.
    public var record: RecordID
    /// The canonical field (or rule register).
    public var field: String
    /// The register that won.
    public var winner: FieldRegister
    /// The register that lost.
    public var loser: FieldRegister
    /// When it was resolved, Unix ms.
    public var at: UInt64
}

/// The conflict log: what each winning value beat, for `concord inspect` and reports.
extension ConcordStore {
    /// Records a resolved conflict.
    public func logConflict(record: RecordID, field: String, winner: FieldRegister, loser: FieldRegister) throws(StoreError) {
        let now = wallClock.nowMillis()
        try writeTransaction { () throws(StoreError) in
            let s = try db.prepare("""
                INSERT INTO conflicts(gid, field, winner, winner_hlc, winner_site, loser, loser_hlc, loser_site, at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            s.bind(1, record.bytes); s.bind(2, field)
            s.bind(3, winner.value.canonicalBytes); s.bind(4, winner.stamp.hlc.rawValue); s.bind(5, winner.stamp.site.rawValue)
            s.bind(6, loser.value.canonicalBytes); s.bind(7, loser.stamp.hlc.rawValue); s.bind(8, loser.stamp.site.rawValue)
            s.bind(9, now)
            try s.run()
        }
    }

    /// Conflicts of one record (newest first), or the newest of all records.
    public func conflicts(of record: RecordID? = nil, limit: Int = 100) throws(StoreError) -> [ConflictRecord] {
        let s = try db.prepare("""
            SELECT gid, field, winner, winner_hlc, winner_site, loser, loser_hlc, loser_site, at FROM conflicts
            WHERE ?1 IS NULL OR gid = ?1 ORDER BY id DESC LIMIT ?2
            """)
        if let record { s.bind(1, record.bytes) } else { s.bindNull(1) }
        s.bind(2, Int64(limit))
        var out: [ConflictRecord] = []
        while try s.step() {
            guard let id = RecordID(bytes: s.blob(0)), let w = Value(canonicalBytes: s.blob(2)),
                  let l = Value(canonicalBytes: s.blob(5)) else {
                throw StoreError(.corrupt, "a conflict row cannot be decoded", path: path)
            }
            out.append(ConflictRecord(
                record: id, field: s.text(1),
                winner: FieldRegister(value: w, stamp: Stamp(hlc: HLCTimestamp(rawValue: s.uint64(3)), site: SiteID(rawValue: s.uint64(4)))),
                loser: FieldRegister(value: l, stamp: Stamp(hlc: HLCTimestamp(rawValue: s.uint64(6)), site: SiteID(rawValue: s.uint64(7)))),
                at: s.uint64(8)))
        }
        return out
    }

    /// The number of logged conflicts.
    public func conflictCount() throws(StoreError) -> Int {
        let s = try db.prepare("SELECT count(*) FROM conflicts")
        _ = try s.step()
        return Int(s.int64(0))
    }

    /// Starts a transaction that ``rollbackDryRun()`` undoes: everything written in between
    /// (merges, shadows, links, outbox) joins it. For `--dry-run`.
    public func beginDryRun() throws(StoreError) {
        guard transactionDepth == 0 else { throw StoreError(.integrity, "a dry run cannot start inside a transaction", path: path) }
        try db.execute("BEGIN IMMEDIATE")
        transactionDepth = 1
    }

    /// Undoes everything since ``beginDryRun()``.
    public func rollbackDryRun() throws(StoreError) {
        guard transactionDepth == 1 else { return }
        transactionDepth = 0
        try db.execute("ROLLBACK")
        try reloadState()
    }
}
