/// One reason a change cannot be merged or pushed: what, where, which values, which rule.
public struct ValidationFailure: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The rule that failed.
    public enum Rule: String, Hashable, Sendable, Codable, CaseIterable {
        /// A required field is missing or blank.
        case required
        /// The value has the wrong type for the field.
        case type
        /// The text does not have the field's format (email, E.164, URL, domain).
        case format
        /// The text is longer than the canonical limit.
        case maxLength
        /// The value is not one of the field's allowed picklist values.
        case picklist
        /// More decimal places than the field allows.
        case scale
        /// The value could not be converted (bad date, bad number, wrong JSON type).
        case conversion
        /// A picklist value has no entry in a CRM's table (restricted picklist).
        case restrictedPicklist
        /// A referenced record is not linked yet.
        case unresolvedReference
        /// Longer than the target CRM's own field limit.
        case crmMaxLength
        /// The target CRM requires the field on create.
        case crmRequired
        /// A timestamp too far ahead of local physical time (the store's skew guard).
        case clockSkew = "clock-skew"
        /// The record arrived as a different object type than the stored one.
        case objectType = "object-type"
        /// More than one known record matches by natural key: never guessed.
        case ambiguousMatch = "ambiguous-match"
    }

    /// The canonical object.
    public var object: String
    /// The record: the CRM id on inbound changes, the global id on outbound ones.
    public var recordKey: String
    /// The CRM whose representation or limit failed; `nil` for canonical rules.
    public var crm: String?
    /// The canonical fields involved.
    public var fields: [String]
    /// The offending values by canonical field, rendered as text.
    public var values: [String: String]
    /// The rule.
    public var rule: Rule
    /// A readable reason.
    public var reason: String

    /// Creates a failure.
    public init(object: String, recordKey: String, crm: String? = nil, fields: [String],
                values: [String: String], rule: Rule, reason: String) {
        self.object = object
        self.recordKey = recordKey
        self.crm = crm
        self.fields = fields
        self.values = values
        self.rule = rule
        self.reason = reason
    }

    /// `contact 003A: email = "not-an-email": format: ...`.
    public var description: String {
        let vals = fields.map { "\($0) = \(values[$0] ?? "(absent)")" }.joined(separator: ", ")
        return "\(object) \(recordKey)\(crm.map { " [\($0)]" } ?? ""): \(vals): \(rule.rawValue): \(reason)"
    }
}

extension ValidationFailure.Rule {
    /// The rule a transform error counts as.
    init(_ code: TransformError.Code) {
        switch code {
        case .typeMismatch, .invalidFormat: self = .conversion
        case .unmappedValue: self = .restrictedPicklist
        case .unresolvedReference: self = .unresolvedReference
        }
    }
}
