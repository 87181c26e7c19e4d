import ConcordMapping

/// One write to a CRM, part of a batch.
public struct PushItem: Hashable, Sendable {
    /// What to do.
    public enum Operation: Hashable, Sendable {
        /// Create a record. When `upsertKey` is given (an external-id field holding Concord's
        /// global id), the connector upserts by it, so a retried create cannot duplicate.
        case create(fields: [String: WireValue], upsertKey: UpsertKey?)
        /// Update fields of an existing record; `ifMatch` is an ETag to guard the write.
        case update(id: String, fields: [String: WireValue], ifMatch: String?)
        /// Delete (archive) a record.
        case delete(id: String)
    }

    /// The external-id field and value a create upserts by.
    public struct UpsertKey: Hashable, Sendable {
        /// The CRM field (`Concord_Id__c`, `concord_id`, `new_concordid`).
        public var field: String
        /// Concord's global id.
        public var value: String
        /// Creates a key.
        public init(field: String, value: String) {
            self.field = field
            self.value = value
        }
    }

    /// The caller's key for the item (the outbox row id); results carry it back.
    public var key: Int64
    /// The operation.
    public var operation: Operation

    /// Creates an item.
    public init(key: Int64, operation: Operation) {
        self.key = key
        self.operation = operation
    }
}

/// The outcome of one push item. A batch returns one per item: a partial failure reports
/// which items failed and why, the rest stand.
public struct PushResult: Hashable, Sendable {
    /// The item's key.
    public var key: Int64
    /// The record's id in the CRM (new for a create) on success, or the failure.
    public var outcome: Result<String, ConnectorError>
    /// Whether a create found an existing record by its upsert key (nothing new was made).
    public var matchedExisting: Bool
    /// For an update to a CRM without conditional writes (HubSpot): by CRM field, the value
    /// the field held just before Concord's write replaced it, read from the CRM's field
    /// history after the write. The engine compares it with what it last saw there: a
    /// different value is an edit Concord overwrote unseen, merged at its own time.
    public var preceding: [String: PrecedingValue]
    /// On success: CRM fields the record was written without (HubSpot association writes
    /// are calls of their own after the record's), with why. The record's other fields are
    /// written; these still hold what they held.
    public var unwritten: [String: ConnectorError]

    /// Creates a result.
    public init(key: Int64, outcome: Result<String, ConnectorError>, matchedExisting: Bool = false,
                preceding: [String: PrecedingValue] = [:], unwritten: [String: ConnectorError] = [:]) {
        self.key = key
        self.outcome = outcome
        self.matchedExisting = matchedExisting
        self.preceding = preceding
        self.unwritten = unwritten
    }
}

/// A field's value before a write replaced it, and when that value was set (Unix ms).
public struct PrecedingValue: Hashable, Sendable {
    /// The value, as the CRM's history shows it.
    public var value: WireValue
    /// When it was set, Unix ms, by the CRM's clock.
    public var at: UInt64

    /// Creates one.
    public init(value: WireValue, at: UInt64) {
        self.value = value
        self.at = at
    }
}
