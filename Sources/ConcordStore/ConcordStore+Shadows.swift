import ConcordCore

/// Shadows: the last value Concord saw in, or wrote to, each replica, per field. A pulled
/// value equal to the shadow is no new edit (so Concord's own writes do not echo back);
/// a merged value different from the shadow is a change to push.
extension ConcordStore {
    /// A replica's shadow of a record (empty when never seen).
    public func shadow(replica: String, record: RecordID) throws(StoreError) -> [String: Value] {
        let s = try db.prepare("SELECT fields FROM shadows WHERE replica = ? AND gid = ?")
        s.bind(1, replica); s.bind(2, record.bytes)
        guard try s.step() else { return [:] }
        let blob = s.blob(0)
        var entries: [PackedEntry] = []
        guard PackedRegisters.decode(blob, into: &entries) else {
            throw StoreError(.corrupt, "the shadow of record \(record) in \(replica) cannot be decoded", path: path)
        }
        var out: [String: Value] = [:]
        for e in entries {
            guard let name = fieldNames[e.field], let v = Value(canonicalBytes: blob[e.value]) else {
                throw StoreError(.corrupt, "the shadow of record \(record) in \(replica) holds a malformed value", path: path)
            }
            out[name] = v
        }
        return out
    }

    /// Updates fields of a replica's shadow (other fields are kept).
    public func updateShadow(replica: String, record: RecordID, fields: [String: Value]) throws(StoreError) {
        guard !fields.isEmpty else { return }
        try writeTransaction { () throws(StoreError) in
            var merged = try shadow(replica: replica, record: record)
            for (k, v) in fields { merged[k] = v }
            var ids: [(UInt32, [UInt8])] = []
            for (k, v) in merged { ids.append((try fieldID(k), v.canonicalBytes)) }
            ids.sort { $0.0 < $1.0 }
            var blob: [UInt8] = []
            for (fid, bytes) in ids {
                bytes.withUnsafeBufferPointer { PackedRegisters.append(field: fid, hlc: 0, site: 0, seq: 0, value: $0, to: &blob) }
            }
            let s = try db.prepare("""
                INSERT INTO shadows(replica, gid, fields) VALUES (?, ?, ?)
                ON CONFLICT(replica, gid) DO UPDATE SET fields = excluded.fields
                """)
            s.bind(1, replica); s.bind(2, record.bytes); s.bind(3, blob)
            try s.run()
        }
    }

    /// Forgets a replica's shadow of a record.
    public func removeShadow(replica: String, record: RecordID) throws(StoreError) {
        try writeTransaction { () throws(StoreError) in
            let s = try db.prepare("DELETE FROM shadows WHERE replica = ? AND gid = ?")
            s.bind(1, replica); s.bind(2, record.bytes)
            try s.run()
        }
    }
}
