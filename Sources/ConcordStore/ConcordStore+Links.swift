import ConcordCore

/// Links: which record of which replica is which global record.
extension ConcordStore {
    /// The global id linked to a replica's record, if any.
    public func linkedRecord(replica: String, objectType: String, externalID: String) throws(StoreError) -> RecordID? {
        let s = try db.prepare("SELECT gid FROM links WHERE replica = ? AND object_type = ? AND external_id = ?")
        s.bind(1, replica); s.bind(2, objectType); s.bind(3, externalID)
        guard try s.step() else { return nil }
        return RecordID(bytes: s.blob(0))
    }

    /// The replica's id of a global record, if linked.
    public func externalID(replica: String, record: RecordID) throws(StoreError) -> String? {
        let s = try db.prepare("SELECT external_id FROM links WHERE gid = ? AND replica = ?")
        s.bind(1, record.bytes); s.bind(2, replica)
        guard try s.step() else { return nil }
        return s.text(0)
    }

    /// Every replica's id of a global record.
    public func links(of record: RecordID) throws(StoreError) -> [String: String] {
        let s = try db.prepare("SELECT replica, external_id FROM links WHERE gid = ?")
        s.bind(1, record.bytes)
        var out: [String: String] = [:]
        while try s.step() { out[s.text(0)] = s.text(1) }
        return out
    }

    /// Links a replica's record to a global record, replacing an earlier link of either.
    public func setLink(replica: String, objectType: String, externalID: String, record: RecordID) throws(StoreError) {
        try writeTransaction { () throws(StoreError) in
            let del = try db.prepare("DELETE FROM links WHERE gid = ? AND replica = ?")
            del.bind(1, record.bytes); del.bind(2, replica)
            try del.run()
            let s = try db.prepare("""
                INSERT INTO links(replica, object_type, external_id, gid) VALUES (?, ?, ?, ?)
                ON CONFLICT(replica, object_type, external_id) DO UPDATE SET gid = excluded.gid
                """)
            s.bind(1, replica); s.bind(2, objectType); s.bind(3, externalID); s.bind(4, record.bytes)
            try s.run()
        }
    }

    /// Removes a replica's link to a record (after a merge in that CRM, say).
    public func removeLink(replica: String, record: RecordID) throws(StoreError) {
        try writeTransaction { () throws(StoreError) in
            let s = try db.prepare("DELETE FROM links WHERE gid = ? AND replica = ?")
            s.bind(1, record.bytes); s.bind(2, replica)
            try s.run()
        }
    }

    /// Every link of one replica and object type: external id to global id.
    public func links(replica: String, objectType: String) throws(StoreError) -> [String: RecordID] {
        let s = try db.prepare("SELECT external_id, gid FROM links WHERE replica = ? AND object_type = ?")
        s.bind(1, replica); s.bind(2, objectType)
        var out: [String: RecordID] = [:]
        while try s.step() { if let id = RecordID(bytes: s.blob(1)) { out[s.text(0)] = id } }
        return out
    }
}
