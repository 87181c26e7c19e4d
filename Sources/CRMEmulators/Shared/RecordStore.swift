import Foundation

/// Thread-safe in-memory record store of one emulator, with a change log and listeners.
public final class RecordStore: Sendable {
    private let state: Locked<StoreBox>
    private let listeners = Locked<[@Sendable (ChangeEvent, StoredRecord) -> Void]>([])
    private let served = Locked<[ServedKey: Int64]>([:])
    private let tracking = Locked(false)

    /// A record shown in an API answer.
    public struct ServedKey: Hashable, Sendable {
        public var type: String
        public var id: String
    }
    /// Source of modification timestamps.
    public let clock: EmulatorClock

    public init(clock: EmulatorClock, state: StoreState = StoreState()) {
        self.clock = clock
        self.state = Locked(StoreBox(state))
    }

    /// Runs `body` atomically; if it throws, no change is kept. Listeners run after commit.
    public func transaction<T>(_ body: (inout StoreTransaction) throws -> T) rethrows -> T {
        let (result, emitted) = try state.withLock { box -> (T, [(ChangeEvent, StoredRecord)]) in
            var tx = StoreTransaction(box: box, stamp: { [clock] in clock.stamp() })
            do {
                let result = try body(&tx)
                tx.commitIntoGroup()
                return (result, tx.emitted)
            } catch {
                tx.rollback()
                throw error
            }
        }
        if !emitted.isEmpty {
            RequestWrites.current?.record(emitted.map(\.0))
            let current = listeners.current
            for (event, record) in emitted { for listener in current { listener(event, record) } }
        }
        return result
    }

    /// Runs `body`, whose transactions can be undone together: when `body` returns `false`
    /// (or throws), every write its transactions made is rolled back, in place, at the cost
    /// of what they wrote (not of the store's size). Listeners have already seen the
    /// writes, as a real CRM's plugins would have. Groups do not nest.
    public func group(_ body: () throws -> Bool) rethrows {
        state.withLock { box in
            let s = box.state
            box.group = (undo: [], sequence: s.sequence, idCounter: s.idCounter, extras: s.extras, eventCount: s.events.count)
        }
        let keep: Bool
        do { keep = try body() } catch {
            state.withLock { StoreTransaction.rollbackGroup($0) }
            throw error
        }
        state.withLock { box in
            if keep { box.group = nil } else { StoreTransaction.rollbackGroup(box) }
        }
    }

    /// Read-only access through the transaction API (lookups through the indexes); a
    /// non-mutating view, so nothing can be written through it.
    public func view<T>(_ body: (StoreTransaction) throws -> T) rethrows -> T {
        try state.withLock { box in try body(StoreTransaction(box: box, stamp: { 0 })) }
    }

    /// Read-only access to a consistent snapshot.
    public func read<T>(_ body: (StoreState) throws -> T) rethrows -> T {
        try state.withLock { try body($0.state) }
    }

    public func get(_ type: String, _ id: String, includeDeleted: Bool = false) -> StoredRecord? {
        read { s in
            guard let record = s.records[type]?[id] else { return nil }
            return includeDeleted || !record.isDeleted ? record : nil
        }
    }

    public func all(_ type: String, includeDeleted: Bool = false) -> [StoredRecord] {
        read { s in (s.records[type] ?? [:]).values.filter { includeDeleted || !$0.isDeleted } }
    }

    /// Events with sequence greater than `sequence`.
    public func events(after sequence: Int64) -> [ChangeEvent] {
        state.withLock { Array($0.events(after: sequence)) }
    }

    /// Events of `type` after `sequence` (found by binary search, not a scan of the log),
    /// with the purge horizon and the current sequence, read together.
    public func events(of type: String, after sequence: Int64) -> (events: [ChangeEvent], purgedThrough: Int64, current: Int64) {
        state.withLock { box in (box.events(after: sequence).filter { $0.type == type }, box.state.purgedThroughSequence, box.state.sequence) }
    }

    /// Records of `type` whose `field` equals `value` under `folding`, through an index.
    public func lookup(_ type: String, field: String, equals value: JSONValue, folding: IndexFolding = .text,
                       includeDeleted: Bool = false) -> [StoredRecord] {
        state.withLock { $0.lookup(type, field: field, equals: value, folding: folding, includeDeleted: includeDeleted) }
    }

    public var currentSequence: Int64 { read { $0.sequence } }

    /// Starts noting which records API answers show (``lastServed(_:_:)``): off by default, so
    /// the emulators serving a benchmark pay nothing for it.
    public func trackServedRecords() { tracking.withLock { $0 = true } }

    /// Whether answers showing records are noted.
    public var tracksServed: Bool { tracking.current }

    /// Notes that an API answer delivered now showed these records (with their values as
    /// they were then).
    public func noteServed(_ keys: [ServedKey]) {
        guard !keys.isEmpty, tracksServed else { return }
        let now = clock.now()
        served.withLock { for k in keys { $0[k] = now } }
    }

    /// When an API answer last showed the record, on this CRM's clock; `nil` if never (or
    /// not tracked: see ``tracksServed``).
    /// What a client could have seen: a value set after this and gone before the next
    /// answer (the record deleted) was never observable through the API.
    public func lastServed(_ type: String, _ id: String) -> Int64? { served.current[ServedKey(type: type, id: id)] }

    /// Registers a callback run for every committed change.
    public func onChange(_ listener: @escaping @Sendable (ChangeEvent, StoredRecord) -> Void) {
        listeners.withLock { $0.append(listener) }
    }

    /// A copy of the whole state (for persistence).
    public func snapshot() -> StoreState { state.withLock { $0.state } }

    /// Replaces the whole state (after loading from disk).
    public func restore(_ newState: StoreState) {
        state.withLock { box in
            box.state = newState
            box.indexes.reset()
        }
    }
}
