/// How a field value is folded into an index key.
public enum IndexFolding: Sendable, Hashable {
    /// The value's text form, exactly (Salesforce and Dataverse keys, external ids).
    case text
    /// The text form, lowercased (HubSpot's unique properties such as contact email).
    case caseInsensitive

    /// The key of `value`, or `nil` for a null value (never indexed).
    public func key(_ value: JSONValue?) -> String? {
        guard let text = value?.textForm else { return nil }
        return self == .text ? text : text.lowercased()
    }
}

/// Equality indexes over record fields: built on first use, then kept current by every
/// write, so unique checks and lookups by external id cost O(1) instead of a scan of every
/// record (which made large emulated syncs quadratic).
struct FieldIndexes {
    struct Key: Hashable {
        var type: String
        var field: String
        var folding: IndexFolding
    }

    private var maps: [Key: [String: Set<String>]] = [:]

    /// Ids of records (deleted ones included) whose `field` folds to `value`.
    mutating func ids(_ key: Key, value: String, records: [String: StoredRecord]?) -> Set<String> {
        if maps[key] == nil {
            var map: [String: Set<String>] = [:]
            for record in (records ?? [:]).values {
                if let k = key.folding.key(record.fields[key.field]) { map[k, default: []].insert(record.id) }
            }
            maps[key] = map
        }
        return maps[key]?[value] ?? []
    }

    /// Moves one record from its old values to its new ones in every index of its type.
    mutating func replace(type: String, id: String, old: StoredRecord?, new: StoredRecord?) {
        // The keys are copied out first: iterating `maps.keys` while writing `maps` would
        // share its storage and copy every index of the type on each write.
        let keys = maps.keys.filter { $0.type == type }
        for key in keys {
            let before = key.folding.key(old?.fields[key.field])
            let after = key.folding.key(new?.fields[key.field])
            guard before != after else { continue }
            if let before {
                maps[key]?[before]?.remove(id)
                if maps[key]?[before]?.isEmpty == true { maps[key]?[before] = nil }
            }
            if let after { maps[key]?[after, default: []].insert(id) }
        }
    }

    /// Forgets every index (after the whole state was replaced).
    mutating func reset() { maps = [:] }
}

/// The store's mutable contents: the state and its indexes, changed in place under the
/// store's lock (a value copy per transaction made every write cost O(records)).
final class StoreBox {
    var state: StoreState
    var indexes = FieldIndexes()
    /// An open group of transactions that can still be undone together (a Dataverse change
    /// set): the old value of every record they wrote, oldest first, and the counters at
    /// the group's start.
    var group: (undo: [(type: String, id: String, old: StoredRecord?)], sequence: Int64, idCounter: Int64,
                extras: [String: JSONValue], eventCount: Int)?

    init(_ state: StoreState) { self.state = state }

    /// Live (or all) records of `type` whose `field` folds to the same key as `value`.
    func lookup(_ type: String, field: String, equals value: JSONValue, folding: IndexFolding,
                includeDeleted: Bool = false) -> [StoredRecord] {
        guard let k = folding.key(value) else { return [] }
        let records = state.records[type]
        return indexes.ids(.init(type: type, field: field, folding: folding), value: k, records: records)
            .sorted()
            .compactMap { records?[$0] }
            .filter { includeDeleted || !$0.isDeleted }
    }

    /// Events with a sequence greater than `sequence` (the log is in sequence order).
    func events(after sequence: Int64) -> ArraySlice<ChangeEvent> {
        let events = state.events
        var lo = events.startIndex, hi = events.endIndex
        while lo < hi {
            let mid = (lo + hi) / 2
            if events[mid].sequence > sequence { hi = mid } else { lo = mid + 1 }
        }
        return events[lo...]
    }
}
