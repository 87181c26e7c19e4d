/// A format a canonical text field must have.
public enum FieldFormat: String, Hashable, Sendable, CaseIterable {
    /// `local@domain.tld`, no spaces.
    case email
    /// E.164: `+` and 8 to 15 digits.
    case e164
    /// `http://` or `https://` followed by a host.
    case url
    /// A bare domain name: `example.com`.
    case domain
}

/// A typed field of a canonical object, with its sync rule and validation rules.
public struct CanonicalField: Hashable, Sendable {
    /// The canonical name (`email`, `close_date`).
    public var name: String
    /// The type.
    public var type: FieldType
    /// Which replicas may write it.
    public var rule: SyncRule
    /// A record must have a non-blank value (checked on create, and on updates that blank it).
    public var required: Bool
    /// The longest allowed text, in characters.
    public var maxLength: Int?
    /// A format the text must have.
    public var format: FieldFormat?
    /// The allowed values of a picklist or multipicklist (`nil`: any).
    public var values: [String]?
    /// The most digits after the decimal point (currency amounts: 2).
    public var scale: Int?
    /// A short description for the mapping documentation.
    public var label: String?

    /// Creates a field.
    public init(name: String, type: FieldType, rule: SyncRule = .twoWay, required: Bool = false,
                maxLength: Int? = nil, format: FieldFormat? = nil, values: [String]? = nil,
                scale: Int? = nil, label: String? = nil) {
        self.name = name
        self.type = type
        self.rule = rule
        self.required = required
        self.maxLength = maxLength
        self.format = format
        self.values = values
        self.scale = scale
        self.label = label
    }
}

/// A canonical object (contact, company, deal, activity, or a custom one).
public struct CanonicalObject: Hashable, Sendable {
    /// The canonical name.
    public var name: String
    /// The fields, in file order.
    public var fields: [CanonicalField]
    /// A short description for the mapping documentation.
    public var label: String?

    /// Creates an object.
    public init(name: String, fields: [CanonicalField], label: String? = nil) {
        self.name = name
        self.fields = fields
        self.label = label
    }

    /// The field named `name`.
    public func field(_ name: String) -> CanonicalField? { fields.first { $0.name == name } }
}

/// What a delete in one CRM does to the others.
public enum DeletePolicy: String, Hashable, Sendable {
    /// Delete the record everywhere (restorable: the last state is kept).
    case propagate
    /// Keep it in the other CRMs.
    case ignore
}

/// Per-object sync settings.
public struct ObjectSyncSettings: Hashable, Sendable {
    /// What a delete does.
    public var deletePolicy: DeletePolicy
    /// Canonical fields used as natural keys when matching a new record (after external ids).
    public var matchKeys: [String]

    /// Creates settings.
    public init(deletePolicy: DeletePolicy, matchKeys: [String]) {
        self.deletePolicy = deletePolicy
        self.matchKeys = matchKeys
    }
}

/// Deployment-wide sync settings.
public struct SyncSettings: Hashable, Sendable {
    /// Seconds between polls of each CRM.
    public var pollIntervalSeconds: Int
    /// How far ahead of local time a CRM timestamp may be before the change is quarantined.
    public var maxClockOffsetSeconds: Int
    /// Settings per canonical object.
    public var objects: [String: ObjectSyncSettings]
    /// The external-id field per CRM name or kind (`Concord_Id__c`, `concord_id`, `new_concordid`).
    public var externalIDFields: [String: String]
    /// How many deletes inferred from absence one pass may make before it waits for approval.
    public var deletionGuard = DeletionGuard()

    /// Creates settings.
    public init(pollIntervalSeconds: Int, maxClockOffsetSeconds: Int,
                objects: [String: ObjectSyncSettings], externalIDFields: [String: String]) {
        self.pollIntervalSeconds = pollIntervalSeconds
        self.maxClockOffsetSeconds = maxClockOffsetSeconds
        self.objects = objects
        self.externalIDFields = externalIDFields
    }
}

/// The deletion guard, as directory-sync tools have (Azure AD Connect refuses an export that
/// deletes more than 500 objects): when a CRM can no longer list its deletes and the records
/// it no longer shows would delete more than `maxDeletes`, or more than `maxPercent` of an
/// object's linked records (from ``shareFloor`` deletes on), nothing is deleted until an admin
/// approves (`concord deletes approve`). A permission change hiding rows from the integration
/// user looks exactly like a mass delete.
public struct DeletionGuard: Hashable, Sendable {
    /// Off only when the configuration says so.
    public var enabled = true
    /// The most deletes one pass may infer for one object.
    public var maxDeletes = 500
    /// The largest share (percent) of an object's linked records one pass may delete.
    public var maxPercent = 20
    /// A share counts from this many deletes on: a few deletes of a small object are no mass delete.
    public static let shareFloor = 10

    /// Creates the default guard (500 deletes, 20 percent).
    public init() {}

    /// Whether deleting `deletes` of `linked` records must wait for approval.
    public func trips(deletes: Int, linked: Int) -> Bool {
        guard enabled, deletes > 0 else { return false }
        if deletes > maxDeletes { return true }
        return deletes >= Self.shareFloor && deletes * 100 > maxPercent * max(1, linked)
    }
}
