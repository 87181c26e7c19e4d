import ConcordCore

/// A change that failed validation, kept with its exact raw input so it can be retried.
public struct QuarantineEntry: Hashable, Sendable, Codable, Identifiable {
    /// A unique id (32 hex digits).
    public var id: String
    /// The canonical object.
    public var object: String
    /// The CRM the change came from.
    public var crm: String
    /// The record's id in that CRM.
    public var recordKey: String
    /// The raw CRM fields exactly as received.
    public var raw: [String: WireValue]
    /// Whether the change would have created the record.
    public var isCreate: Bool
    /// Why it was quarantined (as of the last attempt).
    public var failures: [ValidationFailure]
    /// When it was first quarantined, Unix milliseconds.
    public var firstSeenMillis: Int64
    /// How many times it has been tried (1 on first quarantine).
    public var attempts: Int
    /// When set, the entry is a hold, not a rejection: the change was merged except these
    /// canonical reference fields, which name records not linked yet.
    public var heldFields: [String]?
    /// The replica's shadow of each held field when it was held (`(absent)` if none): a
    /// retry applies a held reference only while the shadow is unchanged, so a newer value
    /// that reached the CRM since is never overwritten by the older, held one.
    public var heldShadow: [String: String]?
    /// The CRM's modification time of the input, Unix ms (the stamp a retry uses).
    public var modifiedMillis: Int64?

    /// Creates an entry.
    public init(id: String, object: String, crm: String, recordKey: String, raw: [String: WireValue],
                isCreate: Bool, failures: [ValidationFailure], firstSeenMillis: Int64, attempts: Int = 1) {
        self.id = id
        self.object = object
        self.crm = crm
        self.recordKey = recordKey
        self.raw = raw
        self.isCreate = isCreate
        self.failures = failures
        self.firstSeenMillis = firstSeenMillis
        self.attempts = attempts
    }

    /// A fresh random id from `generator` (32 hex digits).
    public static func makeID<G: RandomNumberGenerator>(using generator: inout G) -> String {
        RecordID.random(using: &generator).description
    }
}

/// Where quarantined changes are kept. The store's SQLite table implements it in
/// production; ``InMemoryQuarantineStore`` in tests.
public protocol QuarantineStore: Sendable {
    /// Adds an entry, or replaces the entry with the same id.
    func add(_ entry: QuarantineEntry) async throws
    /// Entries, oldest first, optionally of one object.
    func list(object: String?) async throws -> [QuarantineEntry]
    /// One entry.
    func get(id: String) async throws -> QuarantineEntry?
    /// Removes an entry; `false` when there was none.
    @discardableResult
    func remove(id: String) async throws -> Bool
}

/// A quarantine in memory, for tests and dry runs.
public actor InMemoryQuarantineStore: QuarantineStore {
    private var entries: [String: QuarantineEntry] = [:]

    /// An empty store.
    public init() {}

    /// Adds or replaces an entry.
    public func add(_ entry: QuarantineEntry) { entries[entry.id] = entry }

    /// Entries oldest first (ties by id), optionally of one object.
    public func list(object: String?) -> [QuarantineEntry] {
        entries.values.filter { object == nil || $0.object == object }
            .sorted { ($0.firstSeenMillis, $0.id) < ($1.firstSeenMillis, $1.id) }
    }

    /// One entry.
    public func get(id: String) -> QuarantineEntry? { entries[id] }

    /// Removes an entry; `false` when there was none.
    @discardableResult
    public func remove(id: String) -> Bool { entries.removeValue(forKey: id) != nil }
}

/// What a retry did.
public enum RetryOutcome: Hashable, Sendable {
    /// It passes now: removed from the quarantine; merge these values.
    case released([String: Value])
    /// It still fails: kept, with the new failures and one more attempt.
    case stillFailing([ValidationFailure])
    /// No entry with that id.
    case notFound
}

extension MappingPipeline {
    /// Quarantines a rejected change (a new entry with the exact raw input).
    public func quarantine(crm: String, object: String, recordKey: String, raw: [String: WireValue], isCreate: Bool,
                           failures: [ValidationFailure], id: String, nowMillis: Int64,
                           in store: any QuarantineStore) async throws -> QuarantineEntry {
        let entry = QuarantineEntry(id: id, object: object, crm: crm, recordKey: recordKey, raw: raw,
                                    isCreate: isCreate, failures: failures, firstSeenMillis: nowMillis)
        try await store.add(entry)
        return entry
    }

    /// Re-runs mapping and validation of the stored raw input against *this* pipeline's
    /// (current) configuration; releases the entry when it passes.
    public func retry(id: String, in store: any QuarantineStore) async throws -> RetryOutcome {
        guard var entry = try await store.get(id: id) else { return .notFound }
        switch inbound(crm: entry.crm, object: entry.object, recordKey: entry.recordKey, raw: entry.raw,
                       isCreate: entry.isCreate) {
        case .accepted(let values):
            try await store.remove(id: id)
            return .released(values)
        case .rejected(let failures), .held(_, let failures):
            entry.failures = failures
            entry.attempts += 1
            try await store.add(entry)
            return .stillFailing(failures)
        }
    }
}
