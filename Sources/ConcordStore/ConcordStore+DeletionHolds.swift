import CSQLite

/// Deletes the deletion guard holds back: one per CRM and object, until an admin approves.
public struct DeletionHold: Hashable, Sendable, Codable {
    /// The CRM whose records went missing.
    public var replica: String
    /// The canonical object.
    public var objectType: String
    /// How many linked records the CRM no longer showed, when last checked.
    public var deletes: Int
    /// How many records of the object were linked there.
    public var linked: Int
    /// When the guard first held them, Unix ms.
    public var detectedAt: UInt64
    /// Whether an admin approved: the next check deletes them.
    public var approved: Bool
}

extension ConcordStore {
    /// Records (or updates the counts of) a hold; an approval already given stands.
    public func holdDeletions(replica: String, objectType: String, deletes: Int, linked: Int) throws(StoreError) {
        try writeTransaction { () throws(StoreError) in
            let s = try db.prepare("""
                INSERT INTO deletion_holds(replica, object_type, deletes, linked, detected_at) VALUES (?1, ?2, ?3, ?4, ?5)
                ON CONFLICT(replica, object_type) DO UPDATE SET deletes = ?3, linked = ?4
                """)
            s.bind(1, replica); s.bind(2, objectType); s.bind(3, Int64(deletes)); s.bind(4, Int64(linked))
            s.bind(5, wallClock.nowMillis())
            try s.run()
        }
    }

    /// Every hold, by CRM and object.
    public func deletionHolds() throws(StoreError) -> [DeletionHold] {
        let s = try db.prepare("SELECT replica, object_type, deletes, linked, detected_at, approved FROM deletion_holds ORDER BY replica, object_type")
        var out: [DeletionHold] = []
        while try s.step() {
            out.append(DeletionHold(replica: s.text(0), objectType: s.text(1), deletes: Int(s.int64(2)), linked: Int(s.int64(3)),
                                    detectedAt: s.uint64(4), approved: s.int64(5) != 0))
        }
        return out
    }

    /// The hold of one CRM's object, if any.
    public func deletionHold(replica: String, objectType: String) throws(StoreError) -> DeletionHold? {
        try deletionHolds().first { $0.replica == replica && $0.objectType == objectType }
    }

    /// Approves the holds of `replica` and `objectType` (every one when nil); returns how many.
    @discardableResult
    public func approveDeletions(replica: String? = nil, objectType: String? = nil) throws(StoreError) -> Int {
        try writeTransaction { () throws(StoreError) in
            let s = try db.prepare("UPDATE deletion_holds SET approved = 1 WHERE (?1 IS NULL OR replica = ?1) AND (?2 IS NULL OR object_type = ?2)")
            if let replica { s.bind(1, replica) } else { s.bindNull(1) }
            if let objectType { s.bind(2, objectType) } else { s.bindNull(2) }
            try s.run()
            return Int(sqlite3_changes(db.handle))
        }
    }

    /// Removes a hold (its deletes were made, or the records are back).
    public func clearDeletionHold(replica: String, objectType: String) throws(StoreError) {
        try writeTransaction { () throws(StoreError) in
            let s = try db.prepare("DELETE FROM deletion_holds WHERE replica = ? AND object_type = ?")
            s.bind(1, replica); s.bind(2, objectType)
            try s.run()
        }
    }
}
