import ConcordCore
import CSQLite

/// The quarantine: input that failed a rule, kept exactly, with the reason, until it is
/// retried after a fix or dropped by a person.
extension ConcordStore {
    /// Adds an entry, or replaces the entry with the same key (keeping its first-seen time);
    /// returns its row id.
    @discardableResult
    public func addQuarantine(key: String = RecordID.random().description, objectType: String, replica: String,
                              recordKey: String, input: String, rule: String, reason: String) throws(StoreError) -> Int64 {
        let now = wallClock.nowMillis()
        return try writeTransaction { () throws(StoreError) -> Int64 in
            let q = statements.insertQuarantine
            q.reset()
            q.bind(1, key); q.bind(2, objectType); q.bind(3, replica); q.bind(4, recordKey); q.bind(5, input)
            q.bind(6, rule); q.bind(7, reason); q.bind(8, now)
            try q.run()
            return try quarantineEntry(key: key)?.id ?? sqlite3LastInsertRowID()
        }
    }

    /// One entry by row id.
    public func quarantineEntry(_ id: Int64) throws(StoreError) -> QuarantineRow? {
        let s = try db.prepare("SELECT id, key, object_type, replica, record_key, input, rule, reason, created_at FROM quarantine WHERE id = ?")
        s.bind(1, id)
        return try s.step() ? quarantineRow(s) : nil
    }

    /// One entry by key.
    public func quarantineEntry(key: String) throws(StoreError) -> QuarantineRow? {
        let s = try db.prepare("SELECT id, key, object_type, replica, record_key, input, rule, reason, created_at FROM quarantine WHERE key = ?")
        s.bind(1, key)
        return try s.step() ? quarantineRow(s) : nil
    }

    /// Removes an entry by row id; `false` when there was none.
    @discardableResult
    public func removeQuarantine(_ id: Int64) throws(StoreError) -> Bool {
        try deleteQuarantine("DELETE FROM quarantine WHERE id = ?") { $0.bind(1, id) }
    }

    /// Removes an entry by key; `false` when there was none.
    @discardableResult
    public func removeQuarantine(key: String) throws(StoreError) -> Bool {
        try deleteQuarantine("DELETE FROM quarantine WHERE key = ?") { $0.bind(1, key) }
    }

    private func deleteQuarantine(_ sql: String, _ bind: (SQLiteStatement) -> Void) throws(StoreError) -> Bool {
        try writeTransaction { () throws(StoreError) -> Bool in
            let s = try db.prepare(sql)
            bind(s)
            try s.run()
            return sqlite3_changes(db.handle) > 0
        }
    }

    func sqlite3LastInsertRowID() -> Int64 { sqlite3_last_insert_rowid(db.handle) }
}
