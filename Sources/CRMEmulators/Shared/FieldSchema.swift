/// The kind of value a field holds, across the three CRMs.
public enum FieldKind: String, Sendable, Codable {
    case id, string, textArea, email, phone, url, int, double, currency, bool, date, dateTime
    case picklist, multiPicklist, reference
}

/// One allowed value of a picklist / enumeration / option set.
public struct PicklistOption: Sendable, Equatable {
    public var value: String
    public var label: String
    /// Dataverse option-set integer.
    public var code: Int

    public init(_ value: String, label: String? = nil, code: Int = 0) {
        self.value = value
        self.label = label ?? value
        self.code = code
    }
}

/// Schema of one field: type, constraints, allowed values.
public struct FieldSchema: Sendable {
    public var name: String
    public var label: String
    public var kind: FieldKind
    public var required = false
    public var maxLength: Int?
    public var options: [PicklistOption] = []
    /// Restricted picklists reject values outside `options`.
    public var restricted = true
    public var readOnly = false
    /// Settable on create only (Salesforce `createable` but not `updateable`, e.g. `Note.ParentId`).
    public var createOnly = false
    /// Usable as an external id / unique key.
    public var unique = false
    public var referenceTo: [String] = []
    /// Added at run time through the CRM's metadata API.
    public var custom = false

    public init(_ name: String, _ kind: FieldKind, label: String? = nil, required: Bool = false, maxLength: Int? = nil,
                options: [PicklistOption] = [], readOnly: Bool = false, unique: Bool = false, referenceTo: [String] = []) {
        self.name = name
        self.label = label ?? name
        self.kind = kind
        self.required = required
        self.maxLength = maxLength
        self.options = options
        self.readOnly = readOnly
        self.unique = unique
        self.referenceTo = referenceTo
    }
}

/// Schema of one object type.
public struct ObjectSchema: Sendable {
    public var name: String
    public var label: String
    public var fields: [FieldSchema]

    public init(name: String, label: String, fields: [FieldSchema]) {
        self.name = name
        self.label = label
        self.fields = fields
    }

    public func field(_ name: String) -> FieldSchema? { fields.first { $0.name == name } }

    /// Case-insensitive lookup (Salesforce field names are case-insensitive).
    public func fieldIgnoringCase(_ name: String) -> FieldSchema? {
        let lowered = name.lowercased()
        return fields.first { $0.name.lowercased() == lowered }
    }
}
