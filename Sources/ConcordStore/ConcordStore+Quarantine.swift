import CSQLite

/// The quarantine: input that failed a rule, kept exactly, with the reason, until it is
/// retried after a fix or dropped by a person.
extension ConcordStore {
    /// Adds an entry; returns its id.
    @discardableResult
    public func addQuarantine(objectType: String, replica: String, recordKey: String, input: String,
                              rule: String, reason: String) throws(StoreError) -> Int64 {
        let now = wallClock.nowMillis()
        return try writeTransaction { () throws(StoreError) -> Int64 in
            let q = statements.insertQuarantine
            q.reset()
            q.bind(1, objectType); q.bind(2, replica); q.bind(3, recordKey); q.bind(4, input)
            q.bind(5, rule); q.bind(6, reason); q.bind(7, now)
            try q.run()
            return Int64(sqlite3LastInsertRowID())
        }
    }

    /// One entry.
    public func quarantineEntry(_ id: Int64) throws(StoreError) -> QuarantineRow? {
        try quarantined().first { $0.id == id }
    }

    /// Removes an entry; `false` when there was none.
    @discardableResult
    public func removeQuarantine(_ id: Int64) throws(StoreError) -> Bool {
        try writeTransaction { () throws(StoreError) -> Bool in
            let s = try db.prepare("DELETE FROM quarantine WHERE id = ?")
            s.bind(1, id)
            try s.run()
            return sqlite3_changes(db.handle) > 0
        }
    }

    func sqlite3LastInsertRowID() -> Int64 { sqlite3_last_insert_rowid(db.handle) }
}
