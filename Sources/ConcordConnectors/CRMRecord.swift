import ConcordMapping

/// One record as a CRM returned it: its own id, its fields in wire form, and what the CRM
/// says about when it changed.
public struct CRMRecord: Hashable, Sendable {
    /// The CRM's id (Salesforce 18-character id, HubSpot numeric string, Dataverse GUID).
    public var id: String
    /// Fields by the CRM's own names, values exactly as on the wire.
    public var fields: [String: WireValue]
    /// The CRM's last-modification time of the record, Unix ms (`SystemModstamp`,
    /// `hs_lastmodifieddate`/`lastmodifieddate`, `modifiedon`).
    public var modifiedAt: UInt64?
    /// Per-field modification times where the CRM has them (HubSpot property history).
    public var fieldModifiedAt: [String: UInt64]
    /// Whether the CRM reports the record as deleted (archived, `IsDeleted`, `$deletedEntity`).
    public var isDeleted: Bool
    /// Ids of records the CRM merged into this one (HubSpot `hs_merged_object_ids`).
    public var mergedIDs: [String]
    /// For a deleted record: the record the CRM merged it into (Salesforce `MasterRecordId`).
    public var mergedInto: String?
    /// The record's version as the CRM last showed it, opaque to the engine: the engine keeps
    /// it in the shadow and hands it back as ``PushItem/Operation/update(id:fields:ifMatch:)``
    /// so the write is refused if the record changed since (Dataverse `@odata.etag`,
    /// Salesforce `LastModifiedDate` for `If-Unmodified-Since`).
    public var version: String?

    /// Creates a record.
    public init(id: String, fields: [String: WireValue] = [:], modifiedAt: UInt64? = nil,
                fieldModifiedAt: [String: UInt64] = [:], isDeleted: Bool = false, mergedIDs: [String] = [],
                mergedInto: String? = nil, version: String? = nil) {
        self.id = id
        self.fields = fields
        self.modifiedAt = modifiedAt
        self.fieldModifiedAt = fieldModifiedAt
        self.isDeleted = isDeleted
        self.mergedIDs = mergedIDs
        self.mergedInto = mergedInto
        self.version = version
    }
}

/// What to pull: one CRM object, the fields wanted, and where the last pull stopped.
public struct PullRequest: Hashable, Sendable {
    /// The CRM's object name (`Contact`, `contacts`, `contacts`).
    public var object: String
    /// The CRM fields to read.
    public var fields: [String]
    /// The opaque cursor of the last committed pull; `nil` for a full pull.
    public var cursor: String?
    /// The largest page to ask for.
    public var pageSize: Int
    /// Ask for per-field modification times where the CRM can give them.
    public var withFieldHistory: Bool
    /// A CRM-side filter on the object (e.g. `TaskSubtype = 'Call'`), as field -> value.
    public var discriminator: [String: String]

    /// Creates a request.
    public init(object: String, fields: [String], cursor: String?, pageSize: Int = 200,
                withFieldHistory: Bool = false, discriminator: [String: String] = [:]) {
        self.object = object
        self.fields = fields
        self.cursor = cursor
        self.pageSize = pageSize
        self.withFieldHistory = withFieldHistory
        self.discriminator = discriminator
    }
}

/// One page of changes.
public struct PullPage: Hashable, Sendable {
    /// Changed, created and deleted records.
    public var records: [CRMRecord]
    /// The cursor to commit *after* these records are stored, and to pull from next.
    public var cursor: String
    /// Whether more pages follow right away.
    public var hasMore: Bool
    /// Set when the CRM can no longer say what was deleted since the cursor (Salesforce's
    /// delete log was purged, a Dataverse delta token expired): the engine must reconcile
    /// by comparing a full listing of ids with its links.
    public var deletesUnknownSince: UInt64?

    /// Creates a page.
    public init(records: [CRMRecord], cursor: String, hasMore: Bool, deletesUnknownSince: UInt64? = nil) {
        self.records = records
        self.cursor = cursor
        self.hasMore = hasMore
        self.deletesUnknownSince = deletesUnknownSince
    }
}
