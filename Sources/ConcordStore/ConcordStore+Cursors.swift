/// Cursors: where each replica's incremental pull stands, per object type. A cursor is
/// written in the same transaction as the changes it covers, so it never runs ahead of them.
extension ConcordStore {
    /// The saved cursor, if any.
    public func cursor(replica: String, objectType: String) throws(StoreError) -> String? {
        let s = try db.prepare("SELECT cursor FROM cursors WHERE replica = ? AND object_type = ?")
        s.bind(1, replica); s.bind(2, objectType)
        guard try s.step() else { return nil }
        return s.text(0)
    }

    /// Every saved cursor with when it was saved (Unix ms): for `concord status`.
    public func cursors() throws(StoreError) -> [(replica: String, objectType: String, cursor: String, updatedAt: UInt64)] {
        let s = try db.prepare("SELECT replica, object_type, cursor, updated_at FROM cursors ORDER BY replica, object_type")
        var out: [(String, String, String, UInt64)] = []
        while try s.step() { out.append((s.text(0), s.text(1), s.text(2), s.uint64(3))) }
        return out.map { (replica: $0.0, objectType: $0.1, cursor: $0.2, updatedAt: $0.3) }
    }

    /// Saves a cursor.
    public func setCursor(_ cursor: String, replica: String, objectType: String) throws(StoreError) {
        let now = wallClock.nowMillis()
        try writeTransaction { () throws(StoreError) in
            let s = try db.prepare("""
                INSERT INTO cursors(replica, object_type, cursor, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT(replica, object_type) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at
                """)
            s.bind(1, replica); s.bind(2, objectType); s.bind(3, cursor); s.bind(4, now)
            try s.run()
        }
    }
}
