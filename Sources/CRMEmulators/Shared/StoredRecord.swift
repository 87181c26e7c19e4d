/// One record held by an emulator store, CRM-neutral.
public struct StoredRecord: Sendable, Codable, Equatable {
    public var id: String
    /// Object name in the CRM's own spelling (`Contact`, `contacts`, `contact`).
    public var type: String
    /// User-visible fields (system timestamps are kept separately below).
    public var fields: [String: JSONValue]
    public var createdAt: Int64
    public var modifiedAt: Int64
    /// Global row version, increasing with every write (Dataverse versionnumber / etag).
    public var version: Int64
    /// Set when soft-deleted (Salesforce recycle bin, HubSpot archive, Dataverse tombstone).
    public var deletedAt: Int64?
    /// Per-field value history, newest first.
    public var history: [String: [FieldHistoryEntry]]
    /// Ids merged into this record.
    public var mergedIds: [String]

    public init(id: String, type: String, fields: [String: JSONValue], createdAt: Int64, modifiedAt: Int64, version: Int64) {
        self.id = id
        self.type = type
        self.fields = fields
        self.createdAt = createdAt
        self.modifiedAt = modifiedAt
        self.version = version
        self.deletedAt = nil
        self.history = [:]
        self.mergedIds = []
    }

    public var isDeleted: Bool { deletedAt != nil }
}

/// One historical value of a field.
public struct FieldHistoryEntry: Sendable, Codable, Equatable {
    public var value: JSONValue
    public var timestamp: Int64
    /// Who wrote it: `API`, `CRM_UI`, `INTEGRATION`...
    public var source: String
}

/// What happened to a record, in store order.
public enum ChangeKind: String, Sendable, Codable {
    case created, updated, deleted, undeleted, merged
}

/// An entry of the store's change log (drives delta links, getUpdated/getDeleted and webhooks).
public struct ChangeEvent: Sendable, Codable, Equatable {
    public var sequence: Int64
    public var type: String
    public var id: String
    public var kind: ChangeKind
    public var at: Int64
    public var changedFields: [String]
    /// For merges: the id that was merged away.
    public var mergedId: String?
    /// Who made the change (`API`, `CRM_UI` for the human driver).
    public var source: String
}
