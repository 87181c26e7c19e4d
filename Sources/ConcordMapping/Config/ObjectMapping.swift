/// How one canonical field appears in one CRM object.
public struct FieldMapping: Hashable, Sendable {
    /// The canonical field name.
    public var canonical: String
    /// The CRM field read (`Email`, `email`, `_parentcustomerid_value`).
    public var crmField: String
    /// The CRM field written; differs for Dataverse lookups (`parentcustomerid_account@odata.bind`).
    public var writeField: String
    /// The conversion.
    public var transform: Transform
    /// The CRM's own length limit for the field, in characters.
    public var maxLength: Int?
    /// The CRM requires the field on create.
    public var required: Bool
    /// The CRM computes the field; Concord reads it but never writes it.
    public var readOnly: Bool
    /// The CRM takes the field only when a record is created (Salesforce `Note.ParentId`):
    /// Concord writes it on create and never in an update.
    public var createOnly = false
    /// The CRM value written when a record is created without this field (Salesforce Task
    /// `Priority: Normal`); it also satisfies ``required``.
    public var createDefault: String?
    /// More CRM fields that receive the same written value (HubSpot meetings also need the
    /// start time in `hs_timestamp`).
    public var copyTo: [String] = []

    /// Creates a field mapping.
    public init(canonical: String, crmField: String, writeField: String? = nil, transform: Transform = .plain,
                maxLength: Int? = nil, required: Bool = false, readOnly: Bool = false, createDefault: String? = nil) {
        self.createDefault = createDefault
        self.canonical = canonical
        self.crmField = crmField
        self.writeField = writeField ?? crmField
        self.transform = transform
        self.maxLength = maxLength
        self.required = required
        self.readOnly = readOnly
    }
}

/// How one canonical object maps onto one CRM's object.
public struct ObjectMapping: Hashable, Sendable {
    /// The CRM name (a key of `crms`, or a kind name for the shipped defaults).
    public var crm: String
    /// The CRM product, which fixes wire formats.
    public var kind: CRMKind
    /// The canonical object.
    public var object: String
    /// The CRM's object (`Contact`, `contacts`, `contacts` entity set, `Project__c`, `2-1234567`).
    public var crmObject: String
    /// The CRM field holding Concord's external id, for idempotent upserts.
    public var externalIDField: String?
    /// The field mappings, in file order.
    public var fields: [FieldMapping]
    /// Fixed CRM field values that select this object's records when several canonical
    /// objects share one CRM object (Salesforce calls and emails are `Task` rows with
    /// `TaskSubtype` `Call` / `Email`); the connector filters on them and sets them on create.
    public var discriminator: [String: String]

    /// Creates an object mapping.
    public init(crm: String, kind: CRMKind, object: String, crmObject: String,
                externalIDField: String?, fields: [FieldMapping], discriminator: [String: String] = [:]) {
        self.discriminator = discriminator
        self.crm = crm
        self.kind = kind
        self.object = object
        self.crmObject = crmObject
        self.externalIDField = externalIDField
        self.fields = fields
    }

    /// The mapping of canonical field `name`.
    public func field(_ name: String) -> FieldMapping? { fields.first { $0.canonical == name } }
}

/// A loaded, checked configuration: the defaults with the user's file merged over them.
public struct ConcordConfig: Hashable, Sendable {
    /// The CRMs in use (empty when the file declares none, e.g. the bare defaults).
    public var crms: [CRMConfig]
    /// The canonical objects.
    public var objects: [CanonicalObject]
    /// All object mappings, including the per-kind defaults for CRMs not in use.
    public var mappings: [ObjectMapping]
    /// Sync settings.
    public var sync: SyncSettings
    /// `concord serve` settings (listen address, webhook authentication).
    public var service = ServiceSettings()

    /// Creates a configuration.
    public init(crms: [CRMConfig], objects: [CanonicalObject], mappings: [ObjectMapping], sync: SyncSettings) {
        self.crms = crms
        self.objects = objects
        self.mappings = mappings
        self.sync = sync
    }

    /// The canonical object named `name`.
    public func object(_ name: String) -> CanonicalObject? { objects.first { $0.name == name } }

    /// The mapping of `object` in `crm`.
    public func mapping(crm: String, object: String) -> ObjectMapping? {
        mappings.first { $0.crm == crm && $0.object == object }
    }

    /// The CRMs whose mappings are active: those declared, or the three kinds when none is.
    public var activeCRMs: [String] {
        crms.isEmpty ? CRMKind.allCases.map(\.rawValue) : crms.map(\.name)
    }

    /// The kind of a CRM name (declared name or kind name).
    public func kind(of crm: String) -> CRMKind? {
        crms.first { $0.name == crm }?.kind ?? CRMKind(rawValue: crm)
    }
}
