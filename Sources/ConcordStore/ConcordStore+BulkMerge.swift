import ConcordCore

/// Reusable buffers for the bulk merge, so the hot loop does not allocate per record.
struct MergeScratch {
    struct Incoming {
        var field: UInt32
        var hlc: UInt64
        var site: UInt64
        var value: Range<Int>
    }
    var incoming: [Incoming] = []
    var valueBytes: [UInt8] = []
    var existing: [PackedEntry] = []
    var out: [UInt8] = []
}

extension ConcordStore {
    static let integrityAlarmsKey = "integrity_alarms"

    /// Integrity alarms raised by every merge so far (two registers with equal stamps and
    /// different values: one writer reused a stamp), kept in the store.
    public func integrityAlarmCount() throws(StoreError) -> UInt64 { try metaUInt(Self.integrityAlarmsKey) ?? 0 }

    /// Merges remote record states into the store: the hot path.
    ///
    /// The batch is applied in global-id order in one transaction, through prepared
    /// statements; each record is read once, merged in memory register by register (greater
    /// `(hlc, site)` wins, ties by value bytes with an integrity alarm, causal length by
    /// `max`) and written back only if something changed, with a new local sequence number.
    /// The clock receives the largest remote timestamp and is persisted in the same
    /// transaction. If anything fails, nothing of the batch remains.
    ///
    /// Records with a timestamp more than the clock's `maxOffsetMillis` ahead of physical
    /// time, or whose object type differs from the stored record's, are not merged: they go
    /// to the quarantine, with the reason, and are listed in the result.
    ///
    /// - Parameter origin: the replica the batch came from, recorded with quarantined input.
    public func merge(_ batch: [RecordChange], origin: String = "peer") throws(StoreError) -> BulkMergeResult {
        let wall = wallClock.nowMillis()
        var sorted = true
        for i in batch.indices.dropFirst() where batch[i].id < batch[i - 1].id { sorted = false; break }
        let order = sorted ? Array(batch.indices) : batch.indices.sorted { batch[$0].id < batch[$1].id }
        return try writeTransaction { () throws(StoreError) -> BulkMergeResult in
            var result = BulkMergeResult()
            var scratch = MergeScratch()
            var maxHLC = HLCTimestamp.zero
            for index in order {
                let change = batch[index]
                var newest = HLCTimestamp.zero
                for e in change.state.entries where e.register.stamp.hlc > newest { newest = e.register.stamp.hlc }
                do throws(ClockError) {
                    try clock.check(newest, wallMillis: wall)
                } catch {
                    try quarantine(change, origin: origin, rule: "clock-skew", reason: error.description, wall: wall, into: &result)
                    continue
                }
                if try apply(change, origin: origin, wall: wall, scratch: &scratch, result: &result) {
                    maxHLC = max(maxHLC, newest)
                }
            }
            if maxHLC > .zero { _ = try? clock.receive(maxHLC, wallMillis: wall) }
            if result.integrityAlarms > 0 {
                try setMeta(Self.integrityAlarmsKey, (try metaUInt(Self.integrityAlarmsKey) ?? 0) + UInt64(result.integrityAlarms))
            }
            return result
        }
    }

