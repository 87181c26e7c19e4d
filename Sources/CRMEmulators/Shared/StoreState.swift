/// The serialisable contents of a record store.
public struct StoreState: Sendable, Codable {
    public var records: [String: [String: StoredRecord]] = [:]
    public var events: [ChangeEvent] = []
    public var sequence: Int64 = 0
    public var idCounter: Int64 = 0
    /// Events older than this were purged (getDeleted's earliestDateAvailable, expired delta tokens).
    public var purgedBefore: Int64 = 0
    public var purgedThroughSequence: Int64 = 0
    /// Free-form per-emulator metadata (custom properties, associations...).
    public var extras: [String: JSONValue] = [:]

    public init() {}
}

/// Raised by store mutations that name a record that does not exist.
public struct RecordNotFound: Error, CustomStringConvertible {
    public let type: String
    public let id: String
    public var description: String { "no \(type) record with id \(id)" }
}

/// Mutable view of a store inside one atomic transaction.
///
/// Writes change the store in place and keep an undo log; a transaction that throws is
/// rolled back from that log, so a write costs what it touches, not the size of the store.
public struct StoreTransaction {
    let box: StoreBox
    let stamp: () -> Int64
    var emitted: [(ChangeEvent, StoredRecord)] = []
    private var undo: [(type: String, id: String, old: StoredRecord?)] = []
    private let saved: (sequence: Int64, idCounter: Int64, purgedBefore: Int64, purgedThrough: Int64,
                        extras: [String: JSONValue], eventCount: Int)
    private var purgedEvents: [ChangeEvent] = []

    init(box: StoreBox, stamp: @escaping () -> Int64) {
        self.box = box
        self.stamp = stamp
        let s = box.state
        saved = (s.sequence, s.idCounter, s.purgedBefore, s.purgedThroughSequence, s.extras, s.events.count)
    }

    /// Hands this committed transaction's undo log to the open group, if any.
    func commitIntoGroup() {
        guard box.group != nil else { return }
        box.group?.undo.append(contentsOf: undo)
    }

    /// Undoes every write of the open group (its transactions committed) and closes it.
    static func rollbackGroup(_ box: StoreBox) {
        guard let group = box.group else { return }
        box.group = nil
        for entry in group.undo.reversed() {
            let current = box.state.records[entry.type]?[entry.id]
            if let old = entry.old { box.state.records[entry.type, default: [:]][entry.id] = old } else {
                box.state.records[entry.type]?.removeValue(forKey: entry.id)
            }
            box.indexes.replace(type: entry.type, id: entry.id, old: current, new: entry.old)
        }
        let appended = box.state.events.count - group.eventCount
        if appended > 0 { box.state.events.removeLast(appended) }
        box.state.sequence = group.sequence
        box.state.idCounter = group.idCounter
        box.state.extras = group.extras
    }

    /// Undoes every write of this transaction.
    mutating func rollback() {
        for entry in undo.reversed() { put(entry.type, entry.id, entry.old, log: false) }
        undo = []
        let appended = box.state.events.count - (saved.eventCount - purgedEvents.count)
        if appended > 0 { box.state.events.removeLast(appended) }
        box.state.events.insert(contentsOf: purgedEvents, at: 0)
        purgedEvents = []
        box.state.sequence = saved.sequence
        box.state.idCounter = saved.idCounter
        box.state.purgedBefore = saved.purgedBefore
        box.state.purgedThroughSequence = saved.purgedThrough
        box.state.extras = saved.extras
        emitted = []
    }

    /// Sets (or removes) one record, keeping the indexes current and logging the old value.
    private mutating func put(_ type: String, _ id: String, _ record: StoredRecord?, log: Bool = true) {
        let old = box.state.records[type]?[id]
        if log { undo.append((type, id, old)) }
        if let record {
            box.state.records[type, default: [:]][id] = record
        } else {
            box.state.records[type]?.removeValue(forKey: id)
        }
        box.indexes.replace(type: type, id: id, old: old, new: record)
    }

    /// Allocates the next value of the store's id counter.
    public mutating func nextCounter() -> Int64 {
        box.state.idCounter += 1
        return box.state.idCounter
    }

    public func get(_ type: String, _ id: String, includeDeleted: Bool = false) -> StoredRecord? {
        guard let record = box.state.records[type]?[id] else { return nil }
        return includeDeleted || !record.isDeleted ? record : nil
    }

    public func all(_ type: String, includeDeleted: Bool = false) -> [StoredRecord] {
        (box.state.records[type] ?? [:]).values.filter { includeDeleted || !$0.isDeleted }
    }

    /// Records of `type` whose `field` equals `value` under `folding`, through an index.
    public func lookup(_ type: String, field: String, equals value: JSONValue, folding: IndexFolding = .text,
                       includeDeleted: Bool = false) -> [StoredRecord] {
        box.lookup(type, field: field, equals: value, folding: folding, includeDeleted: includeDeleted)
    }

