import ConcordCore

/// Natural-key index (email for contacts, domain for companies): how a record first seen in
/// one CRM finds the record Concord already knows from another.
extension ConcordStore {
    /// Sets (or, with `nil` or a blank value, clears) a record's key value for `field`.
    public func setMatchKey(objectType: String, field: String, value: Value?, record: RecordID) throws(StoreError) {
        try writeTransaction { () throws(StoreError) in
            let del = try db.prepare("DELETE FROM match_keys WHERE gid = ? AND field = ?")
            del.bind(1, record.bytes); del.bind(2, field)
            try del.run()
            guard let value, !value.isBlank else { return }
            let ins = try db.prepare("INSERT OR IGNORE INTO match_keys(object_type, field, value, gid) VALUES (?, ?, ?, ?)")
            ins.bind(1, objectType); ins.bind(2, field); ins.bind(3, value.canonicalBytes); ins.bind(4, record.bytes)
            try ins.run()
        }
    }

    /// The records of `objectType` whose key `field` equals `value`.
    public func records(objectType: String, field: String, equalTo value: Value) throws(StoreError) -> [RecordID] {
        let s = try db.prepare("SELECT gid FROM match_keys WHERE object_type = ? AND field = ? AND value = ?")
        s.bind(1, objectType); s.bind(2, field); s.bind(3, value.canonicalBytes)
        var out: [RecordID] = []
        while try s.step() { if let id = RecordID(bytes: s.blob(0)) { out.append(id) } }
        return out
    }
}