    /// Merges one record inside the current transaction; `false` when it was quarantined.
    func apply(_ change: RecordChange, origin: String, wall: UInt64,
               scratch: inout MergeScratch, result: inout BulkMergeResult) throws(StoreError) -> Bool {
        let tid = try typeID(change.objectType)
        scratch.incoming.removeAll(keepingCapacity: true)
        scratch.valueBytes.removeAll(keepingCapacity: true)
        for entry in change.state.entries {
            let fid = try fieldID(entry.name), reg = entry.register
            let start = scratch.valueBytes.count
            reg.value.encode(into: &scratch.valueBytes)
            scratch.incoming.append(.init(field: fid, hlc: reg.stamp.hlc.rawValue, site: reg.stamp.site.rawValue,
                                          value: start..<scratch.valueBytes.count))
        }
        scratch.incoming.sort { $0.field < $1.field }
        let gid = change.id.bytes
        let select = statements.selectByGID
        select.reset()
        select.bind(1, gid)
        let seq = nextSequence
        scratch.out.removeAll(keepingCapacity: true)
        guard try select.step() else {
            select.reset()
            scratch.valueBytes.withUnsafeBufferPointer { values in
                for inc in scratch.incoming {
                    PackedRegisters.append(field: inc.field, hlc: inc.hlc, site: inc.site, seq: seq,
                                           value: UnsafeBufferPointer(rebasing: values[inc.value]), to: &scratch.out)
                }
            }
            let ins = statements.insertEntity
            ins.reset()
            ins.bind(1, gid); ins.bind(2, tid); ins.bind(3, change.state.causalLength); ins.bind(4, seq); ins.bind(5, scratch.out)
            try ins.run()
            nextSequence += 1
            result.recordsInserted += 1
            result.registersChanged += scratch.incoming.count
            return true
        }
        let rowid = select.int64(0), storedType = select.int64(1), storedCL = select.uint64(2)
        let blob = select.blob(3)
        select.reset()
        if storedType != tid {
            let stored = typeNames[storedType] ?? "#\(storedType)"
            try quarantine(change, origin: origin, rule: "object-type",
                           reason: "record \(change.id) is a \(stored) here but arrived as a \(change.objectType)",
                           wall: wall, into: &result)
            return false
        }
        guard PackedRegisters.decode(blob, into: &scratch.existing) else {
            throw StoreError(.corrupt, "the registers of record \(change.id) cannot be decoded", path: path)
        }
        var changed = 0, alarms = 0
        blob.withUnsafeBufferPointer { old in
            scratch.valueBytes.withUnsafeBufferPointer { new in
                let existing = scratch.existing, incoming = scratch.incoming
                var i = 0, j = 0
                while i < existing.count || j < incoming.count {
                    if j == incoming.count || (i < existing.count && existing[i].field < incoming[j].field) {
                        let e = existing[i]
                        PackedRegisters.append(field: e.field, hlc: e.hlc, site: e.site, seq: e.seq,
                                               value: UnsafeBufferPointer(rebasing: old[e.value]), to: &scratch.out)
                        i += 1
                        continue
                    }
                    let inc = incoming[j]
                    var takeIncoming = true
                    if i < existing.count && existing[i].field == inc.field {
                        let e = existing[i]
                        if e.hlc == inc.hlc && e.site == inc.site {
                            let a = UnsafeBufferPointer(rebasing: old[e.value]), b = UnsafeBufferPointer(rebasing: new[inc.value])
                            if a.elementsEqual(b) {
                                takeIncoming = false
                            } else {
                                alarms += 1
                                takeIncoming = a.lexicographicallyPrecedes(b)
                            }
                        } else {
                            takeIncoming = e.stampLess(inc.hlc, inc.site)
                        }
                        if !takeIncoming {
                            PackedRegisters.append(field: e.field, hlc: e.hlc, site: e.site, seq: e.seq,
                                                   value: UnsafeBufferPointer(rebasing: old[e.value]), to: &scratch.out)
                        }
                        i += 1
                    }
                    if takeIncoming {
                        PackedRegisters.append(field: inc.field, hlc: inc.hlc, site: inc.site, seq: seq,
                                               value: UnsafeBufferPointer(rebasing: new[inc.value]), to: &scratch.out)
                        changed += 1
                    }
                    j += 1
                }
            }
        }
        result.integrityAlarms += alarms
        let cl = max(storedCL, change.state.causalLength)
        guard changed > 0 || cl != storedCL else { return true }
        let upd = statements.updateEntity
        upd.reset()
        upd.bind(1, cl); upd.bind(2, seq); upd.bind(3, scratch.out); upd.bind(4, rowid)
        try upd.run()
        nextSequence += 1
        result.recordsUpdated += 1
        result.registersChanged += changed
        return true
    }

    func quarantine(_ change: RecordChange, origin: String, rule: String, reason: String, wall: UInt64,
                    into result: inout BulkMergeResult) throws(StoreError) {
        _ = try addQuarantine(key: RecordID.random().description, objectType: change.objectType, replica: origin,
                              recordKey: change.id.description, input: ChangeCodec.encode(change), rule: rule, reason: reason)
        result.quarantined.append(QuarantinedChange(id: change.id, rule: rule, reason: reason))
    }
}

extension RecordID {
    /// The 16 big-endian bytes stored in `entities.gid`; their order is the id's order.
    var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(16)
        withUnsafeBytes(of: high.bigEndian) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: low.bigEndian) { out.append(contentsOf: $0) }
        return out
    }

    init?(bytes: [UInt8]) {
        guard bytes.count == 16 else { return nil }
        self.init(high: bytes[0..<8].reduce(0) { $0 << 8 | UInt64($1) },
                  low: bytes[8..<16].reduce(0) { $0 << 8 | UInt64($1) })
    }
}
