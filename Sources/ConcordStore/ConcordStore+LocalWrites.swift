import ConcordCore

extension ConcordStore {
    /// Writes fields of a record as a local edit: one clock tick stamps every field, and the
    /// edit merges like any other change (so a deleted record stays deleted).
    ///
    /// - Returns: the stamp given to the edit.
    @discardableResult
    public func write(_ id: RecordID, objectType: String, fields: [String: Value]) throws(StoreError) -> Stamp {
        let wall = wallClock.nowMillis()
        return try writeTransaction { () throws(StoreError) -> Stamp in
            let stamp = Stamp(hlc: clock.tick(wallMillis: wall), site: siteID)
            let state = RecordState(fields: fields.mapValues { FieldRegister(value: $0, stamp: stamp) }, causalLength: 1)
            var scratch = MergeScratch()
            var result = BulkMergeResult()
            _ = try apply(RecordChange(id: id, objectType: objectType, state: state), origin: "local",
                          wall: wall, scratch: &scratch, result: &result)
            if !result.quarantined.isEmpty {
                throw StoreError(.integrity, result.quarantined[0].reason, path: path)
            }
            return stamp
        }
    }

    /// Deletes a record (its causal length moves to the next even number); its fields are
    /// kept so it can be restored. Returns `false` when the record is unknown or already deleted.
    @discardableResult
    public func delete(_ id: RecordID) throws(StoreError) -> Bool {
        try setExistence(id, alive: false)
    }

    /// Restores a deleted record (its causal length moves to the next odd number).
    /// Returns `false` when the record is unknown or alive.
    @discardableResult
    public func restore(_ id: RecordID) throws(StoreError) -> Bool {
        try setExistence(id, alive: true)
    }

    private func setExistence(_ id: RecordID, alive: Bool) throws(StoreError) -> Bool {
        let wall = wallClock.nowMillis()
        return try writeTransaction { () throws(StoreError) -> Bool in
            guard let current = try record(id), current.state.isAlive != alive else { return false }
            let state = RecordState(fields: [:], causalLength: current.state.causalLength + 1)
            var scratch = MergeScratch()
            var result = BulkMergeResult()
            _ = try apply(RecordChange(id: id, objectType: current.objectType, state: state), origin: "local",
                          wall: wall, scratch: &scratch, result: &result)
            return true
        }
    }
}