    private mutating func emit(_ kind: ChangeKind, _ record: StoredRecord, fields: [String], source: String, merged: String? = nil) {
        box.state.sequence += 1
        let event = ChangeEvent(
            sequence: box.state.sequence, type: record.type, id: record.id, kind: kind, at: record.modifiedAt,
            changedFields: fields.sorted(), mergedId: merged, source: source)
        box.state.events.append(event)
        emitted.append((event, record))
    }

    private func nextVersion() -> Int64 {
        box.state.sequence + 1
    }

    /// Inserts a new record; null field values are dropped.
    @discardableResult
    public mutating func create(_ type: String, id: String, fields: [String: JSONValue], source: String = "API") -> StoredRecord {
        let now = stamp()
        var record = StoredRecord(id: id, type: type, fields: fields.filter { !$0.value.isNull }, createdAt: now, modifiedAt: now, version: nextVersion())
        for (name, value) in record.fields { record.history[name] = [FieldHistoryEntry(value: value, timestamp: now, source: source)] }
        put(type, id, record)
        emit(.created, record, fields: Array(record.fields.keys), source: source)
        return record
    }

    /// Applies `changes` (null clears a field) and bumps the modification stamp.
    @discardableResult
    public mutating func update(_ type: String, id: String, changes: [String: JSONValue], source: String = "API") throws -> StoredRecord {
        guard var record = get(type, id) else { throw RecordNotFound(type: type, id: id) }
        let now = stamp()
        var changed: [String] = []
        for (name, value) in changes {
            let old = record.fields[name] ?? .null
            if value.isNull { record.fields.removeValue(forKey: name) } else { record.fields[name] = value }
            if old != value {
                changed.append(name)
                record.history[name, default: []].insert(FieldHistoryEntry(value: value, timestamp: now, source: source), at: 0)
            }
        }
        record.modifiedAt = now
        record.version = nextVersion()
        put(type, id, record)
        emit(.updated, record, fields: changed, source: source)
        return record
    }

    /// Soft-deletes a record.
    @discardableResult
    public mutating func delete(_ type: String, id: String, source: String = "API") throws -> StoredRecord {
        guard var record = get(type, id) else { throw RecordNotFound(type: type, id: id) }
        let now = stamp()
        record.deletedAt = now
        record.modifiedAt = now
        record.version = nextVersion()
        put(type, id, record)
        emit(.deleted, record, fields: [], source: source)
        return record
    }

    /// Restores a soft-deleted record.
    @discardableResult
    public mutating func undelete(_ type: String, id: String, source: String = "API") throws -> StoredRecord {
        guard var record = get(type, id, includeDeleted: true), record.isDeleted else { throw RecordNotFound(type: type, id: id) }
        record.deletedAt = nil
        record.modifiedAt = stamp()
        record.version = nextVersion()
        put(type, id, record)
        emit(.undeleted, record, fields: [], source: source)
        return record
    }

    /// Merges `mergedID` into `primaryID`: blank fields of the primary take the merged record's
    /// values (except `keeping`: fields that stay with their own record, such as alternate
    /// keys), the merged record is deleted (or, given `retiring`, updated with it and kept, as
    /// Dataverse deactivates a merge's subordinate), and the primary remembers the merged id.
    @discardableResult
    public mutating func merge(_ type: String, primaryID: String, mergedID: String, source: String = "API",
                               keeping: Set<String> = [], retiring: [String: JSONValue]? = nil) throws -> StoredRecord {
        guard let other = get(type, mergedID) else { throw RecordNotFound(type: type, id: mergedID) }
        guard let primary = get(type, primaryID) else { throw RecordNotFound(type: type, id: primaryID) }
        var fill: [String: JSONValue] = [:]
        // Blanks of the survivor are filled from the merged-away record, but not Salesforce's
        // MasterRecordId: it says the merged-away record was merged (into the survivor).
        for (name, value) in other.fields where primary.fields[name] == nil && name != "MasterRecordId" && !keeping.contains(name) {
            fill[name] = value
        }
        var updated = try update(type, id: primaryID, changes: fill, source: source)
        updated.mergedIds.append(contentsOf: [mergedID] + other.mergedIds)
        put(type, primaryID, updated)
        if let retiring {
            _ = try update(type, id: mergedID, changes: retiring, source: source)
        } else {
            try delete(type, id: mergedID, source: source)
        }
        emit(.merged, updated, fields: Array(fill.keys), source: source, merged: mergedID)
        return updated
    }

    /// Removes a record entirely (no tombstone left in the record map).
    public mutating func purge(_ type: String, id: String) {
        put(type, id, nil)
    }

    /// Drops change events older than `cutoff` ms.
    public mutating func purgeEvents(before cutoff: Int64) {
        let dropped = box.state.events.prefix { $0.at < cutoff }
        if let last = dropped.last {
            box.state.purgedThroughSequence = last.sequence
            purgedEvents.append(contentsOf: dropped)
            box.state.events.removeFirst(dropped.count)
        }
        box.state.purgedBefore = max(box.state.purgedBefore, cutoff)
    }

    public var extras: [String: JSONValue] {
        get { box.state.extras }
        nonmutating set { box.state.extras = newValue }
    }
}
