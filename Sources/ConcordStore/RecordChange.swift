import ConcordCore

/// One record's replicated state as it travels between replicas: what a bulk merge takes
/// and what "changes since" returns.
public struct RecordChange: Hashable, Sendable {
    /// The record's global id.
    public var id: RecordID
    /// The canonical object type (`contact`, `company`, ...).
    public var objectType: String
    /// The registers and causal length to merge.
    public var state: RecordState

    /// Creates a change.
    public init(id: RecordID, objectType: String, state: RecordState) {
        self.id = id
        self.objectType = objectType
        self.state = state
    }
}

/// A record as stored: its type and its state.
public struct StoredRecord: Hashable, Sendable {
    /// The canonical object type.
    public var objectType: String
    /// The merged state.
    public var state: RecordState
    /// The local sequence number of the last change applied to it.
    public var sequence: UInt64
}

/// What a bulk merge did.
public struct BulkMergeResult: Hashable, Sendable {
    /// Records that did not exist before.
    public var recordsInserted = 0
    /// Existing records whose state changed.
    public var recordsUpdated = 0
    /// Field registers that were written (new or won).
    public var registersChanged = 0
    /// Registers with equal stamps and different values (resolved by value bytes).
    public var integrityAlarms = 0
    /// Records that were not merged and went to the quarantine instead.
    public var quarantined: [QuarantinedChange] = []

    /// Creates an empty result.
    public init() {}
}

/// A change the store refused, and why.
public struct QuarantinedChange: Hashable, Sendable {
    /// The record concerned.
    public var id: RecordID
    /// The rule it broke (`clock-skew`, `object-type`).
    public var rule: String
    /// A readable reason.
    public var reason: String
}

/// Where a reader of ``ConcordStore/changes(after:limit:)`` stands.
///
/// Two numbers, because pages are cut by record while registers carry their own sequence:
/// `after` is the record sequence the next page starts after; `floor` is the sequence up to
/// which the reader holds *every* register. Registers above `floor` are sent; `floor`
/// advances to `after` only when a page reaches the end, so a record that moves past a
/// page boundary while a reader is paging still brings its older registers along.
public struct ChangeCursor: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Records with a sequence above this come next.
    public var after: UInt64
    /// Every register at or below this sequence is already held by the reader.
    public var floor: UInt64

    /// A cursor at a given position.
    public init(after: UInt64, floor: UInt64) {
        self.after = after
        self.floor = min(floor, after)
    }

    /// The start: nothing read yet.
    public static let start = ChangeCursor(after: 0, floor: 0)

    /// `after/floor`.
    public var description: String { "\(after)/\(floor)" }
}

/// A page of changes after a ``ChangeCursor``.
public struct ChangePage: Hashable, Sendable {
    /// The changed records, in local sequence order, each with its registers above the
    /// cursor's floor (and its causal length).
    public var changes: [RecordChange]
    /// The cursor to read from next, once this page has been applied.
    public var next: ChangeCursor
    /// Whether more changes follow.
    public var hasMore: Bool
}

/// A row of the quarantine table.
public struct QuarantineRow: Hashable, Sendable {
    /// Row id.
    public var id: Int64
    /// The entry's unique key (32 hex digits unless the caller chose one).
    public var key: String
    /// Canonical object type.
    public var objectType: String
    /// The replica the input came from.
    public var replica: String
    /// The record's key in that replica (global id for store merges).
    public var recordKey: String
    /// The exact input, in the text form of ``ChangeCodec``.
    public var input: String
    /// The rule that failed.
    public var rule: String
    /// Why.
    public var reason: String
    /// When it was quarantined, Unix ms.
    public var createdAt: UInt64
}
